//! Letters in the API: the municipality's templates (read and replace with a checked new
//! version) and a letter made on a child's case, filed as a document.

use crate::routes::Declared;
use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaern_app::letters::{self, LetterInput, TemplateInput, TemplateSummary};
use vaern_letters::FieldKind;
use vaern_store::letter_templates::StoredTemplate;

use super::{
    ApiActor,
    documents::{DocumentDto, DocumentList},
    dto::{Problem, instant},
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/letter-templates", get(list_templates))
        .declared("/api/v1/letter-templates/{key}", put(put_template))
        .declared("/api/v1/children/{id}/letters", post(create_letter))
}

#[derive(Serialize, ToSchema)]
pub struct LetterFieldDto {
    /// Used as `brev.<name>` in the template and as a key of `fields` when making a letter.
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// For a choice: the allowed values.
    pub options: Option<Vec<&'static str>>,
}

#[derive(Serialize, ToSchema)]
pub struct LetterTemplateDto {
    pub key: &'static str,
    pub name: &'static str,
    pub title: String,
    pub body: String,
    /// The municipality's version in use; `null` while Værn's standard template is used.
    pub version: Option<i32>,
    #[schema(format = DateTime)]
    pub changed_at: Option<String>,
    pub changed_by_name: Option<String>,
    pub fields: Vec<LetterFieldDto>,
}

impl LetterTemplateDto {
    fn new(summary: &TemplateSummary) -> Self {
        let stored: Option<&StoredTemplate> = summary.stored.as_ref();
        LetterTemplateDto {
            key: summary.standard.key,
            name: summary.standard.name,
            title: summary.title().to_owned(),
            body: summary.body().to_owned(),
            version: stored.map(|s| s.version),
            changed_at: stored.map(|s| instant(s.created_at)),
            changed_by_name: stored.and_then(|s| s.created_by_name.clone()),
            fields: summary
                .standard
                .fields
                .iter()
                .map(|f| LetterFieldDto {
                    name: f.name,
                    label: f.label,
                    required: f.required,
                    options: match f.kind {
                        FieldKind::Choice(options) => {
                            Some(options.iter().map(|(code, _)| *code).collect())
                        }
                        _ => None,
                    },
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LetterTemplateList {
    pub items: Vec<LetterTemplateDto>,
}

/// Every kind of letter with the template the municipality uses.
#[utoipa::path(get, path = "/api/v1/letter-templates", tag = "letters",
    responses((status = 200, body = LetterTemplateList), (status = 403, body = Problem)))]
pub async fn list_templates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<LetterTemplateList>, ApiError> {
    let templates = letters::templates(&state.db, &actor).await?;
    Ok(Json(LetterTemplateList {
        items: templates.iter().map(LetterTemplateDto::new).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct LetterTemplateBody {
    pub title: String,
    /// minijinja syntax; unknown merge fields and syntax errors are refused with 422.
    pub body: String,
}

/// Save a new version of a template (checked against the demo case first).
#[utoipa::path(put, path = "/api/v1/letter-templates/{key}", tag = "letters",
    params(("key" = String, Path)), request_body = LetterTemplateBody,
    responses((status = 200, body = LetterTemplateDto), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<LetterTemplateBody>,
) -> Result<Json<LetterTemplateDto>, ApiError> {
    let input = TemplateInput {
        title: body.title,
        body: body.body,
    };
    letters::save_template(&state.db, &actor, &key, &input).await?;
    let (summary, _) = letters::template(&state.db, &actor, &key).await?;
    Ok(Json(LetterTemplateDto::new(&summary)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct LetterBody {
    /// The template key, e.g. `afgoerelse`.
    pub template: String,
    pub sub_case_id: Option<String>,
    /// For letters to the parties: `foraeldremyndighed` or `anden`.
    pub recipient: String,
    pub recipient_name: String,
    /// Address lines separated by line breaks.
    pub recipient_address: String,
    /// `pdf` (default) or `docx`.
    pub format: String,
    /// The letter's own fields by name (see `GET /api/v1/letter-templates`).
    pub fields: BTreeMap<String, String>,
}

/// Make a letter on the child's case; it is filed as a document with the data it was made from.
/// A letter to the custody holders is made once for each holder with an address.
#[utoipa::path(post, path = "/api/v1/children/{id}/letters", tag = "letters",
    params(("id" = Uuid, Path)), request_body = LetterBody,
    responses((status = 201, body = DocumentList), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_letter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LetterBody>,
) -> Result<(StatusCode, Json<DocumentList>), ApiError> {
    let input = LetterInput {
        template: body.template,
        sub_case: body.sub_case_id,
        recipient: body.recipient,
        recipient_name: body.recipient_name,
        recipient_address: body.recipient_address,
        format: body.format,
        fields: body.fields,
    };
    let documents =
        letters::generate(&state.db, &state.files, &actor, api_id(&id)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(DocumentList {
            items: documents.iter().map(DocumentDto::new).collect(),
        }),
    ))
}
