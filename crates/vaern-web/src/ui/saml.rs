//! Login over SAML ([`crate::saml`]): the button on the login page sends a signed AuthnRequest
//! to the municipality's identity provider, which posts its answer back to the assertion
//! consumer service; the provider reads Værn's metadata from here.

use crate::routes::Declared;
use axum::{
    Form, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{AppError, auth};

use super::{
    login::{NextQuery, safe_next},
    sso::{refused, sso_error, sso_login},
};
use crate::{AppState, client_addr::Tls, errors::UiError};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/login/saml/{municipality}", get(start))
        .declared("/login/saml/{municipality}/acs", post(acs))
        .declared("/login/saml/{municipality}/metadata", get(metadata))
}

async fn metadata(State(state): State<AppState>, Path(municipality): Path<String>) -> Response {
    match state.saml.metadata(&municipality) {
        None => UiError(AppError::NotFound).into_response(),
        Some(Err(refusal)) => {
            tracing::error!(municipality, detail = %refusal.detail, "SAML metadata");
            UiError(AppError::Internal(refusal.detail)).into_response()
        }
        Some(Ok(xml)) => (
            [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
            xml,
        )
            .into_response(),
    }
}

async fn start(
    State(state): State<AppState>,
    tls: Tls,
    Path(municipality): Path<String>,
    Query(query): Query<NextQuery>,
) -> Response {
    let (request_id, url) = match state.saml.start(&municipality) {
        None => return UiError(AppError::NotFound).into_response(),
        Some(Err(refusal)) => return refused(&state, &tls, &municipality, &refusal),
        Some(Ok(started)) => started,
    };
    let next = safe_next(&query.next);
    match auth::sso::saml_request_sent(&state.db, &request_id, &municipality, next).await {
        Ok(()) => Redirect::to(&url).into_response(),
        Err(error) => UiError(error).into_response(),
    }
}

/// The HTTP-POST binding's form. `RelayState` is not used: the request's ID says it all.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Answer {
    #[serde(rename = "SAMLResponse")]
    response: String,
}

const USED: &str = "Svaret fra kommunens login er allerede brugt, er udløbet eller hører til et andet login. Prøv at logge ind igen.";

async fn acs(
    State(state): State<AppState>,
    tls: Tls,
    Path(municipality): Path<String>,
    Form(answer): Form<Answer>,
) -> Response {
    let verified = match state.saml.finish(&municipality, &answer.response) {
        None => return UiError(AppError::NotFound).into_response(),
        Some(Err(refusal)) => return refused(&state, &tls, &municipality, &refusal),
        Some(Ok(verified)) => verified,
    };
    let next = match auth::sso::saml_answer_arrived(
        &state.db,
        &verified.request_id,
        &municipality,
        &verified.assertion_id,
        verified.lifetime,
    )
    .await
    {
        Ok(Some(next)) => next,
        Ok(None) => {
            tracing::warn!(municipality, request = %verified.request_id, "SAML answer replayed or late");
            return sso_error(&state, &tls, USED, StatusCode::BAD_REQUEST);
        }
        Err(error) => return UiError(error).into_response(),
    };
    sso_login(&state, &tls, &municipality, &verified.identity, &next, None).await
}
