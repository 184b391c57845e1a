//! `/api/v1/children/{id}/journal`: read and append. There is deliberately no PUT, PATCH or
//! DELETE: entries are never changed (405); a correction is a new entry with `corrects_id`.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::get,
};
use utoipa::IntoParams;
use vaern_app::journal::{self, FilterInput};
use vaern_domain::journal::NewNoteInput;
use vaern_store::{ChildId, JournalEntryId, access_log::AccessKind};

use super::{
    ApiActor,
    dto::{JournalEntryDto, JournalList, NewJournalEntryBody, Problem},
    schema,
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, ApiQuery, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new().declared(
        "/api/v1/children/{id}/journal",
        get(list_journal).post(create_journal_entry),
    )
}

#[derive(serde::Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct JournalParams {
    /// `manual` or `automatic`.
    #[param(schema_with = schema::journal_kind)]
    kind: Option<String>,
    /// Author's user id.
    #[param(format = Uuid)]
    author: Option<String>,
    /// Event date from (inclusive), `YYYY-MM-DD`.
    #[param(format = Date)]
    from: Option<String>,
    /// Event date to (inclusive).
    #[param(format = Date)]
    to: Option<String>,
    /// Only entries about this sub-case.
    #[param(format = Uuid)]
    sub_case: Option<String>,
    /// The page after a full one: its `next_before`.
    before: Option<String>,
}

/// The child's journal across its sub-cases, newest event first, 100 per page, filtered. A full
/// page carries `next_before`: ask again with `before` set to it (and the same filters) for the
/// older entries.
#[utoipa::path(get, path = "/api/v1/children/{id}/journal", tag = "journal",
    params(("id" = uuid::Uuid, Path), JournalParams),
    responses((status = 200, body = JournalList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_journal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<JournalParams>,
) -> Result<Json<JournalList>, ApiError> {
    let id: ChildId = api_id(&id)?;
    let filter = FilterInput {
        kind: params.kind,
        author: params.author,
        from: params.from,
        to: params.to,
        sub_case: params.sub_case,
        before: params.before,
    }
    .parse()
    .map_err(vaern_app::AppError::Invalid)?;
    let (_, entries) = journal::list(&state.db, &actor, id, &filter, AccessKind::ApiRead).await?;
    Ok(Json(JournalList {
        next_before: journal::older_than(&entries),
        items: entries.iter().map(JournalEntryDto::new).collect(),
    }))
}

/// Write a manual journal note (or, with `corrects_id`, a correction of an earlier one).
#[utoipa::path(post, path = "/api/v1/children/{id}/journal", tag = "journal",
    params(("id" = uuid::Uuid, Path)), request_body = NewJournalEntryBody,
    responses((status = 201, body = JournalEntryDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_journal_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewJournalEntryBody>,
) -> Result<(StatusCode, Json<JournalEntryDto>), ApiError> {
    let id: ChildId = api_id(&id)?;
    let input = NewNoteInput {
        title: body.title,
        text: body.text,
        event_date: body.event_date,
    };
    let corrects = body.corrects_id.map(JournalEntryId);
    let entry = journal::write(
        &state.db,
        &actor,
        id,
        &input,
        corrects,
        body.sub_case_id.map(vaern_store::SubCaseId),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(JournalEntryDto::new(&entry))))
}
