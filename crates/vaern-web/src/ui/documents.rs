//! The child page's Dokumenter tab: the case's documents, filing an upload, a document's
//! versions, and showing or downloading a file.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Path, Query, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    documents::{self, Opening, UploadInput},
};
use vaern_domain::{
    FieldErrors,
    dates::{format_date, format_datetime},
    document::{DocumentKind, FileType, NewDocumentInput, format_size},
};
use vaern_store::{
    ChildId, DocumentId,
    access_log::AccessKind,
    documents::{Document, Version},
};

use super::{
    Layout, Page,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    files::file_response,
    forms::{FormView, parse_id},
    upload,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/boern/{id}/dokumenter",
            get(show_documents)
                .post(upload_document)
                .layer(DefaultBodyLimit::disable()),
        )
        .declared("/boern/{id}/dokumenter/{doc}", get(show_document))
        .declared(
            "/boern/{id}/dokumenter/{doc}/versioner",
            post(upload_version).layer(DefaultBodyLimit::disable()),
        )
        .declared(
            "/boern/{id}/dokumenter/{doc}/versioner/{version}/vis",
            get(preview),
        )
        .declared(
            "/boern/{id}/dokumenter/{doc}/versioner/{version}/hent",
            get(download),
        )
}

/// A document as a row of the list.
pub struct DocumentRow {
    pub href: String,
    pub title: String,
    pub kind: &'static str,
    pub date: String,
    pub version: i32,
    pub file: String,
    pub sub_case: Option<String>,
    pub confidential: bool,
    pub shareable: bool,
    pub created_by: String,
}

fn kind_label(code: &str) -> &'static str {
    DocumentKind::parse(code)
        .map(DocumentKind::label)
        .unwrap_or("Ukendt")
}

fn file_label(media_type: &str, size: i64) -> String {
    let kind = FileType::from_media_type(media_type).map_or("Ukendt filtype", FileType::label);
    format!("{kind}, {}", format_size(u64::try_from(size).unwrap_or(0)))
}

impl DocumentRow {
    fn new(child: ChildId, d: &Document) -> Self {
        DocumentRow {
            href: format!("/boern/{child}/dokumenter/{}", d.id),
            title: d.title.clone(),
            kind: kind_label(&d.kind),
            date: format_date(d.document_date),
            version: d.latest_version,
            file: file_label(&d.media_type, d.size_bytes),
            sub_case: d.sub_case_title.clone(),
            confidential: d.confidential,
            shareable: d.shareable_with_siblings,
            created_by: d.created_by_name.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "child_documents.html")]
struct DocumentsPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    kinds: Vec<Choice>,
    sub_cases: Vec<Choice>,
    documents: Vec<DocumentRow>,
    max_mb: u64,
    accept: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

fn notice(code: &str) -> Option<String> {
    match code {
        "gemt" => Some("Dokumentet er lagt på sagen og noteret i journalen.".into()),
        "version" => Some("Den nye version er gemt. De tidligere versioner er bevaret.".into()),
        "breve" => Some(
            "Brevene er dannet – ét til hver forældremyndighedsindehaver – og lagt på sagen.".into(),
        ),
        "brev" => Some(
            "Brevet er dannet og lagt på sagen. Hent det, læs det igennem, og send det til modtageren."
                .into(),
        ),
        _ => None,
    }
}

/// What the file input accepts (a hint to the browser; the server decides from the content).
fn accept() -> String {
    let mut types: Vec<&str> = FileType::ALL.iter().map(|t| t.media_type()).collect();
    types.extend([".eml", ".msg", ".docx", ".odt"]);
    types.join(",")
}

async fn documents_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    notice_code: &str,
    form: FormView,
) -> Result<DocumentsPage, UiError> {
    let listed = documents::list(&state.db, &page.actor, id, AccessKind::View).await?;
    let child = ChildView::new(&listed.child);
    Ok(DocumentsPage {
        layout: page.layout(format!("Dokumenter – {}", child.name)),
        notice: notice(notice_code),
        tab: "dokumenter",
        form,
        kinds: DocumentKind::ALL
            .into_iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        sub_cases: listed
            .sub_cases
            .iter()
            .map(|s| Choice::new(s.id, s.title.clone()))
            .collect(),
        documents: listed
            .documents
            .iter()
            .map(|d| DocumentRow::new(id, d))
            .collect(),
        max_mb: state.files.max_bytes / (1024 * 1024),
        accept: accept(),
        child,
    })
}

async fn show_documents(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let form = FormView::new(
        [("document_date", format_date(vaern_app::today()))],
        FieldErrors::new(),
    );
    Ok(render(
        &documents_page(&state, &page, id, &query.besked, form).await?,
    ))
}

/// The description fields of an upload (shared with the API).
pub fn upload_input(upload: &upload::Upload) -> UploadInput {
    UploadInput {
        document: NewDocumentInput {
            title: upload.text("title"),
            kind: upload.text("kind"),
            document_date: upload.text("document_date"),
            confidential: upload.checked("confidential"),
            shareable_with_siblings: upload.checked("shareable_with_siblings"),
        },
        sub_case: Some(upload.text("sub_case")),
    }
}

async fn upload_document(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let received = upload::read(request, state.files.max_bytes).await?;
    let input = upload_input(&received);
    let kept = |errors| {
        FormView::new(
            [
                ("title", input.document.title.clone()),
                ("kind", input.document.kind.clone()),
                ("document_date", input.document.document_date.clone()),
                ("sub_case", input.sub_case.clone().unwrap_or_default()),
                ("confidential", checkbox(input.document.confidential)),
                (
                    "shareable_with_siblings",
                    checkbox(input.document.shareable_with_siblings),
                ),
            ],
            errors,
        )
    };
    match documents::upload(
        &state.db,
        &state.files,
        &page.actor,
        id,
        &input,
        received.file,
    )
    .await
    {
        Ok(document) => Ok(Redirect::to(&format!(
            "/boern/{id}/dokumenter/{}?besked=gemt",
            document.id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = documents_page(&state, &page, id, "", kept(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A checkbox's value for re-rendering the form.
fn checkbox(checked: bool) -> String {
    if checked { "on".into() } else { String::new() }
}

/// A version in the document page's list.
struct VersionRow {
    version: i32,
    file_name: String,
    file: String,
    created: String,
    created_by: String,
    generated: bool,
    view_href: Option<String>,
    download_href: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    document: DocumentRow,
    latest: i32,
    image_preview: Option<String>,
    versions: Vec<VersionRow>,
    form: FormView,
    max_mb: u64,
    accept: String,
}

fn version_row(base: &str, v: &Version) -> VersionRow {
    let file_type = FileType::from_media_type(&v.media_type);
    VersionRow {
        version: v.version,
        file_name: v.file_name.clone(),
        file: file_label(&v.media_type, v.size_bytes),
        created: format_datetime(v.created_at),
        created_by: v.created_by_name.clone().unwrap_or_default(),
        generated: v.letter_data.is_some(),
        view_href: file_type
            .is_some_and(FileType::shown_inline)
            .then(|| format!("{base}/versioner/{}/vis", v.version)),
        download_href: format!("{base}/versioner/{}/hent", v.version),
    }
}

async fn document_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    doc: DocumentId,
    notice_code: &str,
    form: FormView,
) -> Result<DocumentPage, UiError> {
    let (child, document, versions) =
        documents::show(&state.db, &page.actor, id, doc, AccessKind::View).await?;
    let row = DocumentRow::new(id, &document);
    let image_preview = FileType::from_media_type(&document.media_type)
        .is_some_and(FileType::is_browser_image)
        .then(|| format!("{}/versioner/{}/vis", row.href, document.latest_version));
    let child = ChildView::new(&child);
    Ok(DocumentPage {
        layout: page.layout(format!("{} – {}", document.title, child.name)),
        notice: notice(notice_code),
        tab: "dokumenter",
        latest: document.latest_version,
        image_preview,
        versions: versions.iter().map(|v| version_row(&row.href, v)).collect(),
        document: row,
        form,
        max_mb: state.files.max_bytes / (1024 * 1024),
        accept: accept(),
        child,
    })
}

async fn show_document(
    State(state): State<AppState>,
    page: Page,
    Path((id, doc)): Path<(String, String)>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let (id, doc) = (parse_id(&id)?, parse_id(&doc)?);
    let form = FormView::new([], FieldErrors::new());
    Ok(render(
        &document_page(&state, &page, id, doc, &query.besked, form).await?,
    ))
}

async fn upload_version(
    State(state): State<AppState>,
    page: Page,
    Path((id, doc)): Path<(String, String)>,
    request: Request,
) -> Result<Response, UiError> {
    let (id, doc): (ChildId, DocumentId) = (parse_id(&id)?, parse_id(&doc)?);
    let received = upload::read(request, state.files.max_bytes).await?;
    let expected = received.text("version").trim().parse().ok();
    match documents::add_version(
        &state.db,
        &state.files,
        &page.actor,
        id,
        doc,
        expected,
        received.file,
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/boern/{id}/dokumenter/{doc}?besked=version")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let form = FormView::new([], errors);
            let page = document_page(&state, &page, id, doc, "", form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn open_file(
    state: AppState,
    page: Page,
    (id, doc, version): (String, String, String),
    opening: Opening,
) -> Result<Response, UiError> {
    let (id, doc) = (parse_id(&id)?, parse_id(&doc)?);
    let version = parse_id::<i32>(&version)?;
    let opened = documents::open(
        &state.db,
        &state.files,
        &page.actor,
        id,
        doc,
        Some(version),
        opening,
    )
    .await?;
    Ok(file_response(opened, opening == Opening::Preview))
}

async fn preview(
    State(state): State<AppState>,
    page: Page,
    Path(path): Path<(String, String, String)>,
) -> Result<Response, UiError> {
    open_file(state, page, path, Opening::Preview).await
}

async fn download(
    State(state): State<AppState>,
    page: Page,
    Path(path): Path<(String, String, String)>,
) -> Result<Response, UiError> {
    open_file(state, page, path, Opening::Download).await
}
