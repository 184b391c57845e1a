//! `/api/v1/team`: a team lead's cases and escalations, and masseskift.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::team;
use vaern_store::access_log::AccessKind;
use vaern_store::{ChildId, UserId};

use super::{
    ApiActor,
    case_process::DeadlineDto,
    dto::{ChildDto, Problem},
};
use crate::{AppState, errors::ApiError, forms::ApiJson};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/team", get(get_team))
        .declared("/api/v1/team/reassign", post(reassign_cases))
}

#[derive(Serialize, ToSchema)]
pub struct TeamDto {
    /// Null when the lead has no team.
    pub team_name: Option<String>,
    pub cases: Vec<ChildDto>,
    /// Open deadlines on the team's cases that are overdue.
    pub escalations: Vec<DeadlineDto>,
}

/// The lead's team: open cases and overdue deadlines.
#[utoipa::path(get, path = "/api/v1/team", tag = "team",
    responses((status = 200, body = TeamDto), (status = 403, body = Problem)))]
pub async fn get_team(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TeamDto>, ApiError> {
    let overview = team::overview(&state.db, &actor, AccessKind::ApiRead).await?;
    Ok(Json(TeamDto {
        team_name: overview.team_name,
        cases: overview
            .cases
            .iter()
            .map(|c| ChildDto::new(c, false))
            .collect(),
        escalations: overview.escalations.iter().map(DeadlineDto::new).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReassignBody {
    /// The children whose cases move.
    pub child_ids: Vec<Uuid>,
    /// The caseworker who takes them over.
    pub caseworker_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct ReassignedDto {
    pub moved: usize,
}

/// Masseskift: move the cases to another caseworker in one transaction (journalled per case).
#[utoipa::path(post, path = "/api/v1/team/reassign", tag = "team", request_body = ReassignBody,
    responses((status = 200, body = ReassignedDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reassign_cases(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ReassignBody>,
) -> Result<Json<ReassignedDto>, ApiError> {
    let ids: Vec<ChildId> = body.child_ids.into_iter().map(ChildId).collect();
    let moved = team::reassign(&state.db, &actor, &ids, body.caseworker_id.map(UserId)).await?;
    Ok(Json(ReassignedDto { moved }))
}
