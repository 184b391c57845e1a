//! Staff single sign-on over OpenID Connect: each municipality that has one names its identity
//! provider (Microsoft Entra ID, AD FS or any other OpenID provider), and its staff log in
//! there. The flow is the authorization code flow with PKCE, `state` and `nonce`; the ID
//! token's signature, issuer, audience, expiry and nonce are checked by the `openidconnect`
//! crate. Which claim names the user and which groups give which Værn role are the
//! municipality's settings ([`OidcSettings`]).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthenticationFlow, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata,
    RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
        CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
        CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
        CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
        CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
    },
    reqwest,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use vaern_app::auth::sso::SsoIdentity;
use vaern_domain::Role;

/// One municipality's OpenID Connect login (a `[[oidc]]` table in `vaern.toml`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The municipality's code in Værn (`901`).
    pub municipality: String,
    /// The text of the login button; empty: «Log ind med kommunens login».
    #[serde(default)]
    pub label: String,
    /// The provider's issuer URL; its discovery document is read from
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Empty for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret: String,
    /// The ID token claim that is the username in Værn (default `preferred_username`).
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The claim with the user's name (default `name`).
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
    /// The claim with the user's groups or roles: a list of strings (default `groups`).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Which group gives which role, the first that matches winning; a user in none of them is
    /// refused.
    pub roles: Vec<RoleMapping>,
}

/// A group (or app role) of the identity provider and the Værn role it gives.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    pub group: String,
    pub role: Role,
}

/// The role of the first mapping whose group the user is in.
pub(crate) fn first_role(mappings: &[RoleMapping], groups: &[String]) -> Option<Role> {
    mappings
        .iter()
        .find(|m| groups.contains(&m.group))
        .map(|m| m.role)
}

fn default_username_claim() -> String {
    "preferred_username".into()
}
fn default_name_claim() -> String {
    "name".into()
}
fn default_groups_claim() -> String {
    "groups".into()
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("municipality", &self.municipality)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &if self.client_secret.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("username_claim", &self.username_claim)
            .field("groups_claim", &self.groups_claim)
            .field("roles", &self.roles)
            .finish()
    }
}

impl OidcSettings {
    /// The first role whose group the user is in.
    fn role(&self, groups: &[String]) -> Option<Role> {
        first_role(&self.roles, groups)
    }

    /// The scheme, host and port of the issuer: where the browser is sent to log in and out.
    fn origin(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.issuer).ok()?;
        Some(url.origin().ascii_serialization()).filter(|o| o != "null")
    }
}

/// Every claim of the ID token beyond the standard ones, by name (the username and groups
/// claims are the municipality's choice).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherClaims(HashMap<String, serde_json::Value>);
impl AdditionalClaims for OtherClaims {}

/// The part of the discovery document that says where logout is (RP-initiated logout).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LogoutMetadata {
    end_session_endpoint: Option<String>,
}
impl AdditionalProviderMetadata for LogoutMetadata {}

type Metadata = ProviderMetadata<
    LogoutMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type Tokens = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long a discovery document (with the provider's signing keys) is used before it is
/// read again: keys the provider rotates in are picked up within this time.
const METADATA_LIFETIME: Duration = Duration::from_secs(10 * 60);

struct Provider {
    settings: OidcSettings,
    metadata: Mutex<Option<(Instant, Arc<Metadata>)>>,
}

/// The municipalities' OpenID Connect logins.
pub struct Oidc {
    providers: Vec<Provider>,
    /// Værn's own address as the browser sees it (`https://vaern.kommune.dk`): redirect URIs are
    /// made from it.
    public_url: String,
    http: reqwest::Client,
}

/// Why a login through the provider was refused; the Danish text is for the user, the detail
/// for the log.
#[derive(Debug)]
pub struct Refusal {
    pub message: &'static str,
    pub detail: String,
    /// The provider could not be asked (down, or misconfigured here), rather than saying no.
    pub unreachable: bool,
}

pub(crate) fn refusal(message: &'static str, detail: impl std::fmt::Display) -> Refusal {
    Refusal {
        message,
        detail: detail.to_string(),
        unreachable: false,
    }
}

fn provider_down(detail: impl std::fmt::Display) -> Refusal {
    Refusal {
        message: UNREACHABLE,
        detail: detail.to_string(),
        unreachable: true,
    }
}

const UNREACHABLE: &str =
    "Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller kontakt IT-supporten.";
pub(crate) const NOT_ACCEPTED: &str =
    "Svaret fra kommunens login kunne ikke godkendes. Prøv at logge ind igen.";
pub(crate) const NO_ROLE: &str =
    "Din bruger har ingen rolle i Værn hos kommunens login. Kontakt din administrator.";
pub(crate) const NO_USERNAME: &str =
    "Kommunens login sendte ikke et brugernavn, Værn kan bruge. Kontakt din administrator.";

/// A login begun: where to send the browser and what to remember until it comes back.
pub struct Started {
    pub authorize_url: String,
    pub pending: Pending,
}

/// What the browser keeps (in a short-lived cookie) between leaving for the provider and
/// coming back: nothing a third party could use, since the code it completes is bound to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    pub municipality: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
}

impl Oidc {
    pub fn new(settings: Vec<OidcSettings>, public_url: &str) -> Self {
        let http = reqwest::Client::builder()
            // Following redirects from the provider's endpoints would open Værn to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a TLS client builds");
        Self {
            providers: settings
                .into_iter()
                .map(|settings| Provider {
                    settings,
                    metadata: Mutex::new(None),
                })
                .collect(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            http,
        }
    }

    /// The municipalities with a login, and the text of their buttons.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.providers
            .iter()
            .map(|p| {
                let label = if p.settings.label.trim().is_empty() {
                    "Log ind med kommunens login".to_owned()
                } else {
                    p.settings.label.trim().to_owned()
                };
                (p.settings.municipality.clone(), label)
            })
            .collect()
    }

    /// The providers' origins, which forms may be sent on to (logout redirects there).
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .providers
            .iter()
            .filter_map(|p| p.settings.origin())
            .collect();
        origins.sort();
        origins.dedup();
        origins
    }

    fn provider(&self, municipality: &str) -> Option<&Provider> {
        self.providers
            .iter()
            .find(|p| p.settings.municipality == municipality)
    }

    /// Whether `municipality` has a login here.
    pub fn has(&self, municipality: &str) -> bool {
        self.provider(municipality).is_some()
    }

    fn redirect_url(&self, municipality: &str) -> String {
        format!("{}/login/sso/{municipality}/callback", self.public_url)
    }

    async fn metadata(&self, provider: &Provider) -> Result<Arc<Metadata>, Refusal> {
        let mut cached = provider.metadata.lock().await;
        if let Some((read, metadata)) = cached.as_ref()
            && read.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(provider.settings.issuer.clone())
            .map_err(|e| provider_down(format!("issuer URL: {e}")))?;
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| provider_down(format!("discovery: {}", chain(&e))))?;
        let metadata = Arc::new(metadata);
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, provider: &Provider) -> Result<(Client, Arc<Metadata>), Refusal> {
        let metadata = self.metadata(provider).await?;
        let secret = Some(provider.settings.client_secret.clone())
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        let redirect = RedirectUrl::new(self.redirect_url(&provider.settings.municipality))
            .map_err(|e| provider_down(format!("redirect URL: {e}")))?;
        let client = Client::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(provider.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect);
        Ok((client, metadata))
    }

    /// Begins a login for `municipality`, coming back to `next` (a local path) afterwards.
    /// `None`: the municipality has no login here.
    pub async fn start(&self, municipality: &str, next: &str) -> Option<Result<Started, Refusal>> {
        let provider = self.provider(municipality)?;
        Some(self.start_with(provider, next).await)
    }

    async fn start_with(&self, provider: &Provider, next: &str) -> Result<Started, Refusal> {
        let (client, _) = self.client(provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            authorize_url: url.to_string(),
            pending: Pending {
                municipality: provider.settings.municipality.clone(),
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_owned(),
            },
        })
    }

    /// Completes a login: the code is exchanged (with the PKCE verifier) for an ID token, whose
    /// signature, issuer, audience, expiry and nonce are checked, and the user's groups are
    /// mapped to a role. The caller has checked `state` against `pending`.
    pub async fn finish(&self, pending: &Pending, code: &str) -> Result<SsoIdentity, Refusal> {
        let provider = self
            .provider(&pending.municipality)
            .ok_or_else(|| refusal(NOT_ACCEPTED, "no provider for the municipality"))?;
        let (client, _) = self.client(provider).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| provider_down(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| refusal(NOT_ACCEPTED, format!("code exchange: {}", chain(&e))))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refusal(NOT_ACCEPTED, "the token response has no ID token"))?;
        let claims = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(pending.nonce.clone()),
            )
            .map_err(|e| refusal(NOT_ACCEPTED, format!("ID token: {}", chain(&e))))?;
        let settings = &provider.settings;
        let username = claim_text(claims, &settings.username_claim)
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                refusal(
                    NO_USERNAME,
                    format!("no {} claim in the ID token", settings.username_claim),
                )
            })?;
        let groups = claim_list(claims, &settings.groups_claim);
        let role = settings.role(&groups).ok_or_else(|| {
            refusal(
                NO_ROLE,
                format!("{username}'s groups {groups:?} map to no role"),
            )
        })?;
        Ok(SsoIdentity {
            name: claim_text(claims, &settings.name_claim).unwrap_or_else(|| username.clone()),
            username,
            role,
        })
    }

    /// Where to send the browser to end the provider's session too, when it says where.
    pub async fn logout_url(&self, municipality: &str) -> Option<String> {
        let provider = self.provider(municipality)?;
        let metadata = self.metadata(provider).await.ok()?;
        let end = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()?;
        let mut url = reqwest::Url::parse(end).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &provider.settings.client_id)
            .append_pair(
                "post_logout_redirect_uri",
                &format!("{}/login", self.public_url),
            );
        Some(url.to_string())
    }
}

type Claims = openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>;

/// A claim as text: the standard ones from their fields, any other from the rest.
fn claim_text(claims: &Claims, name: &str) -> Option<String> {
    let standard = match name {
        "sub" => Some(claims.subject().to_string()),
        "preferred_username" => claims.preferred_username().map(|u| u.to_string()),
        "email" => claims.email().map(|e| e.to_string()),
        "name" => claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        _ => None,
    };
    standard.or_else(|| match claims.additional_claims().0.get(name)? {
        serde_json::Value::String(text) => Some(text.clone()),
        _ => None,
    })
}

/// A claim as a list of strings (a single string counts as a list of one).
fn claim_list(claims: &Claims, name: &str) -> Vec<String> {
    match claims.additional_claims().0.get(name) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// An error with its causes, for the log.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(roles: &[(&str, Role)]) -> OidcSettings {
        OidcSettings {
            municipality: "901".into(),
            label: String::new(),
            issuer: "https://login.example.dk:8443/tenant/v2.0".into(),
            client_id: "vaern".into(),
            client_secret: "hemmelig".into(),
            username_claim: default_username_claim(),
            name_claim: default_name_claim(),
            groups_claim: default_groups_claim(),
            roles: roles
                .iter()
                .map(|(group, role)| RoleMapping {
                    group: (*group).into(),
                    role: *role,
                })
                .collect(),
        }
    }

    #[test]
    fn the_first_mapped_group_gives_the_role_and_no_mapped_group_gives_none() {
        let s = settings(&[("ledere", Role::TeamLead), ("raadgivere", Role::Caseworker)]);
        let groups = |g: &[&str]| g.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            s.role(&groups(&["raadgivere", "ledere"])),
            Some(Role::TeamLead)
        );
        assert_eq!(s.role(&groups(&["raadgivere"])), Some(Role::Caseworker));
        assert_eq!(s.role(&groups(&["kantine"])), None);
        assert_eq!(s.role(&[]), None);
    }

    #[test]
    fn forms_may_go_on_to_the_issuers_origin_only_and_the_secret_is_not_logged() {
        let s = settings(&[]);
        assert_eq!(s.origin().as_deref(), Some("https://login.example.dk:8443"));
        let oidc = Oidc::new(vec![s.clone(), s.clone()], "http://127.0.0.1:8080/");
        assert_eq!(oidc.origins(), ["https://login.example.dk:8443"]);
        assert_eq!(
            oidc.redirect_url("901"),
            "http://127.0.0.1:8080/login/sso/901/callback"
        );
        let shown = format!("{s:?}");
        assert!(!shown.contains("hemmelig"), "{shown}");
    }

    #[test]
    fn settings_are_read_from_toml_with_defaults_for_the_claims() {
        let s: OidcSettings = toml::from_str(
            r#"
            municipality = "901"
            issuer = "https://login.microsoftonline.com/abc/v2.0"
            client_id = "vaern"
            roles = [{ group = "g1", role = "caseworker" }, { group = "g2", role = "team_lead" }]
            "#,
        )
        .unwrap();
        assert_eq!(s.username_claim, "preferred_username");
        assert_eq!(s.groups_claim, "groups");
        assert_eq!(s.roles[1].role, Role::TeamLead);
        let unknown: Result<OidcSettings, _> = toml::from_str(
            "municipality = \"901\"\nissuer = \"x\"\nclient_id = \"c\"\nroles = []\nscope = \"x\"",
        );
        assert!(unknown.is_err());
    }
}
