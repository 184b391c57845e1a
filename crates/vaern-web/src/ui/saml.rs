//! Login over SAML ([`crate::saml`]): the button on the login page sends a signed AuthnRequest
//! to the municipality's identity provider, which posts its answer back to the assertion
//! consumer service; the provider reads Værn's metadata from here, and sends its logout
//! messages to the logout endpoint.

use crate::routes::Declared;
use axum::{
    Form, Router,
    extract::{Path, Query, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use vaern_app::{AppError, auth};
use vaern_domain::FieldErrors;

use super::{
    login::{NextQuery, safe_next},
    sso::{SSO_COOKIE, refused, sso_error, sso_login},
};
use crate::{
    AppState,
    client_addr::Tls,
    errors::UiError,
    policy::{SESSION_COOKIE, cookie, set_cookie},
    saml::{LogoutMessage, SamlSubject},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/login/saml/{municipality}", get(start))
        .declared("/login/saml/{municipality}/acs", post(acs))
        .declared("/login/saml/{municipality}/metadata", get(metadata))
        .declared("/login/saml/{municipality}/slo", get(logout_message))
}

/// A SAML session as the `vaern_sso` cookie remembers it: `saml.` and base64url JSON of
/// [`SamlSession`], so logout can end the provider's session too.
#[derive(Serialize, Deserialize)]
pub(super) struct SamlSession {
    pub municipality: String,
    pub subject: SamlSubject,
}

const COOKIE_PREFIX: &str = "saml.";

impl SamlSession {
    fn cookie(&self) -> String {
        let json = serde_json::to_vec(self).expect("a SAML session serialises");
        format!("{COOKIE_PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// The session a `vaern_sso` cookie holds, if it is a SAML one.
    pub(super) fn from_cookie(value: &str) -> Option<SamlSession> {
        let encoded = value.strip_prefix(COOKIE_PREFIX)?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()
    }
}

/// The provider's logout endpoint: its answer to Værn's LogoutRequest (the user is logged out),
/// or its request to end the session here because the user logged out elsewhere (this
/// browser's session ends if it is that user's, and the provider gets Værn's answer).
async fn logout_message(
    State(state): State<AppState>,
    Tls(tls): Tls,
    Path(municipality): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let message = match state
        .saml
        .logout_message(&municipality, query.as_deref().unwrap_or_default())
    {
        None => return UiError(AppError::NotFound).into_response(),
        Some(Err(refusal)) => {
            tracing::warn!(municipality, detail = %refusal.detail, "SAML logout message refused");
            return UiError(AppError::Invalid(FieldErrors::single(
                "sso",
                "Logud-beskeden fra kommunens login kunne ikke godkendes.",
            )))
            .into_response();
        }
        Some(Ok(message)) => message,
    };
    let LogoutMessage::Asked { name_id, reply } = message else {
        return Redirect::to("/login").into_response();
    };
    let ours = cookie(&headers, SSO_COOKIE)
        .and_then(SamlSession::from_cookie)
        .is_some_and(|s| s.municipality == municipality && s.subject.name_id == name_id);
    let mut response = Redirect::to(&reply).into_response();
    if ours {
        if let Some(id) = cookie(&headers, SESSION_COOKIE)
            && let Err(error) = auth::logout(&state.db, id).await
        {
            return UiError(error).into_response();
        }
        for name in [SESSION_COOKIE, SSO_COOKIE] {
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(name, "", tls, Some(0)));
        }
        tracing::info!(municipality, "SAML session ended by the provider");
    }
    response
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
    let session = SamlSession {
        municipality: municipality.clone(),
        subject: verified.subject,
    };
    sso_login(
        &state,
        &tls,
        &municipality,
        &verified.identity,
        &next,
        Some(&session.cookie()),
    )
    .await
}
