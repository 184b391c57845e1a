//! The error policy of the web layer, in one place (STYLE.md §5):
//! - API: `application/problem+json` (RFC 9457) with `errors: [{field, message}]` for
//!   validation; 404 for unknown and other municipalities' ids alike; 500 hides details.
//! - UI: a Danish error page; validation errors are normally rendered by the form's own
//!   handler (with the user's input kept), this is only the fallback.

use askama::Template;
use axum::{
    http::{HeaderValue, StatusCode, Uri, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use vaern_app::AppError;
use vaern_domain::FieldErrors;

use crate::api::dto::{FieldErrorDto, Problem};

/// An `AppError` answered as problem+json.
pub struct ApiError(pub AppError);

/// An `AppError` answered as an HTML page.
pub struct UiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<AppError> for UiError {
    fn from(error: AppError) -> Self {
        UiError(error)
    }
}

/// A problem+json response.
pub fn problem(
    status: StatusCode,
    title: &str,
    detail: String,
    errors: Option<&FieldErrors>,
) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors: errors.map(|errors| {
            errors
                .iter()
                .map(|e| FieldErrorDto {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect()
        }),
    };
    let mut response = (status, serde_json::to_string(&body).unwrap_or_default()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn status_and_title(error: &AppError) -> (StatusCode, &'static str, String) {
    match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Ugyldige oplysninger",
            errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(". "),
        ),
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "Findes ikke",
            "Det, du leder efter, findes ikke, eller du har ikke adgang til det.".into(),
        ),
        AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "Ingen adgang",
            "Din rolle giver ikke adgang til denne funktion.".into(),
        ),
        AppError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "Ikke logget ind",
            "Log ind, eller send et gyldigt API-token (Authorization: Bearer …).".into(),
        ),
        AppError::Conflict(message) => (StatusCode::CONFLICT, "Ændret af en anden", message.clone()),
        AppError::Throttled(message) => (StatusCode::TOO_MANY_REQUESTS, "For mange forsøg", message.clone()),
        AppError::Enrol(_) => (
            StatusCode::UNAUTHORIZED,
            "Tilføj en godkender-app",
            "Administratorer logger ind med adgangskode og engangskode fra en godkender-app.".into(),
        ),
        AppError::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Der opstod en fejl",
            "Der opstod en uventet fejl. Intet er gemt halvt. Prøv igen, og kontakt support, hvis det gentager sig.".into(),
        ),
    }
}

fn log_internal(error: &AppError) {
    if let AppError::Internal(detail) = error {
        tracing::error!(%detail, "internal error");
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.0);
        let (status, title, detail) = status_and_title(&self.0);
        let errors = match &self.0 {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        };
        let mut response = problem(status, title, detail, errors);
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: &'a str,
}

/// Renders a template to an HTML response (500 page if rendering fails).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Siden kunne ikke vises").into_response()
        }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        log_internal(&self.0);
        let (status, title, detail) = status_and_title(&self.0);
        let status = if matches!(self.0, AppError::Invalid(_)) {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        (
            status,
            render(&ErrorPage {
                title,
                detail: &detail,
            }),
        )
            .into_response()
    }
}

/// The fallback for unknown paths.
pub async fn not_found(uri: Uri) -> Response {
    if crate::routes::is_api(uri.path()) {
        ApiError(AppError::NotFound).into_response()
    } else {
        UiError(AppError::NotFound).into_response()
    }
}
