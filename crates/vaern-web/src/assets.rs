//! The vendored front-end (DKFDS, htmx) and our own few files, embedded in the binary so a
//! build needs no npm and a deployment is one file.

use crate::routes::Declared;
use axum::{
    Router,
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use include_dir::{Dir, include_dir};

use crate::AppState;

static STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/static");

pub fn router() -> Router<AppState> {
    Router::new().declared("/static/{*path}", get(get_asset))
}

/// Serves an embedded file with its content type; cached for a day (names change with upgrades).
async fn get_asset(Path(path): Path<String>) -> Response {
    let Some(file) = STATIC.get_file(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "eot" => "application/vnd.ms-fontobject",
        "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        file.contents(),
    )
        .into_response()
}
