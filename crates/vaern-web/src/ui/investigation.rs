//! The børnefaglige undersøgelse: the ICS triangle and its ten dimensions, a dimension's page with
//! autosave and the conflict view, the conversation with the child, the foreløbig vurdering, the
//! conclusion, and the investigation as a PDF on the case.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    investigations::{self, DimensionEdit, InvestigationView},
};
use vaern_domain::{
    FieldErrors,
    dates::{format_date, format_datetime},
    ics::{
        ConclusionInput, DIMENSION_FIELDS, Dimension, DimensionInput, Position, Side, SourceInput,
    },
};
use vaern_store::{ChildId, SubCaseId, access_log::AccessKind, investigations::StoredDimension};

use super::{
    Layout, Page,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    let base = "/boern/{id}/delsager/{sub}/undersoegelse";
    Router::new()
        .declared(base, get(show))
        .declared(&format!("{base}/samtale"), post(conversation))
        .declared(&format!("{base}/foreloebig"), post(preliminary))
        .declared(&format!("{base}/konklusion"), post(conclude))
        .declared(&format!("{base}/pdf"), post(render_pdf))
        .declared(
            &format!("{base}/{{key}}"),
            get(show_dimension).post(save_dimension),
        )
        .declared(&format!("{base}/{{key}}/kladde"), post(autosave))
        .declared(&format!("{base}/{{key}}/kilder"), post(add_source))
}

/// A dimension's row in the overview and its mark in the triangle.
struct DimensionRow {
    code: &'static str,
    label: &'static str,
    side: &'static str,
    resources: bool,
    concerns: bool,
    filled: bool,
    saved: String,
    /// Where the mark sits in the triangle.
    x: String,
    y: String,
    /// `ressourcer`, `bekymringer`, `begge` or `tom`: the mark's look and its text.
    state: &'static str,
}

fn state_of(resources: bool, concerns: bool) -> &'static str {
    match (resources, concerns) {
        (true, true) => "begge",
        (true, false) => "ressourcer",
        (false, true) => "bekymringer",
        (false, false) => "tom",
    }
}

/// The triangle's corners: the child's development at the top, parenting capacity to the
/// lower left, family and environment to the lower right (ICS's usual drawing).
const CORNERS: [(f64, f64); 3] = [(320.0, 30.0), (60.0, 400.0), (580.0, 400.0)];

fn rows(view: &InvestigationView) -> Vec<DimensionRow> {
    let mut rows = Vec::new();
    for (i, side) in Side::ALL.into_iter().enumerate() {
        let dimensions: Vec<Dimension> = Dimension::ALL
            .into_iter()
            .filter(|d| d.side() == side)
            .collect();
        // Each side's dimensions are spread along its edge of the triangle.
        let (from, to) = (CORNERS[i], CORNERS[(i + 1) % 3]);
        for (j, dimension) in dimensions.iter().enumerate() {
            let t = (j as f64 + 1.0) / (dimensions.len() as f64 + 1.0);
            let saved = view.dimension(*dimension);
            let text = saved.map(StoredDimension::text).unwrap_or_default();
            let (resources, concerns) = (text.resources.is_some(), text.concerns.is_some());
            let filled = !text.is_empty();
            rows.push(DimensionRow {
                code: dimension.code(),
                label: dimension.label(),
                side: side.label(),
                resources,
                concerns,
                filled,
                saved: saved
                    .map(|s| {
                        format!(
                            "{} af {}",
                            format_datetime(s.updated_at),
                            s.updated_by_name.as_deref().unwrap_or("ukendt")
                        )
                    })
                    .unwrap_or_default(),
                x: format!("{:.1}", from.0 + (to.0 - from.0) * t),
                y: format!("{:.1}", from.1 + (to.1 - from.1) * t),
                state: state_of(resources, concerns),
            });
        }
    }
    rows
}

fn state_text(state: &str) -> &'static str {
    match state {
        "begge" => "ressourcer og bekymringer",
        "ressourcer" => "ressourcer",
        "bekymringer" => "bekymringer",
        _ => "ikke beskrevet",
    }
}

#[derive(Template)]
#[template(path = "investigation.html")]
struct InvestigationPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    sub_case_id: String,
    sub_case_title: String,
    rows: Vec<DimensionRow>,
    description: String,
    filled: usize,
    conversation_done: bool,
    preliminary: Option<String>,
    preliminary_due: bool,
    deadline: Option<String>,
    concluded: Option<ConclusionView>,
    positions: Vec<Choice>,
    form: FormView,
}

struct ConclusionView {
    assessment: String,
    position: &'static str,
    reasoning: String,
    by: String,
}

async fn page_with(
    state: &AppState,
    page: &Page,
    id: ChildId,
    sub: SubCaseId,
    notice: Option<String>,
    form: FormView,
) -> Result<InvestigationPage, UiError> {
    let view =
        investigations::investigation(&state.db, &page.actor, id, sub, AccessKind::View).await?;
    let rows = rows(&view);
    let described: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {}", r.label, state_text(r.state)))
        .collect();
    let child = ChildView::new(&view.child);
    let i = &view.investigation;
    Ok(InvestigationPage {
        layout: page.layout(format!("Børnefaglig undersøgelse – {}", child.name)),
        notice,
        tab: "overblik",
        sub_case_id: view.sub_case.id.to_string(),
        sub_case_title: view.sub_case.title.clone(),
        filled: rows.iter().filter(|r| r.filled).count(),
        description: format!("ICS-trekanten. {}.", described.join(". ")),
        rows,
        conversation_done: view
            .sub_case
            .steps
            .iter()
            .any(|s| s.code == "boernesamtale" && s.status != "pending"),
        preliminary: i.preliminary.clone(),
        preliminary_due: view.preliminary_due(vaern_store::now()),
        deadline: view.deadline.as_ref().map(|d| format_datetime(d.due_at)),
        concluded: match (&i.assessment, &i.position, &i.reasoning, i.concluded_at) {
            (Some(a), Some(p), Some(r), Some(at)) => Some(ConclusionView {
                assessment: a.clone(),
                position: Position::label_of(p),
                reasoning: r.clone(),
                by: format!(
                    "{} af {}",
                    format_datetime(at),
                    i.concluded_by_name.as_deref().unwrap_or("ukendt")
                ),
            }),
            _ => None,
        },
        positions: Position::ALL
            .into_iter()
            .map(|p| Choice::new(p.code(), p.label()))
            .collect(),
        form,
        child,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

fn notice(code: &str) -> Option<String> {
    match code {
        "gemt" => Some("Dimensionen er gemt og noteret i journalen."),
        "samtale" => Some("Samtalen med barnet er noteret i journalen."),
        "foreloebig" => Some("Den foreløbige vurdering er registreret."),
        "afsluttet" => Some("Undersøgelsen er afsluttet og noteret i journalen."),
        "kilde" => Some("Kilden er tilføjet."),
        _ => None,
    }
    .map(str::to_owned)
}

fn ids(id: &str, sub: &str) -> Result<(ChildId, SubCaseId), UiError> {
    Ok((parse_id(id)?, parse_id(sub)?))
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    let page = page_with(
        &state,
        &page,
        id,
        sub,
        notice(&q.besked),
        FormView::default(),
    )
    .await?;
    Ok(render(&page).into_response())
}

fn back(id: ChildId, sub: SubCaseId, besked: &str) -> Response {
    Redirect::to(&format!(
        "/boern/{id}/delsager/{sub}/undersoegelse?besked={besked}"
    ))
    .into_response()
}

/// Re-renders the investigation page with the errors and what was typed (422).
async fn invalid(
    state: &AppState,
    page: &Page,
    id: ChildId,
    sub: SubCaseId,
    error: AppError,
    kept: Vec<(&'static str, String)>,
) -> Result<Response, UiError> {
    let AppError::Invalid(errors) = error else {
        return Err(error.into());
    };
    let page = page_with(state, page, id, sub, None, FormView::new(kept, errors)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConversationForm {
    held_on: String,
    summary: String,
}

async fn conversation(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(form): UiForm<ConversationForm>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    match investigations::record_conversation(
        &state.db,
        &page.actor,
        id,
        sub,
        &form.held_on,
        &form.summary,
    )
    .await
    {
        Ok(()) => Ok(back(id, sub, "samtale")),
        Err(error) => {
            let kept = vec![("held_on", form.held_on), ("summary", form.summary)];
            invalid(&state, &page, id, sub, error, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PreliminaryForm {
    preliminary: String,
}

async fn preliminary(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(form): UiForm<PreliminaryForm>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    match investigations::record_preliminary(&state.db, &page.actor, id, sub, &form.preliminary)
        .await
    {
        Ok(()) => Ok(back(id, sub, "foreloebig")),
        Err(error) => {
            let kept = vec![("preliminary", form.preliminary)];
            invalid(&state, &page, id, sub, error, kept).await
        }
    }
}

async fn conclude(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(input): UiForm<ConclusionInput>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    match investigations::conclude(&state.db, &page.actor, id, sub, &input).await {
        Ok(_) => Ok(back(id, sub, "afsluttet")),
        Err(error) => {
            let kept = vec![
                ("assessment", input.assessment),
                ("position", input.position),
                ("reasoning", input.reasoning),
            ];
            invalid(&state, &page, id, sub, error, kept).await
        }
    }
}

async fn render_pdf(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(_): UiForm<NoFields>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    let document =
        investigations::render_document(&state.db, &state.files, &page.actor, id, sub).await?;
    Ok(Redirect::to(&format!("/boern/{id}/dokumenter/{}", document.id)).into_response())
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize, Default)]
struct NoFields {}

/// A field of a dimension as the form shows it, with the other user's saved text on a conflict.
struct FieldView {
    name: &'static str,
    label: &'static str,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "investigation_dimension.html")]
struct DimensionPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    sub_case_id: String,
    code: &'static str,
    label: &'static str,
    side: &'static str,
    fields: Vec<FieldView>,
    expected_version: i32,
    /// Someone else's save, shown beside the caseworker's own text.
    conflict: Option<String>,
    sources: Vec<String>,
    links: Vec<Choice>,
    concluded: bool,
    form: FormView,
    source_form: FormView,
}

/// What a dimension's page starts from: the draft, the caseworker's own input after an error,
/// or what is saved.
enum Start {
    Saved,
    Typed {
        input: DimensionInput,
        errors: FieldErrors,
        conflict: bool,
        /// The version the caseworker started from: kept after a validation error, so a save in
        /// between is still caught as a conflict.
        expected: i32,
    },
    Source(FormView),
}

async fn dimension_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    sub: SubCaseId,
    code: &str,
    start: Start,
) -> Result<DimensionPage, UiError> {
    let DimensionEdit {
        view,
        dimension,
        saved,
        draft,
        links,
    } = investigations::dimension(&state.db, &page.actor, id, sub, code, AccessKind::View).await?;
    let saved_input = |s: &StoredDimension| s.text().to_input();
    let version = saved.as_ref().map_or(0, |s| s.version);
    let mut notice = None;
    let mut source_form = FormView::default();
    let (input, errors, conflict, expected_version) = match start {
        Start::Typed {
            input,
            errors,
            conflict,
            expected,
        } => (
            input,
            errors,
            conflict,
            if conflict { version } else { expected },
        ),
        Start::Saved | Start::Source(_)
            if draft.is_some() && view.investigation.concluded_at.is_none() =>
        {
            let (input, draft) = draft.expect("checked");
            notice = Some(format!(
                "Din kladde fra {} er hentet. Den er ikke gemt i undersøgelsen endnu.",
                format_datetime(draft.saved_at)
            ));
            if let Start::Source(form) = start {
                source_form = form;
            }
            (input, FieldErrors::new(), false, draft.base_version)
        }
        Start::Source(form) => {
            source_form = form;
            (
                saved.as_ref().map(saved_input).unwrap_or_default(),
                FieldErrors::new(),
                false,
                version,
            )
        }
        Start::Saved => (
            saved.as_ref().map(saved_input).unwrap_or_default(),
            FieldErrors::new(),
            false,
            version,
        ),
    };
    let theirs = conflict.then(|| saved.as_ref().map(saved_input).unwrap_or_default());
    let mut form = FormView::new([], errors);
    for (name, _) in DIMENSION_FIELDS {
        form.insert(name.to_owned(), input.field(name).to_owned());
    }
    let child = ChildView::new(&view.child);
    Ok(DimensionPage {
        layout: page.layout(format!("{} – {}", dimension.label(), child.name)),
        notice,
        tab: "overblik",
        sub_case_id: view.sub_case.id.to_string(),
        code: dimension.code(),
        label: dimension.label(),
        side: dimension.side().label(),
        fields: DIMENSION_FIELDS
            .iter()
            .map(|(name, label)| FieldView {
                name,
                label,
                saved: theirs.as_ref().map(|t| t.field(name).to_owned()),
            })
            .collect(),
        expected_version,
        conflict: conflict.then(|| {
            saved
                .as_ref()
                .map(|s| {
                    format!(
                        "{} gemte «{}» {}, mens du skrev. Din tekst står i felterne; den gemte tekst står under hvert felt. Ret til, og gem igen.",
                        s.updated_by_name.as_deref().unwrap_or("En anden"),
                        dimension.label(),
                        format_datetime(s.updated_at)
                    )
                })
                .unwrap_or_default()
        }),
        sources: view
            .sources
            .iter()
            .filter(|s| s.dimension == dimension.code())
            .map(|s| format!("{}, {}", s.who, format_date(s.said_on)))
            .collect(),
        links: links
            .into_iter()
            .map(|(code, label)| Choice::new(code, label))
            .collect(),
        concluded: view.investigation.concluded_at.is_some(),
        form,
        source_form,
        child,
    })
}

async fn show_dimension(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub, key)): Path<(String, String, String)>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    let page = dimension_page(&state, &page, id, sub, &key, Start::Saved).await?;
    Ok(render(&page).into_response())
}

/// The dimension form as posted: the five texts and the version it was started from.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DimensionForm {
    #[serde(flatten)]
    input: DimensionInput,
    expected_version: String,
}

async fn save_dimension(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub, key)): Path<(String, String, String)>,
    UiForm(form): UiForm<DimensionForm>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    let expected = form.expected_version.trim().parse().unwrap_or(0);
    let result = investigations::save_dimension(
        &state.db,
        &page.actor,
        id,
        sub,
        &key,
        &form.input,
        expected,
    )
    .await;
    let (status, errors, conflict) = match result {
        Ok(_) => return Ok(back(id, sub, "gemt")),
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
        Err(AppError::Conflict(message)) => (
            StatusCode::CONFLICT,
            FieldErrors::single("description", message),
            true,
        ),
        Err(other) => return Err(other.into()),
    };
    let start = Start::Typed {
        input: form.input,
        errors,
        conflict,
        expected,
    };
    let page = dimension_page(&state, &page, id, sub, &key, start).await?;
    Ok((status, render(&page)).into_response())
}

/// Autosave (htmx, while typing): keeps the caseworker's draft and answers with the status line.
async fn autosave(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub, key)): Path<(String, String, String)>,
    UiForm(form): UiForm<DimensionForm>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    let base = form.expected_version.trim().parse().unwrap_or(0);
    let at =
        investigations::autosave(&state.db, &page.actor, id, sub, &key, &form.input, base).await?;
    Ok(Html(format!(
        "Kladde gemt {}. Tryk «Gem dimensionen» for at gemme den i undersøgelsen.",
        format_datetime(at)
    ))
    .into_response())
}

async fn add_source(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub, key)): Path<(String, String, String)>,
    UiForm(input): UiForm<SourceInput>,
) -> Result<Response, UiError> {
    let (id, sub) = ids(&id, &sub)?;
    match investigations::add_source(&state.db, &page.actor, id, sub, &key, &input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{sub}/undersoegelse/{key}#kilder"
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormView::new(
                [
                    ("who", input.who),
                    ("said_on", input.said_on),
                    ("link", input.link),
                ],
                errors,
            );
            let page = dimension_page(&state, &page, id, sub, &key, Start::Source(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
