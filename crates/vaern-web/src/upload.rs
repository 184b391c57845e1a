//! Reading a multipart upload: text fields, one file, and (in the UI) the CSRF token.
//!
//! Upload routes are exempt from the general body limit and from the policy's CSRF check,
//! which would have to hold the whole body in memory; instead this reader counts the file
//! against the configured limit as it arrives and requires the form's `csrf` field to come
//! before the file (the forms put it first), so no file is accepted from a forged form.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use bytes::{Bytes, BytesMut};
use vaern_app::{AppError, documents::Received};
use vaern_domain::FieldErrors;

use crate::policy::{constant_time_eq, csrf_refused};

/// The name of the file field in forms and the API.
pub const FILE_FIELD: &str = "file";
/// Text fields are short; a longer one is refused rather than buffered.
const TEXT_MAX: usize = 64 * 1024;

/// The CSRF token a UI upload must carry, left by the policy middleware.
#[derive(Debug, Clone)]
pub struct PendingCsrf(pub String);

/// An upload's fields and file.
#[derive(Debug)]
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Received,
}

impl Upload {
    /// A text field, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// A checkbox: present with any value but `false`/`0`/empty.
    pub fn checked(&self, name: &str) -> bool {
        self.fields
            .get(name)
            .is_some_and(|v| !matches!(v.trim(), "" | "false" | "0" | "off"))
    }
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Invalid(FieldErrors::single(field, message))
}

/// Reads the upload of `request`. `max_bytes` bounds the file: a larger one becomes
/// [`Received::TooLarge`] and the rest of it is read and dropped, up to as much again, so the
/// browser gets the answer instead of a broken connection.
pub async fn read(request: Request, max_bytes: u64) -> Result<Upload, AppError> {
    let csrf = request.extensions().get::<PendingCsrf>().cloned();
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|_| {
        invalid(
            FILE_FIELD,
            "Formularen skal sendes som multipart/form-data med en fil",
        )
    })?;
    let mut fields = HashMap::new();
    let mut file = Received::Nothing;
    let mut csrf_checked = csrf.is_none();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) if matches!(file, Received::TooLarge) => break,
            Err(_) => {
                return Err(invalid(
                    FILE_FIELD,
                    "Filen blev ikke modtaget helt. Prøv igen",
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE_FIELD {
            if !csrf_checked {
                return Err(csrf_refused());
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            file = read_file(field, file_name, max_bytes).await?;
            continue;
        }
        let value = read_text(field).await?;
        if name == "csrf"
            && let Some(PendingCsrf(expected)) = &csrf
        {
            if expected.is_empty() || !constant_time_eq(value.as_bytes(), expected.as_bytes()) {
                return Err(csrf_refused());
            }
            csrf_checked = true;
        }
        fields.insert(name, value);
    }
    if !csrf_checked {
        return Err(csrf_refused());
    }
    Ok(Upload { fields, file })
}

async fn read_text(mut field: axum::extract::multipart::Field<'_>) -> Result<String, AppError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| invalid("body", "Formularen blev ikke modtaget helt. Prøv igen"))?
    {
        if bytes.len() + chunk.len() > TEXT_MAX {
            return Err(invalid("body", "Et af felterne er for langt"));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes.to_vec())
        .map_err(|_| invalid("body", "Formularen indeholder ugyldige tegn"))
}

async fn read_file(
    mut field: axum::extract::multipart::Field<'_>,
    file_name: String,
    max_bytes: u64,
) -> Result<Received, AppError> {
    let mut content = BytesMut::new();
    let mut seen: u64 = 0;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(_) if seen > max_bytes => return Ok(Received::TooLarge),
            Err(_) => {
                return Err(invalid(
                    FILE_FIELD,
                    "Filen blev ikke modtaget helt. Prøv igen",
                ));
            }
        };
        seen += chunk.len() as u64;
        if seen > max_bytes.saturating_mul(2) {
            return Ok(Received::TooLarge);
        }
        if seen <= max_bytes {
            content.extend_from_slice(&chunk);
        } else if !content.is_empty() {
            content = BytesMut::new();
        }
    }
    if seen > max_bytes {
        return Ok(Received::TooLarge);
    }
    if file_name.is_empty() && content.is_empty() {
        return Ok(Received::Nothing);
    }
    Ok(Received::File {
        name: file_name,
        content: Bytes::from(content),
    })
}
