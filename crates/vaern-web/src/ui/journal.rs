//! The child page's Journal tab: read with filters, write notes, correct notes.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use vaern_app::{AppError, journal};
use vaern_domain::{
    FieldErrors,
    dates::format_date,
    journal::{EntryKind, NewNoteInput},
};
use vaern_store::{ChildId, JournalEntryId, access_log::AccessKind};

use super::{
    Layout, Page,
    views::{ChildView, Choice, EntryView},
};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/boern/{id}/journal", get(show_journal).post(write_note))
        .declared(
            "/boern/{id}/journal/{entry}/ret",
            get(edit_correction).post(write_correction),
        )
}

#[derive(Template)]
#[template(path = "child_journal.html")]
struct JournalPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    filter: FormView,
    filtered: bool,
    kinds: Vec<Choice>,
    authors: Vec<Choice>,
    entries: Vec<EntryView>,
    older: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct JournalQuery {
    kind: String,
    author: String,
    from: String,
    to: String,
    /// `<event date>_<created at unix nanos>_<id>` of the last entry shown.
    before: String,
    besked: String,
    sub_case: String,
}

fn notice(code: &str) -> Option<String> {
    match code {
        "oprettet" => Some("Barnet og barnets sag er oprettet.".into()),
        "findes" => Some("CPR-nummeret var allerede registreret i kommunen. Her er barnets eksisterende sag – der er ikke oprettet en dublet.".into()),
        "tildelt" => Some("Rådgiver og team er ændret.".into()),
        "gemt" => Some("Notatet er gemt i journalen.".into()),
        "rettet" => Some("Rettelsen er gemt som et nyt notat. Det oprindelige notat er bevaret.".into()),
        _ => None,
    }
}

async fn journal_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    query: &JournalQuery,
    form: FormView,
) -> Result<JournalPage, UiError> {
    let raw = journal::FilterInput {
        kind: Some(query.kind.clone()),
        author: Some(query.author.clone()),
        from: Some(query.from.clone()),
        to: Some(query.to.clone()),
        sub_case: Some(query.sub_case.clone()),
        before: Some(query.before.clone()),
    };
    let (filter, filter_errors) = match raw.parse() {
        Ok(filter) => (filter, FieldErrors::new()),
        Err(errors) => (Default::default(), errors),
    };
    let (child, entries) =
        journal::list(&state.db, &page.actor, id, &filter, AccessKind::View).await?;
    let authors = journal::authors(&state.db, &page.actor, &child).await?;
    let older = journal::older_than(&entries).map(|cursor| {
        let params = form_urlencoded::Serializer::new(String::new())
            .append_pair("kind", &query.kind)
            .append_pair("author", &query.author)
            .append_pair("from", &query.from)
            .append_pair("to", &query.to)
            .append_pair("sub_case", &query.sub_case)
            .append_pair("before", &cursor)
            .finish();
        format!("/boern/{id}/journal?{params}#journal")
    });
    let child = ChildView::new(&child);
    Ok(JournalPage {
        layout: page.layout(format!("Journal – {}", child.name)),
        notice: notice(&query.besked),
        tab: "journal",
        form,
        filtered: [
            &query.kind,
            &query.author,
            &query.from,
            &query.to,
            &query.sub_case,
        ]
        .iter()
        .any(|v| !v.is_empty()),
        filter: FormView::new(
            [
                ("kind", query.kind.clone()),
                ("author", query.author.clone()),
                ("from", query.from.clone()),
                ("to", query.to.clone()),
                ("sub_case", query.sub_case.clone()),
            ],
            filter_errors,
        ),
        kinds: [EntryKind::Manual, EntryKind::Automatic]
            .into_iter()
            .map(|k| Choice::new(k.code(), k.plural_label()))
            .collect(),
        authors: authors
            .into_iter()
            .map(|(id, name)| Choice::new(id, name))
            .collect(),
        entries: entries.iter().map(EntryView::new).collect(),
        older,
        child,
    })
}

fn today_form() -> FormView {
    FormView::new(
        [("event_date", format_date(vaern_app::today()))],
        FieldErrors::new(),
    )
}

async fn show_journal(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(query): Query<JournalQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    Ok(render(
        &journal_page(&state, &page, id, &query, today_form()).await?,
    ))
}

fn kept(input: NewNoteInput, errors: FieldErrors) -> FormView {
    FormView::new(
        [
            ("title", input.title),
            ("text", input.text),
            ("event_date", input.event_date.unwrap_or_default()),
        ],
        errors,
    )
}

async fn write_note(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(input): UiForm<NewNoteInput>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    match journal::write(&state.db, &page.actor, id, &input, None, None).await {
        Ok(entry) => Ok(Redirect::to(&format!(
            "/boern/{id}/journal?besked=gemt#notat-{}",
            entry.id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = journal_page(
                &state,
                &page,
                id,
                &JournalQuery::default(),
                kept(input, errors),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "journal_correct.html")]
struct CorrectionPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    original: EntryView,
    form: FormView,
}

async fn correction_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    entry: JournalEntryId,
    form: Option<FormView>,
) -> Result<CorrectionPage, UiError> {
    let child = vaern_app::children::read(
        &state.db,
        &page.actor,
        id,
        AccessKind::View,
        "Ret journalnotat",
    )
    .await?;
    let original = journal::entry(&state.db, &page.actor, id, entry).await?;
    if original.kind != "manual" {
        return Err(UiError(AppError::NotFound));
    }
    let form = form.unwrap_or_else(|| {
        FormView::new(
            [
                ("title", format!("Rettelse: {}", original.title)),
                ("text", original.body.clone()),
                ("event_date", format_date(original.event_date)),
            ],
            FieldErrors::new(),
        )
    });
    let child = ChildView::new(&child);
    Ok(CorrectionPage {
        layout: page.layout(format!("Ret notat – {}", child.name)),
        child,
        notice: None,
        tab: "journal",
        original: EntryView::new(&original),
        form,
    })
}

async fn edit_correction(
    State(state): State<AppState>,
    page: Page,
    Path((id, entry)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let (id, entry) = (parse_id(&id)?, parse_id(&entry)?);
    Ok(render(
        &correction_page(&state, &page, id, entry, None).await?,
    ))
}

async fn write_correction(
    State(state): State<AppState>,
    page: Page,
    Path((id, entry)): Path<(String, String)>,
    UiForm(input): UiForm<NewNoteInput>,
) -> Result<Response, UiError> {
    let (id, entry): (ChildId, JournalEntryId) = (parse_id(&id)?, parse_id(&entry)?);
    match journal::write(&state.db, &page.actor, id, &input, Some(entry), None).await {
        Ok(created) => Ok(Redirect::to(&format!(
            "/boern/{id}/journal?besked=rettet#notat-{}",
            created.id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = correction_page(&state, &page, id, entry, Some(kept(input, errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
