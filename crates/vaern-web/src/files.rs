//! Sending a case file to the browser or an API client: streamed as it is read and verified,
//! with its real type and a safe file name.

use axum::{
    body::Body,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use vaern_app::documents::OpenedFile;
use vaern_domain::document::FileType;

/// Files shown in the browser get a policy of their own: the page policy's `object-src 'none'`
/// would stop the browser's PDF viewer, and nothing in a case file may run script.
const FILE_POLICY: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'";

/// The response for an opened file; `inline` shows it in the browser where that is safe
/// (PDF and common images), otherwise it is saved.
pub fn file_response(opened: OpenedFile, inline: bool) -> Response {
    let headers = file_headers(
        opened.file_type,
        opened.size_bytes,
        inline,
        &opened.file_name,
    );
    (headers, Body::from_stream(opened.content)).into_response()
}

/// A file made on the spot (a template's preview), never stored.
pub fn generated_response(file_type: FileType, content: Vec<u8>, file_name: &str) -> Response {
    let headers = file_headers(file_type, content.len() as u64, true, file_name);
    (headers, content).into_response()
}

fn file_headers(
    file_type: FileType,
    size: u64,
    inline: bool,
    file_name: &str,
) -> [(header::HeaderName, HeaderValue); 5] {
    let disposition = if inline && file_type.shown_inline() {
        "inline"
    } else {
        "attachment"
    };
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(file_type.media_type()),
        ),
        (header::CONTENT_LENGTH, HeaderValue::from(size)),
        (
            header::CONTENT_DISPOSITION,
            content_disposition(disposition, file_name),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FILE_POLICY),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ),
    ]
}

/// `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an ASCII fallback for old
/// clients and the real name, percent-encoded, for the rest.
fn content_disposition(disposition: &str, file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| match c {
            'æ' => 'a',
            'ø' => 'o',
            'å' => 'a',
            'Æ' => 'A',
            'Ø' => 'O',
            'Å' => 'A',
            c if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_file_names_survive_in_both_forms() {
        let value = content_disposition("attachment", "Afgørelse \"endelig\".pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Afgorelse _endelig_.pdf\"; \
             filename*=UTF-8''Afg%C3%B8relse%20%22endelig%22.pdf"
        );
    }
}
