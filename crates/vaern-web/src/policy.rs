//! The gate every routed request passes: look the route up in [`crate::routes::ROUTES`]
//! (unknown → refused), authenticate (UI: session cookie; API: bearer token), check the
//! capability, and for state-changing UI requests check the CSRF token. The actor and the
//! session's CSRF token are then handed to handlers as request extensions.

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use vaern_app::{Actor, AppError, auth};

use crate::{
    AppState, BODY_LIMIT,
    errors::{ApiError, UiError},
    routes::{self, Access},
    upload::PendingCsrf,
};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vaern_session";

/// The CSRF token of the current session, for forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Reads a cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind TLS; `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).expect("cookie values are base64url")
}

/// The response header with the statements a request's handler sent (see
/// [`crate::WebConfig::statement_header`]).
pub const STATEMENTS_HEADER: &str = "x-vaern-statements";

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Whether the request carries the configured metrics token (compared in constant time, so its
/// answer's timing tells nothing about the token).
fn operator_token_matches(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return false;
    };
    let given = bearer(headers).unwrap_or_default();
    let (a, b) = (auth::secret_hash(given), auth::secret_hash(expected));
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub async fn enforce(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let path = matched.as_ref().map(MatchedPath::as_str).unwrap_or("");
    let api = routes::is_api(request.uri().path());
    let Some(spec) = routes::lookup(request.method().as_str(), path) else {
        let allowed = routes::methods(path);
        if !allowed.is_empty() {
            return method_not_allowed(api, request.method(), &allowed);
        }
        tracing::warn!(path, method = %request.method(), "route not declared in ROUTES; refused");
        return refuse(api, AppError::Forbidden);
    };
    if spec.access == Access::Public {
        return next.run(request).await;
    }
    if spec.access == Access::Operator {
        return if operator_token_matches(&state, request.headers()) {
            next.run(request).await
        } else {
            refuse(true, AppError::Forbidden)
        };
    }
    let (actor, csrf) = match authenticate(&state, request.headers(), api).await {
        Ok(found) => found,
        Err(AppError::Unauthenticated) if !api => return to_login(&request),
        Err(error) => return refuse(api, error),
    };
    if let Access::Needs(capability) = spec.access
        && !actor.can(capability)
    {
        return refuse(api, AppError::Forbidden);
    }
    let mut request = request;
    if !api && request.method() != Method::GET && request.method() != Method::HEAD {
        let expected = csrf.as_deref().unwrap_or_default();
        if routes::is_upload(spec) {
            // Too large to buffer here: the upload reader checks the token before the file.
            request
                .extensions_mut()
                .insert(PendingCsrf(expected.to_owned()));
        } else {
            request = match check_csrf(request, expected).await {
                Ok(request) => request,
                Err(response) => return response,
            };
        }
    }
    request.extensions_mut().insert(actor);
    if let Some(token) = csrf {
        request.extensions_mut().insert(CsrfToken(token));
    }
    let (mut response, statements) = vaern_store::counting(next.run(request)).await;
    if state.config.statement_header {
        response
            .headers_mut()
            .insert(STATEMENTS_HEADER, HeaderValue::from(statements));
    }
    // Pages with personal data must not linger in shared caches or the back-forward cache.
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    api: bool,
) -> Result<(Actor, Option<String>), AppError> {
    if api {
        let token = bearer(headers).ok_or(AppError::Unauthenticated)?;
        Ok((auth::token_actor(&state.db, token).await?, None))
    } else {
        let id = cookie(headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let lifetime = state
            .config
            .session_lifetime
            .unwrap_or(auth::SESSION_LIFETIME);
        let session = auth::session(&state.db, id, lifetime).await?;
        Ok((session.actor, Some(session.csrf_token)))
    }
}

fn refuse(api: bool, error: AppError) -> Response {
    if api {
        ApiError(error).into_response()
    } else {
        UiError(error).into_response()
    }
}

/// 405 with `Allow`: the path exists, the method does not (e.g. PUT on the append-only journal).
fn method_not_allowed(api: bool, method: &Method, allowed: &[&str]) -> Response {
    let detail = format!(
        "Metoden {method} kan ikke bruges her. Tilladt: {}.",
        allowed.join(", ")
    );
    let mut response = if api {
        crate::errors::problem(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "Metoden er ikke tilladt",
            detail,
            None,
        )
    } else {
        (axum::http::StatusCode::METHOD_NOT_ALLOWED, detail).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

fn to_login(request: &Request) -> Response {
    // Only a GET can be repeated after login; a form posted after the session ended cannot.
    if request.method() != Method::GET {
        return Redirect::to("/login").into_response();
    }
    let next = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// Accepts the token from the `X-CSRF-Token` header (htmx) or the `csrf` form field; the body is
/// read and put back for the handler.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Response> {
    let from_header = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        UiError(AppError::Invalid(vaern_domain::FieldErrors::single(
            "body",
            "Formularen er for stor",
        )))
        .into_response()
    })?;
    let given = from_header.or_else(|| {
        form_urlencoded::parse(&bytes)
            .find(|(key, _)| key == "csrf")
            .map(|(_, value)| value.into_owned())
    });
    if expected.is_empty()
        || !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes()))
    {
        return Err(UiError(csrf_refused()).into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A form whose CSRF token is missing or wrong.
pub(crate) fn csrf_refused() -> AppError {
    AppError::Invalid(vaern_domain::FieldErrors::single(
        "csrf",
        "Formularen er udløbet eller kom fra en anden side. Gå tilbage, genindlæs siden og prøv igen.",
    ))
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Headers every response carries: no framing, no sniffing, scripts and styles only from us.
/// The pages' policy; `form_targets` are the origins a form may lead to besides Værn's own
/// (a form's redirect counts as its target in the browser).
pub fn content_security_policy(form_targets: &[String]) -> HeaderValue {
    let mut form_action = String::from("'self'");
    for origin in form_targets {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; frame-ancestors 'none'; form-action {form_action}; base-uri 'none'"
    ))
    .expect("origins are ASCII URLs")
}

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let tls = crate::client_addr::over_tls(&state, request.headers(), request.extensions());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A download sets its own, stricter policy (a file may not run anything); keep it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            state.content_security_policy.clone(),
        );
    }
    if tls {
        // Served over TLS: the browser is to come back only that way for a year.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
