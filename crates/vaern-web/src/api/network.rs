//! `/api/v1/children/{id}/network`: the people around the child and adding one.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::{
    cpr,
    network::{self, Confirmed, Copied},
};
use vaern_domain::network::NewRelationInput;
use vaern_store::{access_log::AccessKind, network::Member};

use super::{
    ApiActor,
    address_book::ProfessionalDto,
    dto::{Problem, instant},
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/api/v1/children/{id}/network",
            get(list_network).post(add_to_network),
        )
        .declared("/api/v1/children/{id}/network/cpr-lookup", post(cpr_lookup))
        .declared(
            "/api/v1/children/{id}/network/copy-from-sibling",
            post(copy_from_sibling),
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
    /// The professionals around the child, from the municipality's address book.
    pub professionals: Vec<ProfessionalDto>,
}

/// The child's network, custody holders first, and the professionals around the child.
#[utoipa::path(get, path = "/api/v1/children/{id}/network", tag = "network",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = NetworkList), (status = 404, body = Problem)))]
pub async fn list_network(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<NetworkList>, ApiError> {
    let network = network::list(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(NetworkList {
        items: network.members.iter().map(MemberDto::new).collect(),
        professionals: network
            .professionals
            .iter()
            .map(ProfessionalDto::new)
            .collect(),
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
    /// A mother or father where CPR or the network names another is refused (422 at
    /// `confirm_register`) until this is `true`.
    pub confirm_register: bool,
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
    let confirmed = Confirmed {
        new_person: body.confirm_new,
        against_register: body.confirm_register,
    };
    let member = network::add(
        &state.db,
        state.register.as_ref(),
        &actor,
        api_id(&id)?,
        &input,
        confirmed,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(MemberDto::new(&member))))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct LookupBody {
    /// With or without dash.
    pub cpr: String,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterPersonDto {
    /// Ten digits.
    pub cpr: String,
    pub first_name: String,
    pub last_name: String,
    /// `active`, `dead` or `emigrated`.
    pub status: &'static str,
    #[schema(format = Date)]
    pub status_date: Option<String>,
    /// Four digits, when the register has an address.
    pub municipality_code: Option<String>,
    pub address: Vec<String>,
    pub mother: Option<String>,
    pub father: Option<String>,
    pub custody: Vec<String>,
    /// `mother` or `father` when the child's own record names the person so.
    pub kind: Option<&'static str>,
    /// Whether the child's record names the person as a custody holder.
    pub holds_custody_of_child: bool,
}

/// Look a person up in CPR for the child's network (access-logged on the child). Unknown numbers
/// answer 422 at `cpr`.
#[utoipa::path(post, path = "/api/v1/children/{id}/network/cpr-lookup", tag = "network",
    params(("id" = Uuid, Path)), request_body = LookupBody,
    responses((status = 200, body = RegisterPersonDto), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn cpr_lookup(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LookupBody>,
) -> Result<Json<RegisterPersonDto>, ApiError> {
    let (_, found) = cpr::lookup_for_child(
        &state.db,
        state.register.as_ref(),
        &actor,
        api_id(&id)?,
        &body.cpr,
        AccessKind::ApiRead,
    )
    .await?;
    let p = found.person;
    let digits = |c: &vaern_domain::Cpr| c.digits().to_owned();
    Ok(Json(RegisterPersonDto {
        cpr: digits(&p.cpr),
        status: p.status.code(),
        status_date: p.status.date().map(|d| d.to_string()),
        municipality_code: p.address.as_ref().map(|a| a.municipality_code.clone()),
        address: p.address.map(|a| a.lines).unwrap_or_default(),
        mother: p.mother.as_ref().map(digits),
        father: p.father.as_ref().map(digits),
        custody: p.custody.iter().map(digits).collect(),
        first_name: p.first_name,
        last_name: p.last_name,
        kind: found.kind.map(|k| k.code()),
        holds_custody_of_child: found.custody,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CopyBody {
    /// The sibling child's id.
    pub from: String,
}

#[derive(Serialize, ToSchema)]
pub struct CopiedDto {
    pub persons: usize,
    pub professionals: usize,
    pub documents: usize,
}

/// Copy the shared data of a sibling's case — network persons, professionals and documents
/// marked shareable — into this child's case (journalled on both). Copying again adds only what
/// is new.
#[utoipa::path(post, path = "/api/v1/children/{id}/network/copy-from-sibling", tag = "network",
    params(("id" = Uuid, Path)), request_body = CopyBody,
    responses((status = 200, body = CopiedDto), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn copy_from_sibling(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CopyBody>,
) -> Result<Json<CopiedDto>, ApiError> {
    let Copied {
        persons,
        professionals,
        documents,
    } = network::copy_from_sibling(
        &state.db,
        &actor,
        api_id(&id)?,
        &body.from,
        AccessKind::ApiRead,
    )
    .await?;
    Ok(Json(CopiedDto {
        persons,
        professionals,
        documents,
    }))
}
