//! `/api/v1/children/{id}/documents`: file documents (multipart), add versions, list, read and
//! download (streamed). Nothing is deleted: there is no DELETE (405).

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Path, Request, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::documents::{self, Opening};
use vaern_store::{
    ChildId, DocumentId,
    access_log::AccessKind,
    documents::{Document, Version},
};

use super::{
    ApiActor,
    dto::{Problem, instant},
    schema,
};
use crate::{
    AppState, errors::ApiError, files::file_response, forms::api_id, ui::documents::upload_input,
    upload,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/api/v1/children/{id}/documents",
            get(list_documents)
                .post(create_document)
                .layer(DefaultBodyLimit::disable()),
        )
        .declared("/api/v1/children/{id}/documents/{doc}", get(get_document))
        .declared(
            "/api/v1/children/{id}/documents/{doc}/versions",
            post(create_version).layer(DefaultBodyLimit::disable()),
        )
        .declared(
            "/api/v1/children/{id}/documents/{doc}/versions/{version}/content",
            get(get_content),
        )
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: Uuid,
    pub title: String,
    /// `incoming`, `outgoing`, `internal`, `decision` or `statement`.
    pub kind: String,
    #[schema(format = Date)]
    pub document_date: String,
    pub confidential: bool,
    pub shareable_with_siblings: bool,
    pub sub_case_id: Option<Uuid>,
    pub latest_version: i32,
    /// The latest version's media type, sniffed from its content.
    pub media_type: String,
    pub size_bytes: i64,
    pub file_name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by_name: Option<String>,
}

impl DocumentDto {
    pub(crate) fn new(d: &Document) -> Self {
        DocumentDto {
            id: d.id.0,
            title: d.title.clone(),
            kind: d.kind.clone(),
            document_date: d.document_date.to_string(),
            confidential: d.confidential,
            shareable_with_siblings: d.shareable_with_siblings,
            sub_case_id: d.sub_case_id.map(|s| s.0),
            latest_version: d.latest_version,
            media_type: d.media_type.clone(),
            size_bytes: d.size_bytes,
            file_name: d.file_name.clone(),
            created_at: instant(d.created_at),
            created_by_name: d.created_by_name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i32,
    pub media_type: String,
    pub size_bytes: i64,
    pub file_name: String,
    /// SHA-256 of the content, hex; the file store verifies it on every read.
    pub sha256: String,
    /// For a generated letter: the template and merge data it was made from.
    pub letter_data: Option<serde_json::Value>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by_name: Option<String>,
}

impl VersionDto {
    fn new(v: &Version) -> Self {
        VersionDto {
            version: v.version,
            media_type: v.media_type.clone(),
            size_bytes: v.size_bytes,
            file_name: v.file_name.clone(),
            sha256: v.content_hash.clone(),
            letter_data: v
                .letter_data
                .as_deref()
                .and_then(|data| serde_json::from_str(data).ok()),
            created_at: instant(v.created_at),
            created_by_name: v.created_by_name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentWithVersions {
    #[serde(flatten)]
    pub document: DocumentDto,
    /// Newest first.
    pub versions: Vec<VersionDto>,
}

/// The multipart form of a new document. Send `file` last.
#[derive(ToSchema)]
#[allow(dead_code)] // Only describes the multipart body in the OpenAPI document.
pub struct DocumentUpload {
    #[schema(schema_with = schema::line::<200>)]
    title: String,
    /// `incoming`, `outgoing`, `internal`, `decision` or `statement`.
    #[schema(schema_with = schema::document_kind)]
    kind: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`; empty means today.
    document_date: Option<String>,
    /// `true` to mark it confidential.
    confidential: Option<bool>,
    shareable_with_siblings: Option<bool>,
    /// A sub-case of the child's case.
    sub_case: Option<Uuid>,
    /// The file (PDF, DOCX, ODT, PNG, JPEG, GIF, TIFF, EML, MSG); its type is read from the content.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// The multipart form of a new version.
#[derive(ToSchema)]
#[allow(dead_code)] // Only describes the multipart body in the OpenAPI document.
pub struct VersionUpload {
    /// The latest version the client knows; if another was added since, the answer is 409.
    #[schema(nullable = false)]
    expected_version: Option<i32>,
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// The child's documents, newest document date first.
#[utoipa::path(get, path = "/api/v1/children/{id}/documents", tag = "documents",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentList), (status = 404, body = Problem)))]
pub async fn list_documents(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DocumentList>, ApiError> {
    let listed = documents::list(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(DocumentList {
        items: listed.documents.iter().map(DocumentDto::new).collect(),
    }))
}

/// File a document on the child's case (multipart/form-data). The file and its record are
/// stored together or not at all.
#[utoipa::path(post, path = "/api/v1/children/{id}/documents", tag = "documents",
    params(("id" = Uuid, Path)),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<DocumentDto>), ApiError> {
    let id: ChildId = api_id(&id)?;
    let received = upload::read(request, state.files.max_bytes).await?;
    let input = upload_input(&received);
    let document =
        documents::upload(&state.db, &state.files, &actor, id, &input, received.file).await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::new(&document))))
}

/// One document with all its versions.
#[utoipa::path(get, path = "/api/v1/children/{id}/documents/{doc}", tag = "documents",
    params(("id" = Uuid, Path), ("doc" = Uuid, Path)),
    responses((status = 200, body = DocumentWithVersions), (status = 404, body = Problem)))]
pub async fn get_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Json<DocumentWithVersions>, ApiError> {
    let (_, document, versions) = documents::show(
        &state.db,
        &actor,
        api_id(&id)?,
        api_id(&doc)?,
        AccessKind::ApiRead,
    )
    .await?;
    Ok(Json(DocumentWithVersions {
        document: DocumentDto::new(&document),
        versions: versions.iter().map(VersionDto::new).collect(),
    }))
}

/// Add a new version (multipart/form-data); the earlier versions stay.
#[utoipa::path(post, path = "/api/v1/children/{id}/documents/{doc}/versions", tag = "documents",
    params(("id" = Uuid, Path), ("doc" = Uuid, Path)),
    request_body(content = VersionUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = VersionDto), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_version(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, doc)): Path<(String, String)>,
    request: Request,
) -> Result<(StatusCode, Json<VersionDto>), ApiError> {
    let (id, doc): (ChildId, DocumentId) = (api_id(&id)?, api_id(&doc)?);
    let received = upload::read(request, state.files.max_bytes).await?;
    let expected = match received.text("expected_version").trim() {
        "" => None,
        raw => Some(raw.parse().map_err(|_| {
            vaern_app::AppError::Invalid(vaern_domain::FieldErrors::single(
                "expected_version",
                "Versionsnummeret skal være et helt tal",
            ))
        })?),
    };
    let version = documents::add_version(
        &state.db,
        &state.files,
        &actor,
        id,
        doc,
        expected,
        received.file,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(VersionDto::new(&version))))
}

/// The file of one version, streamed with its media type and `Content-Disposition:
/// attachment`. A file that no longer matches its SHA-256 is cut off before its last bytes.
#[utoipa::path(get, path = "/api/v1/children/{id}/documents/{doc}/versions/{version}/content",
    tag = "documents",
    params(("id" = Uuid, Path), ("doc" = Uuid, Path), ("version" = i32, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = Problem)))]
pub async fn get_content(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, doc, version)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let opened = documents::open(
        &state.db,
        &state.files,
        &actor,
        api_id(&id)?,
        api_id(&doc)?,
        Some(api_id(&version)?),
        Opening::Api,
    )
    .await?;
    Ok(file_response(opened, false))
}
