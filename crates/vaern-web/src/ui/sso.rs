//! Login through the municipality's own OpenID provider ([`crate::oidc`]): the button on the
//! login page starts it here, and the provider sends the browser back to the callback.

use crate::routes::Declared;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use vaern_app::{AppError, auth};
use vaern_domain::FieldErrors;

use super::login::{NextQuery, logged_in, login_page, safe_next};
use crate::{
    AppState,
    client_addr::Tls,
    errors::UiError,
    forms::FormView,
    oidc::{Pending, Refusal},
    policy::{cookie, set_cookie},
};

/// The login under way: [`Pending`] as base64url JSON, for ten minutes.
const FLOW_COOKIE: &str = "vaern_sso_flow";
const FLOW_MINUTES: i64 = 10;
/// Which provider the session came from, so logout ends its session too: an OpenID
/// municipality's code, or a SAML session ([`super::saml::SamlSession`]).
pub const SSO_COOKIE: &str = "vaern_sso";

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/login/sso/{municipality}", get(start))
        .declared("/login/sso/{municipality}/callback", get(callback))
}

pub(super) fn sso_error(
    state: &AppState,
    tls: &Tls,
    message: &str,
    status: StatusCode,
) -> Response {
    let form = FormView::new(
        [("next", String::new())],
        FieldErrors::single("sso", message),
    );
    login_page(state, tls, form, status)
}

pub(super) fn refused(
    state: &AppState,
    tls: &Tls,
    municipality: &str,
    refusal: &Refusal,
) -> Response {
    tracing::warn!(municipality, detail = %refusal.detail, "single sign-on refused");
    let status = if refusal.unreachable {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::UNAUTHORIZED
    };
    sso_error(state, tls, refusal.message, status)
}

async fn start(
    State(state): State<AppState>,
    tls: Tls,
    Path(municipality): Path<String>,
    Query(query): Query<NextQuery>,
) -> Response {
    let started = match state
        .oidc
        .start(&municipality, safe_next(&query.next))
        .await
    {
        None => return UiError(AppError::NotFound).into_response(),
        Some(Err(refusal)) => return refused(&state, &tls, &municipality, &refusal),
        Some(Ok(started)) => started,
    };
    let flow = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&started.pending).expect("a pending login serialises"));
    let mut response = Redirect::to(&started.authorize_url).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLOW_COOKIE, &flow, tls.0, Some(FLOW_MINUTES * 60)),
    );
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CallbackQuery {
    code: String,
    state: String,
    error: String,
}

fn pending_login(headers: &axum::http::HeaderMap) -> Option<Pending> {
    let bytes = URL_SAFE_NO_PAD.decode(cookie(headers, FLOW_COOKIE)?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

const FLOW_LOST: &str =
    "Login-forløbet er udløbet eller blev startet i en anden browser. Prøv igen.";
const CANCELLED: &str = "Login hos kommunen blev afbrudt. Prøv igen.";

async fn callback(
    State(state): State<AppState>,
    tls: Tls,
    Path(municipality): Path<String>,
    headers: axum::http::HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let mut response = callback_answer(&state, &tls, &municipality, &headers, &query).await;
    // The flow is used up whatever its outcome: a second use of the same answer is refused.
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLOW_COOKIE, "", tls.0, Some(0)),
    );
    response
}

async fn callback_answer(
    state: &AppState,
    tls: &Tls,
    municipality: &str,
    headers: &axum::http::HeaderMap,
    query: &CallbackQuery,
) -> Response {
    if !state.oidc.has(municipality) {
        return UiError(AppError::NotFound).into_response();
    }
    let Some(pending) = pending_login(headers).filter(|p| {
        p.municipality == municipality && !p.state.is_empty() && p.state == query.state
    }) else {
        return sso_error(state, tls, FLOW_LOST, StatusCode::BAD_REQUEST);
    };
    if !query.error.is_empty() || query.code.is_empty() {
        tracing::info!(municipality, error = %query.error, "single sign-on cancelled");
        return sso_error(state, tls, CANCELLED, StatusCode::UNAUTHORIZED);
    }
    let identity = match state.oidc.finish(&pending, &query.code).await {
        Ok(identity) => identity,
        Err(refusal) => return refused(state, tls, municipality, &refusal),
    };
    sso_login(
        state,
        tls,
        municipality,
        &identity,
        &pending.next,
        Some(municipality),
    )
    .await
}

/// Logs in the user the provider vouched for, on to `next`; `provider`: what the SSO cookie
/// keeps for logout to end the provider's session too.
pub(super) async fn sso_login(
    state: &AppState,
    tls: &Tls,
    municipality: &str,
    identity: &auth::sso::SsoIdentity,
    next: &str,
    provider: Option<&str>,
) -> Response {
    match auth::sso::login(&state.db, municipality, identity).await {
        Ok(session) => {
            tracing::info!(user = %session.actor.username, municipality, "single sign-on login");
            logged_in(&session, next, provider, tls)
        }
        Err(AppError::Invalid(errors)) => {
            tracing::warn!(username = %identity.username, municipality, "single sign-on account refused");
            let form = FormView::new([("next", String::new())], errors);
            login_page(state, tls, form, StatusCode::FORBIDDEN)
        }
        Err(other) => UiError(other).into_response(),
    }
}
