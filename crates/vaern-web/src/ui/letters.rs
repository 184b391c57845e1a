//! Letters in the UI: a caseworker makes a letter on a child's case (Dokumenter → Dan brev),
//! and an administrator edits the municipality's templates with a preview on the demo case.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    letters::{self, LetterInput, RECIPIENT_OTHER, TemplateInput},
};
use vaern_domain::{FieldErrors, dates::format_datetime, document::FileType};
use vaern_letters::{FIELDS, FieldKind, ITEM_FIELDS, Standard};
use vaern_store::ChildId;

use super::{
    Layout, Page,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    files::generated_response,
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/boern/{id}/breve/ny", get(new_letter))
        .declared("/boern/{id}/breve", post(create_letter))
        .declared("/admin/brevskabeloner", get(list_templates))
        .declared(
            "/admin/brevskabeloner/{key}",
            get(edit_template).post(save_template),
        )
        .declared(
            "/admin/brevskabeloner/{key}/forhaandsvisning",
            post(preview_template),
        )
}

/// A letter's own field in the form.
struct FieldView {
    name: String,
    label: String,
    hint: &'static str,
    /// `line`, `text` or `choice`.
    kind: &'static str,
    options: Vec<Choice>,
}

fn field_views(standard: &Standard) -> Vec<FieldView> {
    standard
        .fields
        .iter()
        .map(|f| FieldView {
            name: format!("fields.{}", f.name),
            label: if f.required {
                f.label.to_owned()
            } else {
                format!("{} (valgfrit)", f.label)
            },
            hint: f.hint,
            kind: match f.kind {
                FieldKind::Line => "line",
                FieldKind::Text => "text",
                FieldKind::Choice(_) => "choice",
            },
            options: match f.kind {
                FieldKind::Choice(options) => options
                    .iter()
                    .map(|(code, label)| Choice::new(code, *label))
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "letter_new.html")]
struct LetterPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    kinds: Vec<Choice>,
    chosen: Option<Chosen>,
    form: FormView,
    sub_cases: Vec<Choice>,
}

/// The kind of letter being made.
struct Chosen {
    key: &'static str,
    name: &'static str,
    to_notifier: bool,
    fields: Vec<FieldView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KindQuery {
    skabelon: String,
    delsag: String,
}

async fn letter_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    key: &str,
    form: FormView,
) -> Result<LetterPage, UiError> {
    let (child, sub_cases) = letters::letter_form(&state.db, &page.actor, id).await?;
    let child = ChildView::new(&child);
    let chosen = letters::letter_kinds()
        .find(|s| s.key == key)
        .map(|s| Chosen {
            key: s.key,
            name: s.name,
            to_notifier: s.addressee == vaern_letters::Addressee::Notifier,
            fields: field_views(s),
        });
    Ok(LetterPage {
        layout: page.layout(format!("Dan brev – {}", child.name)),
        notice: None,
        tab: "dokumenter",
        kinds: letters::letter_kinds()
            .map(|s| Choice::new(s.key, s.name))
            .collect(),
        chosen,
        form,
        sub_cases: sub_cases
            .iter()
            .map(|s| Choice::new(s.id, s.title.clone()))
            .collect(),
        child,
    })
}

async fn new_letter(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(query): Query<KindQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let decision = match query.delsag.parse() {
        Ok(sub_case) if query.skabelon == "afgoerelse" => {
            letters::decision_fields(&state.db, &page.actor, id, sub_case).await?
        }
        _ => Vec::new(),
    };
    let mut form = FormView::new(
        [
            ("template", query.skabelon.clone()),
            ("sub_case", query.delsag),
            ("recipient", RECIPIENT_OTHER.to_owned()),
            ("format", "pdf".to_owned()),
        ],
        FieldErrors::new(),
    );
    for (field, value) in decision {
        form.insert(format!("fields.{field}"), value);
    }
    Ok(render(
        &letter_page(&state, &page, id, &query.skabelon, form).await?,
    ))
}

/// The letter form's pairs as the app's input, and as the form to show again.
fn letter_input(pairs: Vec<(String, String)>) -> (LetterInput, FormView) {
    let mut input = LetterInput::default();
    let mut form = FormView::new([], FieldErrors::new());
    for (name, value) in pairs {
        match name.as_str() {
            "template" => input.template = value.clone(),
            "sub_case" => input.sub_case = Some(value.clone()),
            "recipient" => input.recipient = value.clone(),
            "recipient_name" => input.recipient_name = value.clone(),
            "recipient_address" => input.recipient_address = value.clone(),
            "format" => input.format = value.clone(),
            other => {
                if let Some(field) = other.strip_prefix("fields.") {
                    input.fields.insert(field.to_owned(), value.clone());
                }
            }
        }
        if name != "csrf" {
            form.insert(name, value);
        }
    }
    (input, form)
}

async fn create_letter(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let (input, mut form) = letter_input(pairs);
    match letters::generate(&state.db, &state.files, &page.actor, id, &input).await {
        Ok(documents) => Ok(Redirect::to(&match documents.as_slice() {
            [one] => format!("/boern/{id}/dokumenter/{}?besked=brev", one.id),
            _ => format!("/boern/{id}/dokumenter?besked=breve"),
        })
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            form.errors = errors;
            let page = letter_page(&state, &page, id, input.template.trim(), form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct TemplateRow {
    key: &'static str,
    name: &'static str,
    changed: Option<String>,
}

#[derive(Template)]
#[template(path = "letter_templates.html")]
struct TemplatesPage {
    layout: Layout,
    templates: Vec<TemplateRow>,
}

async fn list_templates(State(state): State<AppState>, page: Page) -> Result<Response, UiError> {
    let templates = letters::templates(&state.db, &page.actor).await?;
    Ok(render(&TemplatesPage {
        layout: page.layout("Brevskabeloner"),
        templates: templates
            .iter()
            .map(|t| TemplateRow {
                key: t.standard.key,
                name: t.standard.name,
                changed: t.stored.as_ref().map(|s| {
                    format!(
                        "Version {} af {}, {}",
                        s.version,
                        s.created_by_name.as_deref().unwrap_or("ukendt"),
                        format_datetime(s.created_at)
                    )
                }),
            })
            .collect(),
    }))
}

struct HistoryRow {
    version: i32,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "letter_template.html")]
struct TemplatePage {
    layout: Layout,
    notice: Option<String>,
    key: &'static str,
    name: &'static str,
    form: FormView,
    fields: Vec<(String, &'static str)>,
    item_fields: &'static [(&'static str, &'static str)],
    history: Vec<HistoryRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

async fn template_page(
    state: &AppState,
    page: &Page,
    key: &str,
    form: Option<FormView>,
    notice: Option<String>,
) -> Result<TemplatePage, UiError> {
    let (summary, history) = letters::template(&state.db, &page.actor, key).await?;
    let standard = summary.standard;
    let form = form.unwrap_or_else(|| {
        FormView::new(
            [
                ("title", summary.title().to_owned()),
                ("body", summary.body().to_owned()),
            ],
            FieldErrors::new(),
        )
    });
    Ok(TemplatePage {
        layout: page.layout(format!("Brevskabelon: {}", standard.name)),
        notice,
        key: standard.key,
        name: standard.name,
        form,
        fields: FIELDS
            .iter()
            .map(|(path, text)| ((*path).to_owned(), *text))
            .chain(
                standard
                    .fields
                    .iter()
                    .map(|f| (format!("brev.{}", f.name), f.label)),
            )
            .collect(),
        item_fields: ITEM_FIELDS,
        history: history
            .iter()
            .map(|t| HistoryRow {
                version: t.version,
                by: t.created_by_name.clone().unwrap_or_default(),
                at: format_datetime(t.created_at),
            })
            .collect(),
    })
}

async fn edit_template(
    State(state): State<AppState>,
    page: Page,
    Path(key): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = (query.besked == "gemt")
        .then(|| "Skabelonen er gemt som en ny version. Nye breve bruger den nu.".to_owned());
    Ok(render(
        &template_page(&state, &page, &key, None, notice).await?,
    ))
}

fn kept(input: &TemplateInput, errors: FieldErrors) -> FormView {
    FormView::new(
        [("title", input.title.clone()), ("body", input.body.clone())],
        errors,
    )
}

async fn save_template(
    State(state): State<AppState>,
    page: Page,
    Path(key): Path<String>,
    UiForm(input): UiForm<TemplateInput>,
) -> Result<Response, UiError> {
    match letters::save_template(&state.db, &page.actor, &key, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/brevskabeloner/{key}?besked=gemt")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let form = kept(&input, errors);
            let page = template_page(&state, &page, &key, Some(form), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn preview_template(
    State(state): State<AppState>,
    page: Page,
    Path(key): Path<String>,
    UiForm(input): UiForm<TemplateInput>,
) -> Result<Response, UiError> {
    match letters::preview_template(&state.db, &page.actor, &key, &input).await {
        Ok(pdf) => Ok(generated_response(
            FileType::Pdf,
            pdf,
            &format!("forhaandsvisning-{key}.pdf"),
        )),
        Err(AppError::Invalid(errors)) => {
            let form = kept(&input, errors);
            let page = template_page(&state, &page, &key, Some(form), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
