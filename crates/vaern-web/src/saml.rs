//! Staff single sign-on over SAML 2.0 in the OIOSAML 3 profile, as KOMBIT's Fælleskommunal
//! Adgangsstyring and AD FS speak it: Værn is the service provider, with its own key and
//! certificate per municipality. AuthnRequests go by HTTP-Redirect, signed (RSA-SHA256); the
//! answer comes back by HTTP-POST to the assertion consumer service. The `samael` crate checks
//! the XML signatures (xmlsec), issuer, destination, recipient, `InResponseTo`, audience and
//! times; here Værn also insists on a signed assertion with an audience restriction and an
//! expiry, decrypts an encrypted assertion before its signature is checked, and reads the
//! user's roles from the assertion's privileges (OIOSAML's basic privilege profile, which
//! carries Fælleskommunal Adgangsstyring's «brugervendte systemroller»). Replay protection —
//! each request answered once, each assertion used once — is kept in the database
//! ([`vaern_app::auth::sso::saml_answer_arrived`]).

use std::path::PathBuf;

use base64::{Engine, engine::general_purpose::STANDARD};
use openssl::{
    pkey::{PKey, Private},
    x509::X509,
};
use samael::{
    crypto::{AllowedSignatureAlgorithm, CertificateDer, Crypto, CryptoProvider},
    metadata::{EntityDescriptor, HTTP_REDIRECT_BINDING},
    schema::{Assertion, CipherValue},
    service_provider::{ServiceProvider, ServiceProviderBuilder},
    traits::ToXml,
};
use serde::Deserialize;
use vaern_app::auth::sso::SsoIdentity;

use crate::oidc::{NO_ROLE, NO_USERNAME, NOT_ACCEPTED, Refusal, RoleMapping, first_role, refusal};

/// One municipality's SAML login (a `[[saml]]` table in `vaern.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlSettings {
    /// The municipality's code in Værn (`901`).
    pub municipality: String,
    /// The text of the login button; empty: «Log ind med kommunens login».
    #[serde(default)]
    pub label: String,
    /// The identity provider's metadata (an XML file, as the provider publishes it).
    pub idp_metadata: PathBuf,
    /// Værn's private key for this login (PEM): signs the AuthnRequests, decrypts assertions.
    pub sp_key: PathBuf,
    /// Værn's certificate for that key (PEM), published in Værn's metadata (a FOCES/OCES
    /// certificate for Fælleskommunal Adgangsstyring).
    pub sp_certificate: PathBuf,
    /// Værn's entity ID at the provider; empty: the address of Værn's metadata.
    #[serde(default)]
    pub entity_id: String,
    /// The attribute that is the username in Værn; empty: the assertion's NameID.
    #[serde(default)]
    pub username_attribute: String,
    /// The attribute with the user's name.
    #[serde(default = "default_name_attribute")]
    pub name_attribute: String,
    /// The attribute with the user's roles: OIOSAML's privileges (base64 `bpp:PrivilegeList`),
    /// or any attribute whose values are the roles themselves.
    #[serde(default = "default_roles_attribute")]
    pub roles_attribute: String,
    /// Only privileges in this scope count (Fælleskommunal Adgangsstyring:
    /// `urn:dk:gov:saml:cvrNumberIdentifier:<the municipality's CVR>`); empty: any scope.
    #[serde(default)]
    pub privilege_scope: String,
    /// How far the provider's clock may be from Værn's, in seconds.
    #[serde(default = "default_clock_skew")]
    pub clock_skew_seconds: i64,
    /// Which role (privilege) gives which Værn role, the first that matches winning.
    pub roles: Vec<RoleMapping>,
}

/// OIOSAML 3's attribute for the user's privileges.
pub const PRIVILEGES_ATTRIBUTE: &str = "https://data.gov.dk/model/core/eid/privilegesIntermediate";
/// OIOSAML 2's name for it, which older providers still send.
const LEGACY_PRIVILEGES_ATTRIBUTE: &str = "dk:gov:saml:attribute:Privileges_intermediate";

fn default_name_attribute() -> String {
    "https://data.gov.dk/model/core/eid/fullName".into()
}
fn default_roles_attribute() -> String {
    PRIVILEGES_ATTRIBUTE.into()
}
fn default_clock_skew() -> i64 {
    60
}

/// A municipality's SAML login, ready: the provider's metadata read and Værn's key loaded.
#[derive(Clone)]
pub struct SamlLogin {
    settings: SamlSettings,
    sp: ServiceProvider,
    key: PKey<Private>,
    /// Where the provider takes AuthnRequests by HTTP-Redirect.
    sso_url: String,
    /// Where the provider takes logout messages by HTTP-Redirect, when it has single logout.
    slo_url: Option<String>,
    /// Værn's logout endpoint (the provider's logout answers and requests come here).
    own_slo_url: String,
}

impl std::fmt::Debug for SamlLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlLogin")
            .field("settings", &self.settings)
            .field("entity_id", &self.sp.entity_id)
            .field("sso_url", &self.sso_url)
            .finish_non_exhaustive()
    }
}

fn read(path: &PathBuf, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

impl SamlLogin {
    /// Reads the provider's metadata and Værn's key and certificate; `public_url` is Værn's
    /// address as browsers see it. Fails with what is wrong, for the operator.
    pub fn load(settings: SamlSettings, public_url: &str) -> Result<SamlLogin, String> {
        let municipality = settings.municipality.clone();
        let context = |e: String| format!("saml for municipality {municipality}: {e}");
        let metadata = String::from_utf8(read(&settings.idp_metadata, "idp_metadata")?)
            .map_err(|_| context("idp_metadata is not UTF-8".into()))?;
        let idp: EntityDescriptor = metadata
            .parse()
            .map_err(|e| context(format!("idp_metadata is not SAML metadata: {e}")))?;
        let key = PKey::private_key_from_pem(&read(&settings.sp_key, "sp_key")?)
            .map_err(|e| context(format!("sp_key is not a PEM private key: {e}")))?;
        let certificate = X509::from_pem(&read(&settings.sp_certificate, "sp_certificate")?)
            .and_then(|c| c.to_der())
            .map_err(|e| context(format!("sp_certificate is not a PEM certificate: {e}")))?;
        let base = format!(
            "{}/login/saml/{municipality}",
            public_url.trim_end_matches('/')
        );
        let entity_id = if settings.entity_id.trim().is_empty() {
            format!("{base}/metadata")
        } else {
            settings.entity_id.trim().to_owned()
        };
        let sp = ServiceProviderBuilder::default()
            .entity_id(entity_id)
            .acs_url(format!("{base}/acs"))
            .slo_url(format!("{base}/slo"))
            .key(key.clone())
            .certificate(CertificateDer::from(certificate))
            .idp_metadata(idp)
            .allowed_signature_algorithms(vec![
                AllowedSignatureAlgorithm::RsaSha256,
                AllowedSignatureAlgorithm::RsaSha384,
                AllowedSignatureAlgorithm::RsaSha512,
            ])
            .max_clock_skew(chrono::Duration::seconds(settings.clock_skew_seconds))
            .max_issue_delay(chrono::Duration::seconds(
                settings.clock_skew_seconds + SAML_ANSWER_SECONDS,
            ))
            .build()
            .map_err(|e| context(e.to_string()))?;
        // Without the provider's signing certificate samael would not check signatures at all.
        match sp.idp_signing_certs() {
            Ok(Some(certs)) if !certs.is_empty() => {}
            _ => return Err(context("idp_metadata has no signing certificate".into())),
        }
        let sso_url = sp
            .sso_binding_location(HTTP_REDIRECT_BINDING)
            .ok_or_else(|| {
                context("idp_metadata has no SingleSignOnService with HTTP-Redirect".into())
            })?;
        let slo_url = sp.slo_binding_location(HTTP_REDIRECT_BINDING);
        Ok(SamlLogin {
            settings,
            sp,
            key,
            sso_url,
            slo_url,
            own_slo_url: format!("{base}/slo"),
        })
    }

    pub fn municipality(&self) -> &str {
        &self.settings.municipality
    }

    fn label(&self) -> String {
        let label = self.settings.label.trim();
        if label.is_empty() {
            "Log ind med kommunens login".to_owned()
        } else {
            label.to_owned()
        }
    }
}

/// How long after it was issued a response may arrive (besides the clock skew): the user's
/// browser carries it straight from the provider's page.
const SAML_ANSWER_SECONDS: i64 = 120;

/// The municipalities' SAML logins.
#[derive(Default)]
pub struct Saml {
    logins: Vec<SamlLogin>,
}

/// An answer the provider signed and Værn verified, for one request: the caller still checks
/// that the request was Værn's and is answered once ([`vaern_app::auth::sso::saml_answer_arrived`]).
#[derive(Debug)]
pub struct Verified {
    pub request_id: String,
    pub assertion_id: String,
    /// How long the assertion is valid for from now.
    pub lifetime: time::Duration,
    pub identity: SsoIdentity,
    /// Who the provider's session is for, to end it at logout.
    pub subject: SamlSubject,
}

/// The provider's name for the user and its session, as single logout names them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct SamlSubject {
    pub name_id: String,
    pub format: Option<String>,
    pub session_index: Option<String>,
}

/// A logout message the provider sent to Værn's logout endpoint, its signature checked.
#[derive(Debug, PartialEq, Eq)]
pub enum LogoutMessage {
    /// The answer to Værn's own LogoutRequest: the provider's session is over.
    Answered,
    /// The provider asks Værn to end `name_id`'s session (the user logged out elsewhere); the
    /// browser goes on to `reply`, Værn's signed LogoutResponse.
    Asked { name_id: String, reply: String },
}

impl Saml {
    pub fn new(logins: Vec<SamlLogin>) -> Self {
        Self { logins }
    }

    fn login(&self, municipality: &str) -> Option<&SamlLogin> {
        self.logins
            .iter()
            .find(|l| l.municipality() == municipality)
    }

    /// The municipalities with a SAML login, and the text of their buttons.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.logins
            .iter()
            .map(|l| (l.municipality().to_owned(), l.label()))
            .collect()
    }

    /// The origins of the providers' logout endpoints (logout redirects there).
    pub fn origins(&self) -> Vec<String> {
        self.logins
            .iter()
            .filter_map(|l| {
                let url = openidconnect::url::Url::parse(l.slo_url.as_deref()?).ok()?;
                Some(url.origin().ascii_serialization()).filter(|o| o != "null")
            })
            .collect()
    }

    /// Værn's metadata for `municipality`'s provider: entity ID, the assertion consumer
    /// service, and the certificate for signatures and for encryption.
    pub fn metadata(&self, municipality: &str) -> Option<Result<String, Refusal>> {
        let login = self.login(municipality)?;
        Some(sp_metadata(&login.sp))
    }

    /// A signed AuthnRequest for `municipality`'s provider: its ID and where to send the browser.
    pub fn start(&self, municipality: &str) -> Option<Result<(String, String), Refusal>> {
        let login = self.login(municipality)?;
        Some(start(login))
    }

    /// Where to send the browser to end `subject`'s session at `municipality`'s provider too: a
    /// signed LogoutRequest. `None`: no SAML login there, or its provider has no single logout.
    pub fn logout_url(&self, municipality: &str, subject: &SamlSubject) -> Option<String> {
        let login = self.login(municipality)?;
        let slo = login.slo_url.as_deref()?;
        match logout_request(login, slo, subject) {
            Ok(url) => Some(url),
            Err(refusal) => {
                tracing::error!(municipality, detail = %refusal.detail, "SAML logout request");
                None
            }
        }
    }

    /// Reads a logout message the provider sent by HTTP-Redirect (`query`: the raw query
    /// string), once its signature holds.
    pub fn logout_message(
        &self,
        municipality: &str,
        query: &str,
    ) -> Option<Result<LogoutMessage, Refusal>> {
        let login = self.login(municipality)?;
        Some(logout_message(login, query))
    }

    /// Verifies an answer (`SAMLResponse`, base64) to the login of `municipality`.
    pub fn finish(&self, municipality: &str, answer: &str) -> Option<Result<Verified, Refusal>> {
        let login = self.login(municipality)?;
        Some(finish(login, answer))
    }
}

fn sp_metadata(sp: &ServiceProvider) -> Result<String, Refusal> {
    let mut metadata = sp
        .metadata()
        .map_err(|e| refusal(NOT_ACCEPTED, format!("metadata: {e}")))?;
    for descriptor in metadata.sp_sso_descriptors.iter_mut().flatten() {
        // samael marks both of its key descriptors for signing; the second, with the
        // encryption methods, is the one providers encrypt assertions to.
        for key in descriptor.key_descriptors.iter_mut().flatten() {
            if key.encryption_methods.is_some() {
                key.key_use = Some("encryption".into());
            }
        }
        descriptor.authn_requests_signed = Some(true);
        descriptor.want_assertions_signed = Some(true);
        // samael lists its logout endpoint with the POST binding; Værn's takes HTTP-Redirect.
        for slo in descriptor.single_logout_services.iter_mut().flatten() {
            slo.binding = HTTP_REDIRECT_BINDING.into();
            slo.response_location = None;
        }
    }
    metadata
        .to_string()
        .map_err(|e| refusal(NOT_ACCEPTED, format!("metadata: {e:?}")))
}

fn start(login: &SamlLogin) -> Result<(String, String), Refusal> {
    let mut request = login
        .sp
        .make_authentication_request(&login.sso_url)
        .map_err(|e| refusal(NOT_ACCEPTED, format!("AuthnRequest: {e}")))?;
    // samael's own IDs hold 32 bits; a request ID must not be guessable.
    request.id = message_id();
    let url = request
        .signed_redirect("", &login.key)
        .map_err(|e| refusal(NOT_ACCEPTED, format!("signing the AuthnRequest: {e}")))?
        .ok_or_else(|| refusal(NOT_ACCEPTED, "the AuthnRequest has no destination"))?;
    Ok((request.id, url.to_string()))
}

/// A random ID for a request or response Værn sends (an XML NCName, 128 bits).
fn message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    format!("_{}", hex(&bytes))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn now_instant() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `xml` by the HTTP-Redirect binding to `destination` as `parameter` (`SAMLRequest` or
/// `SAMLResponse`): deflated, base64, signed with Værn's key (RSA-SHA256).
fn signed_redirect(
    login: &SamlLogin,
    destination: &str,
    parameter: &str,
    xml: &str,
) -> Result<String, Refusal> {
    use std::io::Write;
    let failed = |e: &dyn std::fmt::Display| refusal(NOT_ACCEPTED, format!("{parameter}: {e}"));
    let mut deflated = Vec::new();
    {
        let mut encoder =
            flate2::write::DeflateEncoder::new(&mut deflated, flate2::Compression::default());
        encoder.write_all(xml.as_bytes()).map_err(|e| failed(&e))?;
        encoder.finish().map_err(|e| failed(&e))?;
    }
    let mut url = openidconnect::url::Url::parse(destination).map_err(|e| failed(&e))?;
    url.query_pairs_mut()
        .append_pair(parameter, &STANDARD.encode(deflated));
    let signed = samael::crypto::sign_url(url, &login.key).map_err(|e| failed(&e))?;
    Ok(signed.to_string())
}

fn logout_request(login: &SamlLogin, slo: &str, subject: &SamlSubject) -> Result<String, Refusal> {
    let format = subject
        .format
        .as_deref()
        .map(|f| format!(" Format=\"{}\"", escape(f)))
        .unwrap_or_default();
    let session = subject
        .session_index
        .as_deref()
        .map(|i| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(i)))
        .unwrap_or_default();
    let xml = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{at}\" Destination=\"{slo}\"><saml:Issuer>{issuer}</saml:Issuer>\
         <saml:NameID{format}>{name}</saml:NameID>{session}</samlp:LogoutRequest>",
        id = message_id(),
        at = now_instant(),
        slo = escape(slo),
        issuer = escape(login.sp.entity_id.as_deref().unwrap_or_default()),
        name = escape(&subject.name_id),
    );
    signed_redirect(login, slo, "SAMLRequest", &xml)
}

/// The parts of a LogoutRequest or LogoutResponse Værn reads.
#[derive(Deserialize)]
struct LogoutXml {
    #[serde(rename = "@ID", default)]
    id: String,
    #[serde(rename = "@Destination", default)]
    destination: String,
    #[serde(rename = "Issuer", default)]
    issuer: Option<Text>,
    #[serde(rename = "NameID", default)]
    name_id: Option<Text>,
    #[serde(rename = "Status", default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(rename = "$text", default)]
    value: String,
}

fn logout_message(login: &SamlLogin, query: &str) -> Result<LogoutMessage, Refusal> {
    let not_accepted = |detail: &str| refusal(NOT_ACCEPTED, format!("logout: {detail}"));
    let pairs: std::collections::HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let (parameter, is_request) = if pairs.contains_key("SAMLRequest") {
        ("SAMLRequest", true)
    } else if pairs.contains_key("SAMLResponse") {
        ("SAMLResponse", false)
    } else {
        return Err(not_accepted("no SAMLRequest or SAMLResponse"));
    };
    if pairs.get("SigAlg").map(String::as_str)
        != Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    {
        return Err(not_accepted("not signed with RSA-SHA256"));
    }
    let uri = format!("/?{query}");
    let certs = login
        .sp
        .idp_signing_certs()
        .ok()
        .flatten()
        .unwrap_or_default();
    let signed = certs.iter().any(|cert| {
        samael::crypto::UrlVerifier::from_x509(cert)
            .and_then(|verifier| {
                if is_request {
                    verifier.verify_percent_encoded_request_uri_string(&uri)
                } else {
                    verifier.verify_percent_encoded_response_uri_string(&uri)
                }
            })
            .unwrap_or(false)
    });
    if !signed {
        return Err(not_accepted("the signature does not hold"));
    }
    let xml = inflate(&pairs[parameter]).ok_or_else(|| not_accepted("not deflated base64"))?;
    let message: LogoutXml =
        samael::metadata::de::from_str(&xml).map_err(|e| not_accepted(&format!("{e}")))?;
    let issuer = message.issuer.map(|i| i.value).unwrap_or_default();
    if issuer.trim()
        != login
            .sp
            .idp_metadata
            .entity_id
            .as_deref()
            .unwrap_or_default()
    {
        return Err(not_accepted("from another issuer"));
    }
    if !message.destination.is_empty() && message.destination != login.own_slo_url {
        return Err(not_accepted("for another destination"));
    }
    if !is_request {
        if let Some(code) = message
            .status
            .map(|s| s.code.value)
            .filter(|code| code != "urn:oasis:names:tc:SAML:2.0:status:Success")
        {
            tracing::warn!(code, "the provider could not end its session");
        }
        return Ok(LogoutMessage::Answered);
    }
    let name_id = message
        .name_id
        .map(|n| n.value.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| not_accepted("no NameID"))?;
    let slo = login
        .slo_url
        .as_deref()
        .ok_or_else(|| not_accepted("the provider has no logout endpoint"))?;
    let xml = format!(
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{at}\" Destination=\"{slo}\" InResponseTo=\"{request}\">\
         <saml:Issuer>{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode \
         Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>\
         </samlp:LogoutResponse>",
        id = message_id(),
        at = now_instant(),
        slo = escape(slo),
        request = escape(&message.id),
        issuer = escape(login.sp.entity_id.as_deref().unwrap_or_default()),
    );
    let reply = signed_redirect(login, slo, "SAMLResponse", &xml)?;
    Ok(LogoutMessage::Asked { name_id, reply })
}

/// A redirect binding's message: base64 of deflated XML.
fn inflate(encoded: &str) -> Option<String> {
    use std::io::Read;
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD.decode(compact).ok()?;
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(&bytes[..])
        .take(1 << 20)
        .read_to_string(&mut xml)
        .ok()?;
    Some(xml)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn finish(login: &SamlLogin, answer: &str) -> Result<Verified, Refusal> {
    let compact: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
    let xml = STANDARD
        .decode(compact)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| refusal(NOT_ACCEPTED, "SAMLResponse is not base64 UTF-8"))?;
    // Read unverified only for the request it claims to answer and whether its assertion is
    // encrypted; everything used below comes from the verified assertion.
    let envelope: Envelope = samael::metadata::de::from_str(&xml)
        .map_err(|e| refusal(NOT_ACCEPTED, format!("SAMLResponse: {e}")))?;
    if let Some(code) = envelope
        .status
        .map(|s| s.code.value)
        .filter(|code| code != "urn:oasis:names:tc:SAML:2.0:status:Success")
    {
        return Err(refusal(
            NOT_ACCEPTED,
            format!("the provider answered {code}"),
        ));
    }
    let request_id = Some(envelope.in_response_to)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| refusal(NOT_ACCEPTED, "an unsolicited response (no InResponseTo)"))?;
    let ids = [request_id.as_str()];
    let assertion = match &envelope.encrypted {
        Some(encrypted) => {
            let plain = decrypt(encrypted, &login.key)?;
            login.sp.parse_xml_response(&plain, Some(&ids))
        }
        None => login.sp.parse_xml_response(&xml, Some(&ids)),
    }
    .map_err(|e| refusal(NOT_ACCEPTED, format!("assertion: {e}")))?;
    let lifetime = checked_profile(&assertion)?;
    let name_id = assertion.subject.as_ref().and_then(|s| s.name_id.as_ref());
    let subject = SamlSubject {
        name_id: name_id.map(|n| n.value.clone()).unwrap_or_default(),
        format: name_id.and_then(|n| n.format.clone()),
        session_index: assertion
            .authn_statements
            .iter()
            .flatten()
            .find_map(|a| a.session_index.clone()),
    };
    Ok(Verified {
        request_id,
        assertion_id: assertion.id.clone(),
        lifetime,
        identity: identity(&login.settings, &assertion)?,
        subject,
    })
}

/// The parts of a `Response` read before its signature is checked.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "@InResponseTo", default)]
    in_response_to: String,
    #[serde(rename = "Status", default)]
    status: Option<Status>,
    #[serde(rename = "EncryptedAssertion", default)]
    encrypted: Option<Encrypted>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(rename = "StatusCode")]
    code: StatusCode,
}

#[derive(Deserialize)]
struct StatusCode {
    #[serde(rename = "@Value")]
    value: String,
}

/// XML encryption's pieces (xmlenc): the session key encrypted to Værn's key, beside the
/// encrypted data or inside its KeyInfo, and the data encrypted with the session key.
#[derive(Deserialize)]
struct Encrypted {
    #[serde(rename = "EncryptedData")]
    data: EncryptedData,
    #[serde(rename = "EncryptedKey", default)]
    key: Option<Ciphered>,
}

#[derive(Deserialize)]
struct EncryptedData {
    #[serde(rename = "EncryptionMethod")]
    method: Method,
    #[serde(rename = "KeyInfo", default)]
    key_info: Option<KeyInfo>,
    #[serde(rename = "CipherData")]
    cipher: CipherData,
}

#[derive(Deserialize)]
struct KeyInfo {
    #[serde(rename = "EncryptedKey", default)]
    key: Option<Ciphered>,
}

#[derive(Deserialize)]
struct Ciphered {
    #[serde(rename = "EncryptionMethod")]
    method: Method,
    #[serde(rename = "CipherData")]
    cipher: CipherData,
}

#[derive(Deserialize)]
struct Method {
    #[serde(rename = "@Algorithm")]
    algorithm: String,
}

#[derive(Deserialize)]
struct CipherData {
    #[serde(rename = "CipherValue")]
    value: String,
}

/// The decrypted assertion's XML, whose own signature is then checked like a plain one's.
fn decrypt(encrypted: &Encrypted, key: &PKey<Private>) -> Result<String, Refusal> {
    let failed = |e: &dyn std::fmt::Display| refusal(NOT_ACCEPTED, format!("decryption: {e}"));
    let session = encrypted
        .data
        .key_info
        .as_ref()
        .and_then(|k| k.key.as_ref())
        .or(encrypted.key.as_ref())
        .ok_or_else(|| failed(&"no EncryptedKey"))?;
    let cipher = |text: &str| CipherValue {
        value: text.chars().filter(|c| !c.is_whitespace()).collect(),
    };
    let session_key = Crypto::decrypt_assertion_key_info(
        &cipher(&session.cipher.value),
        &session.method.algorithm,
        key,
    )
    .map_err(|e| failed(&e))?;
    let data = STANDARD
        .decode(cipher(&encrypted.data.cipher.value).value)
        .map_err(|e| failed(&e))?;
    let plain = decrypt_data(&encrypted.data.method.algorithm, &session_key, &data)
        .map_err(|e| failed(&e))?;
    String::from_utf8(plain).map_err(|_| failed(&"not UTF-8"))
}

/// XML encryption's block ciphers (samael's own knows only the AES-128 ones; OIOSAML 3 asks
/// for AES-256-GCM). CBC: a 16-byte IV, then the blocks, padded as XML encryption pads (the
/// last byte says how many bytes to drop). GCM: a 12-byte IV, the data, a 16-byte tag.
fn decrypt_data(algorithm: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    use openssl::symm::{Cipher, Crypter, Mode, decrypt_aead};
    let (cipher, gcm) = match algorithm {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => (Cipher::aes_128_cbc(), false),
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => (Cipher::aes_192_cbc(), false),
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => (Cipher::aes_256_cbc(), false),
        "http://www.w3.org/2009/xmlenc11#aes128-gcm" => (Cipher::aes_128_gcm(), true),
        "http://www.w3.org/2009/xmlenc11#aes192-gcm" => (Cipher::aes_192_gcm(), true),
        "http://www.w3.org/2009/xmlenc11#aes256-gcm" => (Cipher::aes_256_gcm(), true),
        other => return Err(format!("{other} is not an encryption Værn accepts")),
    };
    if key.len() != cipher.key_len() {
        return Err("the session key has the wrong length".into());
    }
    if gcm {
        if data.len() < 12 + 16 {
            return Err("too short".into());
        }
        let (iv, rest) = data.split_at(12);
        let (text, tag) = rest.split_at(rest.len() - 16);
        return decrypt_aead(cipher, key, Some(iv), &[], text, tag).map_err(|e| e.to_string());
    }
    if data.len() < 32 || !data.len().is_multiple_of(16) {
        return Err("not whole blocks".into());
    }
    let (iv, text) = data.split_at(16);
    let mut crypter =
        Crypter::new(cipher, Mode::Decrypt, key, Some(iv)).map_err(|e| e.to_string())?;
    crypter.pad(false);
    let mut plain = vec![0; text.len() + cipher.block_size()];
    let mut n = crypter
        .update(text, &mut plain)
        .map_err(|e| e.to_string())?;
    n += crypter
        .finalize(&mut plain[n..])
        .map_err(|e| e.to_string())?;
    plain.truncate(n);
    let padding = usize::from(*plain.last().ok_or("empty")?);
    if padding == 0 || padding > 16 || padding > plain.len() {
        return Err("bad padding".into());
    }
    plain.truncate(plain.len() - padding);
    Ok(plain)
}

/// What OIOSAML 3 requires beyond what samael checks: an assertion addressed to an audience
/// (samael checks it is Værn only when there is one) and with an expiry. That it is signed
/// samael has made sure of: it keeps only what a verified signature of the provider covers
/// (the assertion's own, or the response's around it), so an unsigned assertion is no
/// assertion. Returns how long it is valid for.
fn checked_profile(assertion: &Assertion) -> Result<time::Duration, Refusal> {
    if assertion.id.is_empty() {
        return Err(refusal(NOT_ACCEPTED, "the assertion has no ID"));
    }
    let conditions = assertion
        .conditions
        .as_ref()
        .ok_or_else(|| refusal(NOT_ACCEPTED, "the assertion has no Conditions"))?;
    if conditions
        .audience_restrictions
        .as_ref()
        .is_none_or(|r| r.iter().all(|r| r.audience.is_empty()))
    {
        return Err(refusal(NOT_ACCEPTED, "the assertion names no audience"));
    }
    let until = conditions
        .not_on_or_after
        .ok_or_else(|| refusal(NOT_ACCEPTED, "the assertion has no NotOnOrAfter"))?;
    let left = (until - chrono::Utc::now()).num_seconds();
    Ok(time::Duration::seconds(left.clamp(0, 24 * 60 * 60)))
}

fn attribute_values<'a>(assertion: &'a Assertion, name: &str) -> Vec<&'a str> {
    assertion
        .attribute_statements
        .iter()
        .flatten()
        .flat_map(|s| &s.attributes)
        .filter(|a| a.name.as_deref() == Some(name))
        .flat_map(|a| &a.values)
        .filter_map(|v| v.value.as_deref())
        .collect()
}

fn identity(settings: &SamlSettings, assertion: &Assertion) -> Result<SsoIdentity, Refusal> {
    let username = if settings.username_attribute.trim().is_empty() {
        assertion
            .subject
            .as_ref()
            .and_then(|s| s.name_id.as_ref())
            .map(|n| n.value.trim().to_owned())
    } else {
        attribute_values(assertion, settings.username_attribute.trim())
            .first()
            .map(|v| v.trim().to_owned())
    }
    .filter(|u| !u.is_empty())
    .ok_or_else(|| refusal(NO_USERNAME, "the assertion names no username"))?;
    let roles: Vec<String> = attribute_values(assertion, &settings.roles_attribute)
        .into_iter()
        .flat_map(|value| {
            if is_privileges(&settings.roles_attribute) {
                privileges(value, &settings.privilege_scope)
            } else {
                vec![value.trim().to_owned()]
            }
        })
        .collect();
    let role = first_role(&settings.roles, &roles).ok_or_else(|| {
        refusal(
            NO_ROLE,
            format!("{username}'s roles {roles:?} map to no role"),
        )
    })?;
    let name = attribute_values(assertion, &settings.name_attribute)
        .first()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| username.clone());
    Ok(SsoIdentity {
        username,
        name,
        role,
    })
}

fn is_privileges(attribute: &str) -> bool {
    attribute == PRIVILEGES_ATTRIBUTE || attribute == LEGACY_PRIVILEGES_ATTRIBUTE
}

/// OIOSAML's basic privilege profile: a base64 `bpp:PrivilegeList` of privilege groups, each
/// with a scope (the organisation, by CVR) and its privileges.
#[derive(Deserialize)]
struct PrivilegeList {
    #[serde(rename = "PrivilegeGroup", default)]
    groups: Vec<PrivilegeGroup>,
}

#[derive(Deserialize)]
struct PrivilegeGroup {
    #[serde(rename = "@Scope", default)]
    scope: String,
    #[serde(rename = "Privilege", default)]
    privileges: Vec<String>,
}

/// The privileges of a privilege list in `scope` (any scope when empty); nothing from a value
/// that is not one.
fn privileges(value: &str, scope: &str) -> Vec<String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(xml) = STANDARD
        .decode(compact)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return Vec::new();
    };
    let Ok(list) = samael::metadata::de::from_str::<PrivilegeList>(&xml) else {
        return Vec::new();
    };
    list.groups
        .into_iter()
        .filter(|g| scope.is_empty() || g.scope.trim() == scope)
        .flat_map(|g| g.privileges)
        .map(|p| p.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(xml: &str) -> String {
        STANDARD.encode(xml)
    }

    const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:11111111">
    <Privilege>http://vaern.dk/roller/sagsbehandler/1</Privilege>
    <Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*</Constraint>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:22222222">
    <Privilege>http://vaern.dk/roller/administrator/1</Privilege>
  </PrivilegeGroup>
</bpp:PrivilegeList>"#;

    #[test]
    fn privileges_count_only_in_the_municipalitys_own_scope() {
        let ours = "urn:dk:gov:saml:cvrNumberIdentifier:11111111";
        assert_eq!(
            privileges(&encoded(LIST), ours),
            ["http://vaern.dk/roller/sagsbehandler/1"]
        );
        assert_eq!(privileges(&encoded(LIST), "").len(), 2, "any scope");
        assert!(privileges(&encoded(LIST), "urn:dk:gov:saml:cvrNumberIdentifier:3").is_empty());
    }

    /// XML encryption's CBC: the IV first, the plaintext padded to whole blocks with the pad's
    /// length in its last byte (the other pad bytes arbitrary).
    fn cbc(key: &[u8], plain: &[u8]) -> Vec<u8> {
        use openssl::symm::{Cipher, Crypter, Mode};
        let iv = [7u8; 16];
        let pad = 16 - plain.len() % 16;
        let mut padded = plain.to_vec();
        padded.extend(std::iter::repeat_n(0xAB, pad - 1));
        padded.push(pad as u8);
        let mut crypter =
            Crypter::new(Cipher::aes_256_cbc(), Mode::Encrypt, key, Some(&iv)).unwrap();
        crypter.pad(false);
        let mut out = vec![0; padded.len() + 16];
        let n = crypter.update(&padded, &mut out).unwrap();
        out.truncate(n);
        [iv.to_vec(), out].concat()
    }

    const AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";

    #[test]
    fn aes_cbc_data_is_decrypted_and_its_padding_dropped() {
        let key = [3u8; 32];
        for plain in [&b"<Assertion/>"[..], &[b'x'; 16][..]] {
            assert_eq!(
                decrypt_data(AES256_CBC, &key, &cbc(&key, plain)).unwrap(),
                plain
            );
        }
        assert!(
            decrypt_data(AES256_CBC, &[3u8; 16], &cbc(&key, b"x")).is_err(),
            "key length"
        );
        assert!(
            decrypt_data(
                "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
                &key,
                &[0; 32]
            )
            .is_err(),
            "3DES is not accepted"
        );
    }

    fn settings(dir: &std::path::Path, metadata: &str) -> SamlSettings {
        let keys = vaern_testkit::saml::KeyPair::generate(dir, "sp");
        let idp_metadata = dir.join("idp.xml");
        std::fs::write(&idp_metadata, metadata).unwrap();
        SamlSettings {
            municipality: "901".into(),
            label: String::new(),
            idp_metadata,
            sp_key: keys.key,
            sp_certificate: keys.certificate,
            entity_id: String::new(),
            username_attribute: String::new(),
            name_attribute: default_name_attribute(),
            roles_attribute: default_roles_attribute(),
            privilege_scope: String::new(),
            clock_skew_seconds: default_clock_skew(),
            roles: Vec::new(),
        }
    }

    /// Without a signing certificate samael would skip the signature check: such metadata (or
    /// none at all, or no key) stops Værn at startup instead.
    #[test]
    fn a_login_whose_provider_metadata_has_no_signing_certificate_does_not_load() {
        let dir = tempfile::tempdir().unwrap();
        let unsigned = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.dk">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.dk/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;
        let error = SamlLogin::load(settings(dir.path(), unsigned), "https://vaern.example.dk")
            .unwrap_err();
        assert!(error.contains("no signing certificate"), "{error}");
        let error = SamlLogin::load(settings(dir.path(), "ikke xml"), "https://vaern.example.dk")
            .unwrap_err();
        assert!(error.contains("not SAML metadata"), "{error}");
        let mut missing = settings(dir.path(), unsigned);
        missing.sp_key = dir.path().join("findes-ikke.key");
        let error = SamlLogin::load(missing, "https://vaern.example.dk").unwrap_err();
        assert!(error.contains("sp_key"), "{error}");
    }

    #[test]
    fn a_value_that_is_no_privilege_list_gives_no_privileges() {
        assert!(privileges("ikke base64!", "").is_empty());
        assert!(privileges(&encoded("<andet/>"), "").is_empty());
        assert!(privileges(&encoded("<ikke xml"), "").is_empty());
    }
}
