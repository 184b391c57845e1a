//! Input extraction that never loses the user's words and always answers in Danish:
//! [`UiForm`] for HTML forms, [`ApiJson`] for JSON bodies, [`FormView`] for re-rendering a form
//! with its values and messages, and [`parse_id`] so malformed ids are simply "not found".

use std::collections::HashMap;

use axum::{
    Json,
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{FormRejection, JsonRejection},
    },
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use vaern_app::AppError;
use vaern_domain::FieldErrors;

use crate::errors::{ApiError, UiError, problem};

/// A form body; a malformed one becomes a Danish error page instead of axum's English text.
pub struct UiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for UiForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(UiForm(value)),
            Err(rejection) => {
                let message = match rejection {
                    FormRejection::BytesRejection(_) => "Formularen er for stor",
                    _ => "Formularen kunne ikke læses. Genindlæs siden og prøv igen.",
                };
                Err(
                    UiError(AppError::Invalid(FieldErrors::single("body", message)))
                        .into_response(),
                )
            }
        }
    }
}

/// A JSON body, always an object; malformed JSON, a wrong content type, an oversized body or a
/// body that is no object become problem+json.
///
/// A number with no fractional part counts as an integer, as JSON Schema (and so the OpenAPI
/// document) defines `integer`: `3.0` is accepted where `3` is.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match Json::<serde_json::Value>::from_request(request, state).await {
            Ok(Json(value)) => value,
            Err(rejection) => return Err(json_rejection(&rejection)),
        };
        // Every body Værn takes is an object; serde would also fill a struct from an array by
        // position, which the document does not allow.
        if !value.is_object() {
            return Err(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Ugyldige oplysninger",
                "Forespørgslens krop skal være et JSON-objekt med felternes navne".into(),
                None,
            ));
        }
        integral_numbers_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Ugyldige oplysninger",
                    format!("Felterne passer ikke til det forventede: {e}"),
                    None,
                )
            })
    }
}

/// A query string; one that does not fit (a repeated or malformed parameter) is a 422 in Danish.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Ugyldige søgeparametre",
                    format!(
                        "Forespørgslens parametre passer ikke til det forventede: {}",
                        rejection.body_text()
                    ),
                    None,
                )
            })
    }
}

fn json_rejection(rejection: &JsonRejection) -> Response {
    let (status, title, detail) = match rejection {
        JsonRejection::JsonSyntaxError(e) => (
            StatusCode::BAD_REQUEST,
            "Ugyldig JSON",
            format!("Forespørgslens JSON kan ikke læses: {}", e.body_text()),
        ),
        JsonRejection::MissingJsonContentType(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Forkert indholdstype",
            "Send Content-Type: application/json".into(),
        ),
        JsonRejection::BytesRejection(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "For stor forespørgsel",
            format!(
                "Forespørgslen må højst fylde {} KiB",
                crate::BODY_LIMIT / 1024
            ),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            "Ugyldig forespørgsel",
            rejection.body_text(),
        ),
    };
    problem(status, title, detail, None)
}

/// Rewrites every float with no fractional part (within i64) as an integer, recursively.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // The bounds are exact powers of two, so the cast below cannot saturate.
            if f.fract() == 0.0 && (-(2f64.powi(63))..2f64.powi(63)).contains(&f) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_with_no_fraction_is_an_integer_as_json_schema_says() {
        let mut value = serde_json::json!({"version": 3.0, "amounts": [1.5, -2.0, 1e300], "n": 7});
        integral_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"version": 3, "amounts": [1.5, -2, 1e300], "n": 7})
        );
        let version: i32 = serde_json::from_value(value["version"].clone()).unwrap();
        assert_eq!(version, 3);
    }
}

/// Parses an id from the path; anything malformed is "not found", like an unknown id.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Parses an id for the API.
pub fn api_id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    parse_id(raw).map_err(ApiError)
}

/// A form's values and errors for (re-)rendering.
#[derive(Debug, Default)]
pub struct FormView {
    values: HashMap<String, String>,
    pub errors: FieldErrors,
}

impl FormView {
    /// A form showing `values` and `errors`.
    pub fn new(
        values: impl IntoIterator<Item = (&'static str, String)>,
        errors: FieldErrors,
    ) -> Self {
        Self {
            values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            errors,
        }
    }

    /// Adds a value whose field name is only known at run time.
    pub fn insert(&mut self, field: String, value: String) {
        self.values.insert(field, value);
    }

    /// The value typed in `field` (empty if none).
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    /// Whether `field` currently holds `option` (for selects and radios).
    pub fn selected(&self, field: &str, option: &str) -> bool {
        self.value(field) == option
    }

    /// The message for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.for_field(field)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}
