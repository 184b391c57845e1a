//! Every route of Værn with what it takes to use it. The policy middleware refuses any route not
//! listed here, so forgetting to declare a route closes it rather than opening it. The table is
//! public so the route-walking test can try every route with every role.

use axum::{Router, routing::MethodRouter};
use vaern_domain::Capability::{self, *};

use crate::AppState;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// The operator's monitoring: the request carries the metrics token
    /// ([`crate::WebConfig::metrics_token`]); without one configured, nobody.
    Operator,
    /// Any logged-in user.
    Authenticated,
    /// A logged-in user whose role holds the capability.
    Needs(Capability),
}

/// One route: method, axum path pattern, access.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

use Access::{Authenticated, Needs, Operator, Public};

pub const ROUTES: &[RouteSpec] = &[
    // Sign-in and health.
    r("GET", "/login", Public),
    r("POST", "/login", Public),
    r("POST", "/logout", Authenticated),
    // The municipality's own login: the identity provider vouches for the user.
    r("GET", "/login/sso/{municipality}", Public),
    r("GET", "/login/sso/{municipality}/callback", Public),
    // SAML: the provider posts its answer cross-site (no session, no CSRF token) and reads
    // Værn's metadata.
    r("GET", "/login/saml/{municipality}", Public),
    r("POST", "/login/saml/{municipality}/acs", Public),
    r("GET", "/login/saml/{municipality}/metadata", Public),
    r("GET", "/login/saml/{municipality}/slo", Public),
    r("GET", "/healthz", Public),
    r("GET", "/readyz", Public),
    r("GET", "/metrics", Operator),
    // The design system, htmx and Værn's own CSS and script (outside the policy layer).
    r("GET", "/static/{*path}", Public),
    // UI: Mit overblik, children, journal.
    r("GET", "/", Authenticated),
    r("GET", "/boern", Needs(ReadChildren)),
    r("GET", "/boern/ny", Needs(EditChildren)),
    r("POST", "/boern", Needs(EditChildren)),
    r("GET", "/boern/{id}", Needs(ReadChildren)),
    r("GET", "/boern/{id}/journal", Needs(ReadChildren)),
    r("POST", "/boern/{id}/journal", Needs(WriteJournal)),
    r(
        "GET",
        "/boern/{id}/journal/{entry}/ret",
        Needs(WriteJournal),
    ),
    r(
        "POST",
        "/boern/{id}/journal/{entry}/ret",
        Needs(WriteJournal),
    ),
    r("GET", "/boern/{id}/overblik", Needs(ReadChildren)),
    r("GET", "/boern/{id}/underretninger/ny", Needs(EditChildren)),
    r("POST", "/boern/{id}/underretninger", Needs(EditChildren)),
    r("POST", "/boern/{id}/delsager", Needs(EditChildren)),
    r("GET", "/boern/{id}/delsager/{sub}", Needs(ReadChildren)),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/vurdering",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/skridt/{step}",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/afslut",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/afgoerelse",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/meddelt",
        Needs(EditChildren),
    ),
    r("GET", "/boern/{id}/dokumenter", Needs(ReadChildren)),
    r("POST", "/boern/{id}/dokumenter", Needs(WriteJournal)),
    r("GET", "/boern/{id}/dokumenter/{doc}", Needs(ReadChildren)),
    r(
        "POST",
        "/boern/{id}/dokumenter/{doc}/versioner",
        Needs(WriteJournal),
    ),
    r(
        "GET",
        "/boern/{id}/dokumenter/{doc}/versioner/{version}/vis",
        Needs(ReadChildren),
    ),
    r(
        "GET",
        "/boern/{id}/dokumenter/{doc}/versioner/{version}/hent",
        Needs(ReadChildren),
    ),
    r("GET", "/boern/{id}/sag", Needs(EditChildren)),
    r("POST", "/boern/{id}/sag", Needs(EditChildren)),
    r("GET", "/frister", Authenticated),
    r("GET", "/team", Needs(LeadTeam)),
    r("POST", "/team/masseskift", Needs(LeadTeam)),
    r("GET", "/boern/{id}/netvaerk", Needs(ReadChildren)),
    r("POST", "/boern/{id}/netvaerk", Needs(EditChildren)),
    r("POST", "/boern/{id}/netvaerk/cpr", Needs(EditChildren)),
    r("POST", "/boern/{id}/netvaerk/kopier", Needs(EditChildren)),
    r("GET", "/boern/{id}/netvaerk/fagperson", Needs(EditChildren)),
    r(
        "POST",
        "/boern/{id}/netvaerk/fagperson",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/boern/{id}/delsager/{sub}/undersoegelse",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/samtale",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/foreloebig",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/konklusion",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/pdf",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/boern/{id}/delsager/{sub}/undersoegelse/{key}",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/{key}",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/{key}/kladde",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/delsager/{sub}/undersoegelse/{key}/kilder",
        Needs(EditChildren),
    ),
    r("GET", "/boern/{id}/plan", Needs(ReadChildren)),
    r("POST", "/boern/{id}/plan", Needs(EditChildren)),
    r("POST", "/boern/{id}/plan/maal", Needs(EditChildren)),
    r("POST", "/boern/{id}/plan/godkend", Needs(EditChildren)),
    r("POST", "/boern/{id}/plan/ny-version", Needs(EditChildren)),
    r("GET", "/boern/{id}/plan/sammenlign", Needs(ReadChildren)),
    r(
        "GET",
        "/boern/{id}/plan/version/{version}",
        Needs(ReadChildren),
    ),
    r("POST", "/boern/{id}/plan/opfoelgning", Needs(EditChildren)),
    r("POST", "/boern/{id}/plan/pdf", Needs(EditChildren)),
    r("GET", "/adressebog", Needs(ReadChildren)),
    // UI: measures and economy.
    r("GET", "/boern/{id}/indsatser", Needs(ReadChildren)),
    r("POST", "/boern/{id}/indsatser", Needs(EditChildren)),
    r(
        "POST",
        "/boern/{id}/indsatser/simulering",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/boern/{id}/indsatser/{measure}/godkend",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/indsatser/{measure}/igangsaet",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/boern/{id}/indsatser/{measure}/afslut",
        Needs(EditChildren),
    ),
    r("GET", "/godkendelser", Needs(LeadTeam)),
    r("GET", "/leverandoerer", Needs(ReadOffers)),
    r("POST", "/leverandoerer", Needs(ManageEconomy)),
    r(
        "POST",
        "/leverandoerer/{provider}/tilbud",
        Needs(ManageEconomy),
    ),
    r("POST", "/tilbud/{offer}/priser", Needs(ManageEconomy)),
    r("GET", "/prisregulering", Needs(ManageEconomy)),
    r("POST", "/prisregulering", Needs(ManageEconomy)),
    r(
        "POST",
        "/prisregulering/forhaandsvisning",
        Needs(ManageEconomy),
    ),
    r(
        "POST",
        "/prisregulering/{update}/fortryd",
        Needs(ManageEconomy),
    ),
    r("GET", "/udbetalinger", Needs(ManageEconomy)),
    r("POST", "/udbetalinger", Needs(ManageEconomy)),
    r("GET", "/udbetalinger/{run}", Needs(ManageEconomy)),
    r(
        "GET",
        "/udbetalinger/{run}/fil/{format}",
        Needs(ManageEconomy),
    ),
    r("GET", "/oekonomi", Needs(ReadEconomy)),
    r("POST", "/oekonomi/budget", Needs(ManageEconomy)),
    r("POST", "/oekonomi/beloebsgraense", Needs(ManageEconomy)),
    r("POST", "/adressebog", Needs(EditChildren)),
    r("GET", "/boern/{id}/breve/ny", Needs(WriteJournal)),
    r("POST", "/boern/{id}/breve", Needs(WriteJournal)),
    // UI: administration.
    r("GET", "/admin/brevskabeloner", Needs(ManageMunicipality)),
    r(
        "GET",
        "/admin/brevskabeloner/{key}",
        Needs(ManageMunicipality),
    ),
    r(
        "POST",
        "/admin/brevskabeloner/{key}",
        Needs(ManageMunicipality),
    ),
    r(
        "POST",
        "/admin/brevskabeloner/{key}/forhaandsvisning",
        Needs(ManageMunicipality),
    ),
    r("GET", "/admin/brugere", Needs(ManageUsers)),
    r("POST", "/admin/brugere", Needs(ManageUsers)),
    r("POST", "/admin/brugere/lokalt-login", Needs(ManageUsers)),
    r("POST", "/admin/brugere/{id}", Needs(ManageUsers)),
    r("POST", "/admin/brugere/{id}/godkend", Needs(ManageUsers)),
    r("POST", "/admin/brugere/{id}/afvis", Needs(ManageUsers)),
    r(
        "POST",
        "/admin/brugere/{id}/godkender-app",
        Needs(ManageUsers),
    ),
    r("POST", "/admin/teams", Needs(ManageUsers)),
    r("GET", "/admin/frister", Needs(ManageMunicipality)),
    r(
        "POST",
        "/admin/frister/lukkedage",
        Needs(ManageMunicipality),
    ),
    r(
        "POST",
        "/admin/frister/lukkedage/ny",
        Needs(ManageMunicipality),
    ),
    r(
        "POST",
        "/admin/frister/lukkedage/fjern",
        Needs(ManageMunicipality),
    ),
    r("POST", "/admin/frister/lokale", Needs(ManageMunicipality)),
    r(
        "POST",
        "/admin/frister/lokale/fjern",
        Needs(ManageMunicipality),
    ),
    r("GET", "/admin/adgangslog", Needs(ReadAccessLog)),
    r("GET", "/admin/adgangslog.csv", Needs(ExportAccessLog)),
    // JSON API.
    r("GET", "/api/v1/openapi.json", Public),
    r("GET", "/api/v1/me", Authenticated),
    r("GET", "/api/v1/children", Needs(ReadChildren)),
    r("POST", "/api/v1/children", Needs(EditChildren)),
    r("GET", "/api/v1/children/{id}", Needs(ReadChildren)),
    r("GET", "/api/v1/children/{id}/case", Needs(ReadChildren)),
    r("PUT", "/api/v1/children/{id}/case", Needs(EditChildren)),
    r("GET", "/api/v1/children/{id}/journal", Needs(ReadChildren)),
    r("POST", "/api/v1/children/{id}/journal", Needs(WriteJournal)),
    r(
        "POST",
        "/api/v1/children/{id}/notifications",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/sub-cases",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/assessment",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/steps/{step}",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/close",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/sub-cases/{sub}/decision",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/decision",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/decision/made-known",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/documents",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/documents",
        Needs(WriteJournal),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/documents/{doc}",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/documents/{doc}/versions",
        Needs(WriteJournal),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/documents/{doc}/versions/{version}/content",
        Needs(ReadChildren),
    ),
    r("GET", "/api/v1/letter-templates", Needs(ManageMunicipality)),
    r(
        "PUT",
        "/api/v1/letter-templates/{key}",
        Needs(ManageMunicipality),
    ),
    r("POST", "/api/v1/children/{id}/letters", Needs(WriteJournal)),
    r("GET", "/api/v1/children/{id}/network", Needs(ReadChildren)),
    r("POST", "/api/v1/children/{id}/network", Needs(EditChildren)),
    r(
        "POST",
        "/api/v1/children/{id}/network/cpr-lookup",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/network/copy-from-sibling",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/professionals",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/professionals",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation",
        Needs(ReadChildren),
    ),
    r(
        "PUT",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}/draft",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}/sources",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/conversation",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/preliminary",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/conclusion",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/sub-cases/{sub}/investigation/document",
        Needs(EditChildren),
    ),
    r("GET", "/api/v1/children/{id}/plans", Needs(ReadChildren)),
    r("POST", "/api/v1/children/{id}/plans", Needs(EditChildren)),
    r(
        "GET",
        "/api/v1/children/{id}/plans/compare",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/plans/new-version",
        Needs(EditChildren),
    ),
    r(
        "GET",
        "/api/v1/children/{id}/plans/{version}",
        Needs(ReadChildren),
    ),
    r(
        "PUT",
        "/api/v1/children/{id}/plans/{key}/goals",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/plans/{key}/approval",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/follow-ups",
        Needs(EditChildren),
    ),
    r("GET", "/api/v1/providers", Needs(ReadOffers)),
    r("POST", "/api/v1/providers", Needs(ManageEconomy)),
    r(
        "POST",
        "/api/v1/providers/{provider}/offers",
        Needs(ManageEconomy),
    ),
    r("GET", "/api/v1/offers", Needs(ReadOffers)),
    r(
        "POST",
        "/api/v1/offers/{offer}/prices",
        Needs(ManageEconomy),
    ),
    r("GET", "/api/v1/children/{id}/measures", Needs(ReadChildren)),
    r(
        "POST",
        "/api/v1/children/{id}/measures",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/measures/simulation",
        Needs(ReadChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/measures/{measure}/approve",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/measures/{measure}/start",
        Needs(EditChildren),
    ),
    r(
        "POST",
        "/api/v1/children/{id}/measures/{measure}/end",
        Needs(EditChildren),
    ),
    r("GET", "/api/v1/measures/awaiting-approval", Needs(LeadTeam)),
    r("GET", "/api/v1/price-updates", Needs(ManageEconomy)),
    r("POST", "/api/v1/price-updates", Needs(ManageEconomy)),
    r(
        "POST",
        "/api/v1/price-updates/preview",
        Needs(ManageEconomy),
    ),
    r(
        "POST",
        "/api/v1/price-updates/{update}/undo",
        Needs(ManageEconomy),
    ),
    r("GET", "/api/v1/payment-runs", Needs(ManageEconomy)),
    r("POST", "/api/v1/payment-runs", Needs(ManageEconomy)),
    r("GET", "/api/v1/payment-runs/{run}", Needs(ManageEconomy)),
    r(
        "GET",
        "/api/v1/payment-runs/{run}/export/{format}",
        Needs(ManageEconomy),
    ),
    r("GET", "/api/v1/economy", Needs(ReadEconomy)),
    r("PUT", "/api/v1/economy/budgets", Needs(ManageEconomy)),
    r(
        "PUT",
        "/api/v1/economy/approval-threshold",
        Needs(ManageEconomy),
    ),
    r("GET", "/api/v1/organisations", Needs(ReadChildren)),
    r("POST", "/api/v1/organisations", Needs(EditChildren)),
    r("GET", "/api/v1/professionals", Needs(ReadChildren)),
    r("GET", "/api/v1/team", Needs(LeadTeam)),
    r("POST", "/api/v1/team/reassign", Needs(LeadTeam)),
    r("GET", "/api/v1/users", Needs(ManageUsers)),
    r("POST", "/api/v1/users", Needs(ManageUsers)),
    r("PUT", "/api/v1/users/{id}", Needs(ManageUsers)),
    r("POST", "/api/v1/users/{id}/approve", Needs(ManageUsers)),
    r("POST", "/api/v1/users/{id}/reject", Needs(ManageUsers)),
    r("GET", "/api/v1/user-changes", Needs(ReadAccessLog)),
    r("GET", "/api/v1/deadline-rules", Authenticated),
    r("GET", "/api/v1/deadline-rules/{id}/due", Authenticated),
    r(
        "PUT",
        "/api/v1/deadline-rules/{id}/local",
        Needs(ManageMunicipality),
    ),
    r(
        "DELETE",
        "/api/v1/deadline-rules/{id}/local",
        Needs(ManageMunicipality),
    ),
    r("GET", "/api/v1/closed-days", Needs(ManageMunicipality)),
    r("PUT", "/api/v1/closed-days", Needs(ManageMunicipality)),
    r(
        "POST",
        "/api/v1/closed-days/days",
        Needs(ManageMunicipality),
    ),
    r(
        "DELETE",
        "/api/v1/closed-days/days/{day}",
        Needs(ManageMunicipality),
    ),
    r("GET", "/api/v1/access-log", Needs(ReadAccessLog)),
    r("GET", "/api/v1/access-log/export", Needs(ExportAccessLog)),
];

/// The declared route for a method and matched path pattern (`HEAD` counts as `GET`).
pub fn lookup(method: &str, path: &str) -> Option<&'static RouteSpec> {
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

/// The methods declared for a path pattern (for 405 answers).
pub fn methods(path: &str) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.method)
        .collect()
}

/// Whether the route belongs to the JSON API (problem+json and bearer tokens).
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The routes that take a file (multipart): exempt from the general body limit, with the size
/// and CSRF checks done by the upload reader as the body arrives.
pub const UPLOADS: &[&str] = &[
    "/boern/{id}/dokumenter",
    "/boern/{id}/dokumenter/{doc}/versioner",
    "/api/v1/children/{id}/documents",
    "/api/v1/children/{id}/documents/{doc}/versions",
];

/// Whether the route takes a file.
pub fn is_upload(spec: &RouteSpec) -> bool {
    spec.method == "POST" && UPLOADS.contains(&spec.path)
}

/// How every route is added to a router: only a path declared in [`ROUTES`] can be routed, so
/// the router and the table hold the same paths by construction (a test in this module checks
/// that the methods match too). `Router::route` itself is a disallowed method (clippy.toml).
pub trait Declared {
    fn declared(self, path: &str, handlers: MethodRouter<AppState>) -> Self;
}

impl Declared for Router<AppState> {
    #[allow(clippy::disallowed_methods)]
    fn declared(self, path: &str, handlers: MethodRouter<AppState>) -> Self {
        assert!(
            !methods(path).is_empty(),
            "the route {path} is not declared in routes::ROUTES"
        );
        self.route(path, handlers)
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use reqwest::{Method, StatusCode};

    use super::*;

    /// A concrete path for a pattern: any segment will do, since no request here gets past the
    /// extractors (there is no policy layer to put an actor on it).
    fn concrete(pattern: &str) -> String {
        pattern
            .split('/')
            .map(|segment| match segment {
                "{*path}" => "app.css",
                s if s.starts_with('{') => "00000000-0000-0000-0000-000000000000",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The router and the table hold the same routes. `Declared` lets no undeclared path into
    /// the router; here every declared path is asked every method without the policy layer, and
    /// the router must answer exactly the declared ones (axum answers 405 for a method it has no
    /// handler for, 404 for a path it does not route).
    #[tokio::test]
    async fn the_router_answers_exactly_the_declared_methods_of_every_declared_path() {
        let test = vaern_testkit::TestDb::new().await;
        // A municipality with a login of its own at a provider that is not there: its pages
        // then answer (502, 400) instead of 404, as a municipality without one does.
        let sso: crate::oidc::OidcSettings = toml::from_str(&format!(
            "municipality = \"{}\"\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"c\"\n\
             roles = [{{ group = \"g\", role = \"caseworker\" }}]",
            concrete("{id}").trim_start_matches('/')
        ))
        .unwrap();
        // And a SAML login at a real provider (its metadata is read at startup).
        let idp = vaern_testkit::saml::SamlIdp::start(&[], &Default::default()).await;
        let (keys, _dir) = vaern_testkit::saml::KeyPair::temporary("vaern");
        let saml: crate::saml::SamlSettings = toml::from_str(&format!(
            "municipality = \"{}\"\nidp_metadata = {:?}\nsp_key = {:?}\nsp_certificate = {:?}\n\
             roles = [{{ group = \"g\", role = \"caseworker\" }}]",
            concrete("{id}").trim_start_matches('/'),
            idp.metadata_file,
            keys.key,
            keys.certificate,
        ))
        .unwrap();
        let public_url = "http://127.0.0.1:8080";
        let config = crate::WebConfig {
            oidc: vec![sso],
            saml: vec![crate::saml::SamlLogin::load(saml, public_url).unwrap()],
            public_url: public_url.into(),
            ..Default::default()
        };
        let state = crate::AppState::new(
            test.db.clone(),
            config,
            vaern_app::documents::CaseFiles::in_memory(),
        );
        let router = crate::guarded()
            .merge(crate::assets::router())
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        paths.dedup();
        let mut wrong = Vec::new();
        for path in paths {
            for method in [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ] {
                let declared = lookup(method.as_str(), path).is_some();
                let status = client
                    .request(method.clone(), format!("{base}{}", concrete(path)))
                    .send()
                    .await
                    .unwrap()
                    .status();
                let routed = !matches!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
                );
                if routed != declared {
                    wrong.push(format!(
                        "{method} {path}: declared {declared}, router answers {status}"
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "router and table differ:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    #[should_panic(expected = "is not declared in routes::ROUTES")]
    fn a_route_missing_from_the_table_cannot_be_added_to_the_router() {
        let _ = Router::<AppState>::new().declared("/boern/{id}/hemmelig", get(|| async { "" }));
    }

    #[test]
    fn lookups_take_head_as_get_and_nothing_undeclared() {
        assert_eq!(lookup("HEAD", "/").map(|r| r.path), Some("/"));
        assert!(lookup("DELETE", "/api/v1/children/{id}/journal").is_none());
        assert_eq!(methods("/boern/{id}/journal"), ["GET", "POST"]);
    }
}
