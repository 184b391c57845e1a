//! `/api/v1/children/{id}/network`: the people around the child and adding one.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::get,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::network;
use vaern_domain::network::NewRelationInput;
use vaern_store::{access_log::AccessKind, network::Member};

use super::{
    ApiActor,
    dto::{Problem, instant},
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/children/{id}/network",
        get(list_network).post(add_to_network),
    )
}

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub person_id: Uuid,
    pub relation_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    /// Ten digits, when known.
    pub cpr: Option<String>,
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    /// `mother`, `father`, `sibling`, `half_sibling`, `household`, `family`, `network` or
    /// `foster_family`.
    pub kind: String,
    pub custody: bool,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl MemberDto {
    fn new(m: &Member) -> Self {
        MemberDto {
            person_id: m.person_id.0,
            relation_id: m.relation_id.0,
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            cpr: m.cpr.clone(),
            birth_date: m.birth_date.map(|d| d.to_string()),
            kind: m.kind.clone(),
            custody: m.custody,
            address: m.address_lines(),
            phone: m.phone.clone(),
            email: m.email.clone(),
            created_at: instant(m.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NetworkList {
    pub items: Vec<MemberDto>,
}

/// The child's network, custody holders first.
#[utoipa::path(get, path = "/api/v1/children/{id}/network", tag = "network",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = NetworkList), (status = 404, body = Problem)))]
pub async fn list_network(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<NetworkList>, ApiError> {
    let (_, members) = network::list(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(NetworkList {
        items: members.iter().map(MemberDto::new).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PersonBody {
    pub first_name: String,
    pub last_name: String,
    pub cpr: Option<String>,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`; taken from the CPR number when there is one.
    pub birth_date: String,
    pub kind: String,
    pub custody: bool,
    pub address: Vec<String>,
    pub phone: String,
    pub email: String,
    /// A person without CPR whose name sounds like someone born the same day is refused (422 at
    /// `confirm_new`) until this is `true`.
    pub confirm_new: bool,
}

/// Add a person to the child's network (journalled on the case).
#[utoipa::path(post, path = "/api/v1/children/{id}/network", tag = "network",
    params(("id" = Uuid, Path)), request_body = PersonBody,
    responses((status = 201, body = MemberDto), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_to_network(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<(StatusCode, Json<MemberDto>), ApiError> {
    let input = NewRelationInput {
        first_name: body.first_name,
        last_name: body.last_name,
        cpr: body.cpr,
        birth_date: body.birth_date,
        kind: body.kind,
        custody: body.custody,
        address: body.address.join("\n"),
        phone: body.phone,
        email: body.email,
    };
    let member = network::add(&state.db, &actor, api_id(&id)?, &input, body.confirm_new).await?;
    Ok((StatusCode::CREATED, Json(MemberDto::new(&member))))
}
