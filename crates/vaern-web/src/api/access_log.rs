//! `/api/v1/access-log`: administrators and auditors read and export the access log.

use crate::routes::Declared;
use axum::{Json, Router, extract::State, response::Response, routing::get};
use vaern_app::access_log::{self, FilterInput};

use super::{
    ApiActor,
    dto::{AccessLogPage, AccessLogRowDto, Problem, instant},
};
use crate::{AppState, errors::ApiError, forms::ApiQuery, ui::csv_response};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/access-log", get(list_access_log))
        .declared("/api/v1/access-log/export", get(export_access_log))
}

/// The access log, newest first, 100 per page. A child's `id` works as `person_id`.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "access-log",
    params(
        ("person_id" = Option<uuid::Uuid>, Query, description = "Only uses of this person's data"),
        ("user_id" = Option<uuid::Uuid>, Query, description = "Only this employee's uses"),
        ("kind" = Option<String>, Query, description = "view, api_read, search or export"),
        ("from" = Option<String>, Query, description = "From date (inclusive, Danish time)"),
        ("to" = Option<String>, Query, description = "To date (inclusive)"),
        ("before" = Option<String>, Query, description = "Cursor from the previous page's `next`"),
    ),
    responses((status = 200, body = AccessLogPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_access_log(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(input): ApiQuery<FilterInput>,
) -> Result<Json<AccessLogPage>, ApiError> {
    let filter = input.parse().map_err(vaern_app::AppError::Invalid)?;
    let (rows, more) = access_log::list(&state.db, &actor, &filter).await?;
    let next = if more {
        rows.last().map(access_log::cursor)
    } else {
        None
    };
    Ok(Json(AccessLogPage {
        items: rows
            .into_iter()
            .map(|r| AccessLogRowDto {
                id: r.id.0,
                at: instant(r.at),
                user_id: r.user_id.map(|u| u.0),
                user_name: r.user_name,
                person_id: r.person_id.map(|p| p.0),
                person_name: r.person_name,
                kind: r.kind,
                detail: r.detail,
            })
            .collect(),
        next,
    }))
}

/// The filtered access log as CSV (semicolon-separated, UTF-8). The export is itself logged.
#[utoipa::path(get, path = "/api/v1/access-log/export", tag = "access-log",
    params(
        ("person_id" = Option<uuid::Uuid>, Query), ("user_id" = Option<uuid::Uuid>, Query),
        ("kind" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
    ),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
pub async fn export_access_log(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(input): ApiQuery<FilterInput>,
) -> Result<Response, ApiError> {
    let filter = input.parse().map_err(vaern_app::AppError::Invalid)?;
    Ok(csv_response(
        access_log::export_csv(&state.db, &actor, &filter).await?,
    ))
}
