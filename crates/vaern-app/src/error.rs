//! The error policy of the use cases, mapped once by the web layer:
//! `Invalid` → the form again with messages (UI) or 422 problem+json (API);
//! `NotFound` → 404 (also for another municipality's ids: their existence is not revealed);
//! `Conflict` → 409 (someone else finished it first);
//! `Forbidden` → 403; `Unauthenticated` → login page or 401; `Throttled` → 429;
//! `Enrol` → the login form showing a new authenticator secret;
//! `Internal` → 500 with details only in the server log.

use vaern_domain::FieldErrors;
use vaern_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not authenticated")]
    Unauthenticated,
    /// Someone else changed the same thing first; the message says who and when.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many failed logins; the message says when to try again.
    #[error("throttled")]
    Throttled(String),
    /// The password was right, but the administrator has no authenticator yet: enrol this one
    /// (the login form shows it) and log in with its first code.
    #[error("second factor enrolment")]
    Enrol(Box<crate::auth::Enrolment>),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}
