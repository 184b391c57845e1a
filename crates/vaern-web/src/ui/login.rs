//! Log in and out. The login form is protected against login CSRF by a double-submit cookie
//! (there is no session yet to hold a token).

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use serde::Deserialize;
use vaern_app::{AppError, auth};
use vaern_domain::FieldErrors;

use super::{saml::SamlSession, sso::SSO_COOKIE};
use crate::{
    AppState,
    client_addr::{ClientAddr, Tls},
    errors::render,
    forms::{FormView, UiForm},
    policy::{SESSION_COOKIE, cookie, set_cookie},
};

const LOGIN_CSRF_COOKIE: &str = "vaern_login_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/login", get(show_login).post(submit_login))
        .declared("/logout", post(submit_logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    form: FormView,
    csrf: String,
    /// An administrator's authenticator to add, after a right password.
    enrolment: Option<auth::Enrolment>,
    /// The municipalities' own logins: button text and where it starts.
    sso: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NextQuery {
    pub next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    /// The one-time code of an administrator's authenticator.
    code: String,
    /// The secret being enrolled (shown by the form after a right password).
    enrolling: String,
    csrf: String,
    next: String,
}

/// Only local paths are followed after login (no open redirect).
pub(super) fn safe_next(next: &str) -> &str {
    // A browser drops tabs and line breaks from a URL, so `/\t/host` would become `//host`:
    // control characters make the target unsafe as well as a backslash does.
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next
    } else {
        "/"
    }
}

pub(super) fn login_page(
    state: &AppState,
    tls: &Tls,
    form: FormView,
    status: axum::http::StatusCode,
) -> Response {
    enrolment_page(state, tls, form, None, status)
}

fn enrolment_page(
    state: &AppState,
    Tls(tls): &Tls,
    form: FormView,
    enrolment: Option<auth::Enrolment>,
    status: axum::http::StatusCode,
) -> Response {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let csrf = URL_SAFE_NO_PAD.encode(bytes);
    let next: String = form_urlencoded::byte_serialize(form.value("next").as_bytes()).collect();
    let oidc = state
        .oidc
        .buttons()
        .into_iter()
        .map(|(municipality, label)| (label, format!("/login/sso/{municipality}?next={next}")));
    let saml = state
        .saml
        .buttons()
        .into_iter()
        .map(|(municipality, label)| (label, format!("/login/saml/{municipality}?next={next}")));
    let sso = oidc.chain(saml).collect();
    let mut response = (
        status,
        render(&LoginPage {
            form,
            csrf: csrf.clone(),
            enrolment,
            sso,
        }),
    )
        .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, *tls, None),
    );
    response
}

/// The answer to a login: on to `next` (a local path) with the session's cookie, the login form's
/// CSRF cookie gone, and the provider that vouched for the user remembered for logout (the SSO
/// cookie's value; `None`, a password: no provider's, so a stale one is forgotten).
pub(super) fn logged_in(
    session: &auth::NewSession,
    next: &str,
    provider: Option<&str>,
    Tls(secure): &Tls,
) -> Response {
    let mut response = Redirect::to(safe_next(next)).into_response();
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session.session_id, *secure, None),
    );
    let sso = match provider {
        Some(municipality) => set_cookie(SSO_COOKIE, municipality, *secure, None),
        None => set_cookie(SSO_COOKIE, "", *secure, Some(0)),
    };
    cookies.append(header::SET_COOKIE, sso);
    cookies.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", *secure, Some(0)),
    );
    response
}

async fn show_login(
    State(state): State<AppState>,
    tls: Tls,
    Query(query): Query<NextQuery>,
) -> Response {
    let form = FormView::new([("next", query.next)], FieldErrors::new());
    login_page(&state, &tls, form, axum::http::StatusCode::OK)
}

async fn submit_login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    tls: Tls,
    headers: HeaderMap,
    UiForm(input): UiForm<LoginForm>,
) -> Response {
    let keep = |errors| {
        FormView::new(
            [
                ("username", input.username.clone()),
                ("next", input.next.clone()),
            ],
            errors,
        )
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != input.csrf {
        let errors = FieldErrors::single("username", "Login-formularen er udløbet. Prøv igen.");
        return login_page(
            &state,
            &tls,
            keep(errors),
            axum::http::StatusCode::BAD_REQUEST,
        );
    }
    let code = auth::OneTimeCode {
        code: &input.code,
        enrolling: &input.enrolling,
    };
    match auth::login(&state.db, &input.username, &input.password, &code, address).await {
        Ok(session) => {
            tracing::info!(user = %session.actor.username, "login");
            logged_in(&session, &input.next, None, &tls)
        }
        Err(AppError::Invalid(errors)) => login_page(
            &state,
            &tls,
            keep(errors),
            axum::http::StatusCode::UNAUTHORIZED,
        ),
        Err(AppError::Enrol(enrolment)) => {
            let errors = match enrolment.problem {
                Some(problem) => FieldErrors::single("code", problem),
                None => FieldErrors::new(),
            };
            enrolment_page(
                &state,
                &tls,
                keep(errors),
                Some(*enrolment),
                axum::http::StatusCode::UNAUTHORIZED,
            )
        }
        Err(AppError::Throttled(message)) => login_page(
            &state,
            &tls,
            keep(FieldErrors::single("username", message)),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(other) => crate::errors::UiError(other).into_response(),
    }
}

async fn submit_logout(
    State(state): State<AppState>,
    Tls(tls): Tls,
    headers: HeaderMap,
) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && let Err(error) = auth::logout(&state.db, id).await
    {
        return crate::errors::UiError(error).into_response();
    }
    // A session from the municipality's own login ends there too, or the next click on its
    // button would log the user straight back in.
    let provider_logout = match cookie(&headers, SSO_COOKIE) {
        Some(value) => match SamlSession::from_cookie(value) {
            Some(saml) => state.saml.logout_url(&saml.municipality, &saml.subject),
            None => state.oidc.logout_url(value).await,
        },
        None => None,
    };
    let mut response = Redirect::to(provider_logout.as_deref().unwrap_or("/login")).into_response();
    for name in [SESSION_COOKIE, SSO_COOKIE] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(name, "", tls, Some(0)));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/boern/1"), "/boern/1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/boern\0"), "/");
    }
}
