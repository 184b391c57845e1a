//! `/api/v1/users`: administration of the caller's municipality's users.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
};
use vaern_app::users::{self, UpdateUserInput};
use vaern_domain::user::NewUserInput;
use vaern_store::UserId;

use super::{
    ApiActor,
    dto::{
        NewUserBody, Problem, UpdateUserBody, UserChangeDto, UserChangeList, UserDto, UserList,
        instant,
    },
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/users", get(list_users).post(create_user))
        .declared("/api/v1/users/{id}", put(update_user))
        .declared("/api/v1/users/{id}/approve", post(approve_user))
        .declared("/api/v1/users/{id}/reject", post(reject_user))
        .declared("/api/v1/user-changes", get(list_user_changes))
}

/// The municipality's users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<UserList>, ApiError> {
    let (all, _) = users::list(&state.db, &actor).await?;
    Ok(Json(UserList {
        items: all.iter().map(UserDto::new).collect(),
    }))
}

/// Create a user in the caller's municipality. A case-reading role (caseworker, team lead,
/// auditor) is created inactive, waiting for a second administrator (`pending`).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = UserDto), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let input = NewUserInput {
        username: body.username,
        name: body.name,
        role: body.role,
        password: body.password,
        team_id: body.team_id.map(|t| t.to_string()),
    };
    let user = users::create(&state.db, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(UserDto::new(&user))))
}

/// Set a user's role, team and active flag (deactivation ends their sessions and tokens). A
/// change that gives case access the account lacked is not made but asked for (`pending`).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", params(("id" = uuid::Uuid, Path)),
    request_body = UpdateUserBody,
    responses((status = 200, body = UserDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUserBody>,
) -> Result<Json<UserDto>, ApiError> {
    let id: UserId = api_id(&id)?;
    let input = UpdateUserInput {
        role: body.role,
        team_id: body.team_id.map(|t| t.to_string()),
        active: Some(body.active.to_string()),
    };
    Ok(Json(UserDto::new(
        &users::update(&state.db, &actor, id, &input).await?,
    )))
}

/// Approve the case access another administrator asked for (four eyes).
#[utoipa::path(post, path = "/api/v1/users/{id}/approve", tag = "users",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    let id: UserId = api_id(&id)?;
    Ok(Json(UserDto::new(
        &users::approve(&state.db, &actor, id).await?,
    )))
}

/// Refuse (or withdraw one's own) request for case access; the account keeps what it had.
#[utoipa::path(post, path = "/api/v1/users/{id}/reject", tag = "users",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    let id: UserId = api_id(&id)?;
    Ok(Json(UserDto::new(
        &users::reject(&state.db, &actor, id).await?,
    )))
}

/// The latest 100 changes to users and teams: who changed whose rights, what and when.
#[utoipa::path(get, path = "/api/v1/user-changes", tag = "users",
    responses((status = 200, body = UserChangeList), (status = 403, body = Problem)))]
pub async fn list_user_changes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<UserChangeList>, ApiError> {
    let events = users::changes(&state.db, &actor).await?;
    Ok(Json(UserChangeList {
        items: events
            .into_iter()
            .map(|e| UserChangeDto {
                at: instant(e.at),
                actor_id: e.actor_id.map(|a| a.0),
                actor_name: e.actor_name,
                subject_user_id: e.subject_user_id.map(|s| s.0),
                subject_name: e.subject_name,
                action: e.action,
                detail: e.detail,
            })
            .collect(),
    }))
}
