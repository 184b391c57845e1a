#![doc = include_str!("../README.md")]

pub(crate) mod api;
mod assets;
mod client_addr;
mod errors;
mod files;
mod forms;
mod health;
pub mod oidc;
mod policy;
pub mod routes;
pub mod saml;
mod server;
mod ui;
mod upload;

use std::{future::Future, sync::Arc};

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tokio::net::TcpListener;
use vaern_app::documents::CaseFiles;
use vaern_integrations::register::{PersonRegister, StoredRegister};
use vaern_store::Db;

pub use health::Metrics;
pub use policy::STATEMENTS_HEADER;
pub use server::ServerLimits;

/// The largest request body accepted (a journal note of 20,000 characters fits many times).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` always (behind TLS). Without it they are `Secure` when the proxy
    /// says the request came over HTTPS (`X-Forwarded-Proto: https` from a trusted proxy).
    pub secure_cookies: bool,
    /// Answer each guarded request with `X-Vaern-Statements`: the statements its handler sent
    /// itself (for the N+1 guards and for profiling; off in production).
    pub statement_header: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (the login throttle counts per
    /// client address); from any other peer the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The bearer token `/metrics` asks for; `None`: `/metrics` is refused to everyone.
    pub metrics_token: Option<String>,
    /// How long a session lasts however busy it is; `None`: [`vaern_app::auth::SESSION_LIFETIME`].
    pub session_lifetime: Option<time::Duration>,
    /// Værn's address as staff's browsers reach it (`https://vaern.kommune.dk`); single
    /// sign-on's redirect URIs are made from it.
    pub public_url: String,
    /// The municipalities that log their staff in through their own identity provider.
    pub oidc: Vec<oidc::OidcSettings>,
    /// The municipalities that log their staff in over SAML (Fælleskommunal Adgangsstyring).
    pub saml: Vec<saml::SamlLogin>,
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    pub files: CaseFiles,
    /// Where CPR numbers are looked up: the register imported into the database, unless a test
    /// or the demo supplies another.
    pub register: Arc<dyn PersonRegister>,
    pub oidc: Arc<oidc::Oidc>,
    pub saml: Arc<saml::Saml>,
    /// The pages' `Content-Security-Policy`: forms may also go on to the identity providers
    /// (logout ends the provider's session by a redirect there, OpenID and SAML alike).
    pub content_security_policy: axum::http::HeaderValue,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig, files: CaseFiles) -> Self {
        let oidc = oidc::Oidc::new(config.oidc.clone(), &config.public_url);
        let saml = saml::Saml::new(config.saml.clone());
        let mut origins = oidc.origins();
        origins.extend(saml.origins());
        origins.sort();
        origins.dedup();
        Self {
            register: Arc::new(StoredRegister::new(db.clone())),
            content_security_policy: policy::content_security_policy(&origins),
            oidc: Arc::new(oidc),
            saml: Arc::new(saml),
            db,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            files,
        }
    }

    /// The same state looking CPR numbers up in `register`.
    pub fn with_register(self, register: Arc<dyn PersonRegister>) -> Self {
        Self { register, ..self }
    }
}

/// The routes the policy layer guards: every route but the static assets.
fn guarded() -> Router<AppState> {
    Router::new()
        .merge(ui::router())
        .merge(api::router())
        .merge(health::router())
}

/// The whole application as a router.
pub fn build(state: AppState) -> Router {
    guarded()
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            policy::enforce,
        ))
        .merge(assets::router())
        .fallback(errors::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            policy::security_headers,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), health::count))
        .with_state(state)
}

/// Serves until `shutdown` completes, within `limits`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::run(listener, build(state), limits, shutdown).await
}
