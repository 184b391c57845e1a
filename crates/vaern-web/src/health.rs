//! `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`
//! (Prometheus text: requests by status class and their total duration).

use crate::routes::Declared;
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Instant,
};

use axum::{
    Router,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};

use crate::AppState;

/// Counters since start.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Index = status / 100 - 1 (1xx … 5xx).
    responses: [AtomicU64; 5],
    duration_micros: AtomicU64,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/healthz", get(get_healthz))
        .declared("/readyz", get(get_readyz))
        .declared("/metrics", get(get_metrics))
}

async fn get_healthz() -> &'static str {
    "ok"
}

async fn get_readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::warn!(%error, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn get_metrics(State(state): State<AppState>) -> Response {
    let m = &state.metrics;
    let mut text = String::from(
        "# HELP vaern_http_responses_total HTTP responses by status class.\n\
         # TYPE vaern_http_responses_total counter\n",
    );
    for (i, counter) in m.responses.iter().enumerate() {
        text.push_str(&format!(
            "vaern_http_responses_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            counter.load(Ordering::Relaxed)
        ));
    }
    text.push_str(&format!(
        "# HELP vaern_http_duration_seconds_total Time spent answering requests.\n\
         # TYPE vaern_http_duration_seconds_total counter\n\
         vaern_http_duration_seconds_total {}\n\
         # HELP vaern_db_queries_total Statements sent to the database.\n\
         # TYPE vaern_db_queries_total counter\n\
         vaern_db_queries_total {}\n\
         # HELP vaern_database_info The database backend in use.\n\
         # TYPE vaern_database_info gauge\n\
         vaern_database_info{{backend=\"{}\"}} 1\n",
        m.duration_micros.load(Ordering::Relaxed) as f64 / 1e6,
        vaern_store::queries(),
        state.db.backend()
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// Counts every response by status class and its duration.
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    let class = (response.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    state.metrics.responses[class].fetch_add(1, Ordering::Relaxed);
    state
        .metrics
        .duration_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    response
}
