//! The JSON API under `/api/v1`: bearer-token auth (the policy middleware), problem+json
//! errors, and the OpenAPI document built from the handlers' annotations.

mod access_log;
mod address_book;
mod case_process;
mod children;
mod deadlines;
mod documents;
pub(crate) mod dto;
mod economy;
mod ics;
mod journal;
mod letters;
mod network;
mod openapi;
mod schema;
mod team;
mod users;

use crate::routes::Declared;
use axum::{
    Json, Router, extract::FromRequestParts, http::request::Parts, response::IntoResponse,
    routing::get,
};
use openapi::ProblemResponses;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use vaern_app::{Actor, AppError};

use crate::{AppState, errors::ApiError};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/openapi.json", get(get_openapi))
        .declared("/api/v1/me", get(get_me))
        .merge(children::router())
        .merge(case_process::router())
        .merge(deadlines::router())
        .merge(journal::router())
        .merge(documents::router())
        .merge(letters::router())
        .merge(network::router())
        .merge(ics::router())
        .merge(address_book::router())
        .merge(economy::router())
        .merge(users::router())
        .merge(team::router())
        .merge(access_log::router())
}

/// The token's user, as the policy middleware authenticated them.
pub struct ApiActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(ApiActor)
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Værn API",
        version = "1",
        description = "Værn's JSON API. Authenticate with `Authorization: Bearer <token>` \
            (create one with `vaern token create --username U`). Errors are \
            application/problem+json (RFC 9457) with Danish messages and, for validation, \
            `errors: [{field, message}]`. Ids of other municipalities answer 404. Every read of a \
            person's data is written to the access log."
    ),
    paths(
        get_me,
        children::search_children, children::create_child, children::get_child,
        children::get_case, children::update_case,
        journal::list_journal, journal::create_journal_entry,
        documents::list_documents, documents::create_document, documents::get_document,
        documents::create_version, documents::get_content,
        letters::list_templates, letters::put_template, letters::create_letter,
        network::list_network, network::add_to_network, network::cpr_lookup,
        network::copy_from_sibling,
        address_book::list_organisations, address_book::create_organisation,
        address_book::list_professionals, address_book::list_child_professionals,
        address_book::add_child_professional,
        users::list_users, users::create_user, users::update_user, users::approve_user,
        users::reject_user, users::list_user_changes,
        access_log::list_access_log, access_log::export_access_log,
        deadlines::list_deadline_rules, deadlines::get_due, deadlines::set_local_rule, deadlines::delete_local_rule,
        deadlines::get_closed_days, deadlines::put_closed_days, deadlines::add_closed_day, deadlines::delete_closed_day,
        case_process::create_notification, case_process::list_sub_cases, case_process::create_sub_case,
        case_process::create_assessment, case_process::finish_step, case_process::close_sub_case,
        case_process::create_decision, case_process::get_decision, case_process::create_made_known,
        team::get_team, team::reassign_cases,
        ics::get_investigation, ics::put_dimension, ics::create_draft, ics::create_source,
        ics::create_conversation, ics::create_preliminary, ics::create_conclusion,
        ics::create_document,
        ics::get_plans, ics::get_plan_version, ics::create_plan, ics::put_goals, ics::approve_plan,
        ics::new_plan_version, ics::compare_plans, ics::create_follow_up,
        economy::list_providers, economy::create_provider, economy::create_offer,
        economy::list_offers, economy::create_price, economy::list_measures,
        economy::create_measure, economy::simulate, economy::approve_measure,
        economy::start_measure, economy::end_measure, economy::awaiting_approval,
        economy::list_price_updates, economy::preview_price_update,
        economy::create_price_update, economy::undo_price_update, economy::list_payment_runs,
        economy::create_payment_run, economy::get_payment_run, economy::export_payment_run,
        economy::get_economy, economy::put_budget, economy::put_threshold,
    ),
    components(schemas(dto::Problem, dto::FieldErrorDto)),
    modifiers(&BearerAuth, &ProblemResponses),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3.1 document of this API.
async fn get_openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// The authenticated user.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = dto::MeDto), (status = 401, body = dto::Problem)))]
async fn get_me(ApiActor(actor): ApiActor) -> Json<dto::MeDto> {
    Json(dto::MeDto {
        id: actor.user_id.0,
        username: actor.username,
        name: actor.name,
        role: actor.role.code().to_owned(),
        municipality_code: actor.municipality_code,
        municipality_name: actor.municipality_name,
    })
}
