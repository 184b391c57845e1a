//! `/api/v1/children`: register, search, read, and the child's case.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use utoipa::IntoParams;
use vaern_app::children::{self, AssignmentInput, Registered};
use vaern_domain::child::NewChildInput;
use vaern_store::{ChildId, access_log::AccessKind};

use super::{
    ApiActor,
    dto::{CaseAssignmentBody, CaseDto, ChildDto, ChildList, NewChildBody, Problem},
    schema,
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, ApiQuery, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/children", get(search_children).post(create_child))
        .declared("/api/v1/children/{id}", get(get_child))
        .declared("/api/v1/children/{id}/case", get(get_case).put(update_case))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Name (parts, any case), CPR (with or without dash; a prefix works) or case number.
    #[param(schema_with = schema::line::<100>, required = true)]
    q: String,
}

/// Search children of the caller's municipality. Each hit is access-logged with the criterion.
#[utoipa::path(get, path = "/api/v1/children", tag = "children", params(SearchParams),
    responses((status = 200, body = ChildList), (status = 422, body = Problem)))]
pub async fn search_children(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<ChildList>, ApiError> {
    let found = children::search(&state.db, &actor, &params.q).await?;
    Ok(Json(ChildList {
        items: found
            .children
            .iter()
            .map(|c| ChildDto::new(c, false))
            .collect(),
        truncated: found.truncated,
    }))
}

/// Register a child and open the child's case. A CPR already registered in the municipality
/// returns that child (200, `existing: true`) instead of creating a duplicate.
#[utoipa::path(post, path = "/api/v1/children", tag = "children", request_body = NewChildBody,
    responses((status = 201, body = ChildDto), (status = 200, body = ChildDto, description = "Already registered"),
        (status = 422, body = Problem)))]
pub async fn create_child(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewChildBody>,
) -> Result<Response, ApiError> {
    let input = NewChildInput {
        cpr: body.cpr,
        first_name: body.first_name,
        last_name: body.last_name,
        birth_date: body.birth_date,
        sex: body.sex,
    };
    let assignment = AssignmentInput {
        caseworker_id: body.caseworker_id.map(|u| u.to_string()),
        team_id: body.team_id.map(|t| t.to_string()),
    };
    Ok(
        match children::register(&state.db, &actor, &input, &assignment).await? {
            Registered::Created(child) => {
                (StatusCode::CREATED, Json(ChildDto::new(&child, false))).into_response()
            }
            Registered::Existing(child) => {
                (StatusCode::OK, Json(ChildDto::new(&child, true))).into_response()
            }
        },
    )
}

/// A child of the caller's municipality (another municipality's id is 404).
#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "children", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ChildDto), (status = 404, body = Problem)))]
pub async fn get_child(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ChildDto>, ApiError> {
    let id: ChildId = api_id(&id)?;
    let child = children::read(&state.db, &actor, id, AccessKind::ApiRead, "API: barn").await?;
    Ok(Json(ChildDto::new(&child, false)))
}

/// The child's case: number, status, caseworker and team.
#[utoipa::path(get, path = "/api/v1/children/{id}/case", tag = "children", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = CaseDto), (status = 404, body = Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<CaseDto>, ApiError> {
    let id: ChildId = api_id(&id)?;
    let child = children::read(
        &state.db,
        &actor,
        id,
        AccessKind::ApiRead,
        "API: barnets sag",
    )
    .await?;
    CaseDto::new(&child)
        .map(Json)
        .ok_or(ApiError(vaern_app::AppError::NotFound))
}

/// Assign the child's case to a caseworker and team (journalled).
#[utoipa::path(put, path = "/api/v1/children/{id}/case", tag = "children", params(("id" = uuid::Uuid, Path)),
    request_body = CaseAssignmentBody,
    responses((status = 200, body = CaseDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseAssignmentBody>,
) -> Result<Json<CaseDto>, ApiError> {
    let id: ChildId = api_id(&id)?;
    let assignment = AssignmentInput {
        caseworker_id: body.caseworker_id.map(|u| u.to_string()),
        team_id: body.team_id.map(|t| t.to_string()),
    };
    let child = children::assign(&state.db, &actor, id, &assignment).await?;
    CaseDto::new(&child)
        .map(Json)
        .ok_or(ApiError(vaern_app::AppError::NotFound))
}
