//! `/api/v1/organisations`, `/api/v1/professionals` and `/api/v1/children/{id}/professionals`:
//! the municipality's address book and the professionals around a child.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::get,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::{
    address_book::{self, ChildProfessionalInput},
    network,
};
use vaern_domain::address_book::{NewOrganisationInput, NewProfessionalInput};
use vaern_store::{
    access_log::AccessKind,
    address_book::{Organisation, Professional},
};

use super::{
    ApiActor,
    dto::{Problem, instant},
    schema,
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/api/v1/organisations",
            get(list_organisations).post(create_organisation),
        )
        .declared("/api/v1/professionals", get(list_professionals))
        .declared(
            "/api/v1/children/{id}/professionals",
            get(list_child_professionals).post(add_child_professional),
        )
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: Uuid,
    pub name: String,
    /// `school`, `daycare`, `health`, `provider` or `other`.
    pub kind: String,
    pub cvr: Option<String>,
    pub p_number: Option<String>,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl OrganisationDto {
    fn new(o: &Organisation) -> Self {
        OrganisationDto {
            id: o.id.0,
            name: o.name.clone(),
            kind: o.kind.clone(),
            cvr: o.cvr.clone(),
            p_number: o.p_number.clone(),
            address: o.address.lines().map(str::to_owned).collect(),
            phone: o.phone.clone(),
            email: o.email.clone(),
            created_at: instant(o.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProfessionalDto {
    pub id: Uuid,
    pub name: String,
    /// `teacher`, `daycare`, `health_nurse`, `doctor`, `psychologist` or `other`.
    pub role: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ProfessionalDto {
    pub(super) fn new(p: &Professional) -> Self {
        ProfessionalDto {
            id: p.id.0,
            name: p.name.clone(),
            role: p.role.clone(),
            organisation_id: p.organisation_id.0,
            organisation_name: p.organisation_name.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub items: Vec<OrganisationDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ProfessionalList {
    pub items: Vec<ProfessionalDto>,
}

/// The municipality's organisations, by name.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "address book",
    responses((status = 200, body = OrganisationList)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<OrganisationList>, ApiError> {
    let (organisations, _) = address_book::list(&state.db, &actor).await?;
    Ok(Json(OrganisationList {
        items: organisations.iter().map(OrganisationDto::new).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OrganisationBody {
    #[schema(schema_with = schema::name, required = true)]
    pub name: String,
    /// `school`, `daycare`, `health`, `provider` or `other`.
    #[schema(schema_with = schema::organisation_kind, required = true)]
    pub kind: String,
    /// Eight digits (modulus-11 checked).
    pub cvr: String,
    /// Ten digits.
    pub p_number: String,
    pub address: Vec<String>,
    pub phone: String,
    pub email: String,
}

/// Add an organisation to the address book.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "address book",
    request_body = OrganisationBody,
    responses((status = 201, body = OrganisationDto), (status = 422, body = Problem)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<OrganisationBody>,
) -> Result<(StatusCode, Json<OrganisationDto>), ApiError> {
    let input = NewOrganisationInput {
        name: body.name,
        kind: body.kind,
        cvr: body.cvr,
        p_number: body.p_number,
        address: body.address.join("\n"),
        phone: body.phone,
        email: body.email,
    };
    let organisation = address_book::add_organisation(&state.db, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrganisationDto::new(&organisation)),
    ))
}

/// The municipality's professionals, by organisation and name.
#[utoipa::path(get, path = "/api/v1/professionals", tag = "address book",
    responses((status = 200, body = ProfessionalList)))]
pub async fn list_professionals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProfessionalList>, ApiError> {
    let (_, professionals) = address_book::list(&state.db, &actor).await?;
    Ok(Json(ProfessionalList {
        items: professionals.iter().map(ProfessionalDto::new).collect(),
    }))
}

/// The professionals around the child (access-logged).
#[utoipa::path(get, path = "/api/v1/children/{id}/professionals", tag = "address book",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ProfessionalList), (status = 404, body = Problem)))]
pub async fn list_child_professionals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProfessionalList>, ApiError> {
    let network = network::list(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(ProfessionalList {
        items: network
            .professionals
            .iter()
            .map(ProfessionalDto::new)
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ChildProfessionalBody {
    /// A professional from the address book; or leave it out and give `organisation_id`,
    /// `name` and `role` to create one.
    pub professional_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub name: String,
    /// `teacher`, `daycare`, `health_nurse`, `doctor`, `psychologist` or `other`.
    pub role: String,
    pub phone: String,
    pub email: String,
}

/// Link a professional to the child (journalled), creating them in the address book if new.
#[utoipa::path(post, path = "/api/v1/children/{id}/professionals", tag = "address book",
    params(("id" = Uuid, Path)), request_body = ChildProfessionalBody,
    responses((status = 201, body = ProfessionalDto), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_child_professional(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChildProfessionalBody>,
) -> Result<(StatusCode, Json<ProfessionalDto>), ApiError> {
    let input = ChildProfessionalInput {
        professional_id: body
            .professional_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        organisation_id: body
            .organisation_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        new: NewProfessionalInput {
            name: body.name,
            role: body.role,
            phone: body.phone,
            email: body.email,
        },
    };
    let professional = address_book::add_to_child(&state.db, &actor, api_id(&id)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProfessionalDto::new(&professional)),
    ))
}
