//! Staff single sign-on over SAML 2.0 (OIOSAML 3, as Fælleskommunal Adgangsstyring speaks it)
//! against a real identity provider (pysaml2's, `vaern_testkit::saml`, started per test):
//! metadata exchanged both ways, signed AuthnRequests, signed (and encrypted) assertions with
//! the roles as privileges; a forged, expired, replayed or wrongly-audienced assertion refused.

use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::{Client, StatusCode};
use vaern_domain::Role;
use vaern_testkit::saml::{IdpOptions, KeyPair, SamlIdp};
use vaern_web::{
    oidc::RoleMapping,
    saml::{PRIVILEGES_ATTRIBUTE, SamlLogin, SamlSettings},
};

use crate::{
    common::TestApp,
    sso::{NOT_ACCEPTED, assert_refused, browser, location, log_out, user},
};

/// The municipality's CVR as Fælleskommunal Adgangsstyring scopes privileges.
const SCOPE: &str = "urn:dk:gov:saml:cvrNumberIdentifier:29189846";
const CASEWORKER: &str = "http://vaern.dk/roller/sagsbehandler/1";
const TEAM_LEAD: &str = "http://vaern.dk/roller/teamleder/1";

/// Bo a caseworker, Lis a team lead (and caseworker), Kaj a caseworker of another municipality.
fn directory() -> Vec<String> {
    let user = |username: &str, name: &str, privileges: &[&str], scope: &str| {
        serde_json::json!({"username": username, "name": name, "privileges": privileges, "scope": scope})
            .to_string()
    };
    vec![
        user("bo@kommune.dk", "Bo Berg", &[CASEWORKER], SCOPE),
        user(
            "lis@kommune.dk",
            "Lis Lund",
            &[CASEWORKER, TEAM_LEAD],
            SCOPE,
        ),
        user(
            "kaj@kommune.dk",
            "Kaj Kok",
            &[CASEWORKER],
            "urn:dk:gov:saml:cvrNumberIdentifier:11111111",
        ),
    ]
}

struct Setup {
    idp: SamlIdp,
    app: TestApp,
    _keys: vaern_testkit::saml::TempDir,
}

/// Værn with municipality 901 logging in at `idp`, which trusts Værn from Værn's own metadata.
async fn setup(idp: SamlIdp) -> Setup {
    let (sp, keys) = KeyPair::temporary("vaern-901");
    let mapping = |group: &str, role| RoleMapping {
        group: group.into(),
        role,
    };
    let settings = SamlSettings {
        municipality: "901".into(),
        label: "Log ind med Fælleskommunal Adgangsstyring".into(),
        idp_metadata: idp.metadata_file.clone(),
        sp_key: sp.key,
        sp_certificate: sp.certificate,
        entity_id: String::new(),
        username_attribute: String::new(),
        name_attribute: "https://data.gov.dk/model/core/eid/fullName".into(),
        roles_attribute: PRIVILEGES_ATTRIBUTE.into(),
        privilege_scope: SCOPE.into(),
        clock_skew_seconds: 1,
        roles: vec![
            mapping(TEAM_LEAD, Role::TeamLead),
            mapping(CASEWORKER, Role::Caseworker),
        ],
    };
    let app = TestApp::spawn_configured(Default::default(), |base, config| {
        config.saml = vec![SamlLogin::load(settings, base).expect("the SAML login loads")];
    })
    .await;
    let metadata = reqwest::get(app.url("/login/saml/901/metadata"))
        .await
        .unwrap();
    assert_eq!(metadata.status(), StatusCode::OK);
    idp.trust(&metadata.text().await.unwrap());
    Setup {
        idp,
        app,
        _keys: keys,
    }
}

async fn started(options: IdpOptions) -> Setup {
    setup(SamlIdp::start(&directory(), &options).await).await
}

fn field(html: &str, selector: &str, attribute: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr(attribute))
        .unwrap_or_else(|| panic!("no {selector:?} in {html}"))
        .to_owned()
}

/// The provider's answer for `username`, as its page would post it: the assertion consumer
/// service's URL and the `SAMLResponse`. `audience`: the provider addresses it to another
/// service provider than the one that asked.
async fn answer_from(
    app: &TestApp,
    browser: &Client,
    provider: &str,
    username: &str,
    audience: Option<&str>,
) -> (String, String) {
    let start = browser
        .get(app.url("/login/saml/901?next=/boern"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let request = location(&start);
    let at_provider = request.replacen(
        &request[..request.find("/sso/redirect").unwrap()],
        provider,
        1,
    );
    let page = browser.get(&at_provider).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the provider took the request"
    );
    let key = field(&page.text().await.unwrap(), "input[name=key]", "value");
    let mut form = vec![("key", key.as_str()), ("username", username)];
    if let Some(audience) = audience {
        form.push(("audience", audience));
    }
    let answer = browser
        .post(format!("{provider}/sso/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let acs = field(&answer, "form", "action");
    let response = field(&answer, "input[name=SAMLResponse]", "value");
    (acs, response)
}

async fn post_answer(browser: &Client, acs: &str, response: &str) -> reqwest::Response {
    browser
        .post(acs)
        .form(&[("SAMLResponse", response), ("RelayState", "")])
        .send()
        .await
        .unwrap()
}

async fn logged_in_as(app: &TestApp, browser: &Client, name: &str) {
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::OK, "a session");
    assert!(overview.text().await.unwrap().contains(name));
}

#[tokio::test]
async fn a_caseworker_logs_in_through_the_municipalitys_saml_provider_with_the_role_its_privileges_give()
 {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    let metadata = reqwest::get(app.url("/login/saml/901/metadata"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        format!("entityID=\"{}\"", app.url("/login/saml/901/metadata")),
        format!("Location=\"{}\"", app.url("/login/saml/901/acs")),
        "AuthnRequestsSigned=\"true\"".into(),
        "WantAssertionsSigned=\"true\"".into(),
        "use=\"encryption\"".into(),
        format!(
            "SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{}\"",
            app.url("/login/saml/901/slo")
        ),
    ] {
        assert!(metadata.contains(&expected), "{expected} in {metadata}");
    }

    let browser = browser();
    let login = browser
        .get(app.url("/login?next=/boern"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login.contains("href=\"/login/saml/901?next=%2Fboern\"")
            && login.contains("Log ind med Fælleskommunal Adgangsstyring")
    );
    let start = browser
        .get(app.url("/login/saml/901?next=/boern"))
        .send()
        .await
        .unwrap();
    let request = reqwest::Url::parse(&location(&start)).unwrap();
    assert!(
        request
            .as_str()
            .starts_with(&format!("{}/sso/redirect?", idp.base))
    );
    let query: std::collections::HashMap<_, _> = request.query_pairs().into_owned().collect();
    assert_eq!(
        query["SigAlg"], "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "the request is signed"
    );
    assert!(query.contains_key("Signature") && query.contains_key("SAMLRequest"));

    assert!(user(&app, "bo@kommune.dk").await.is_none());
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    assert_eq!(acs, app.url("/login/saml/901/acs"));
    let answer = post_answer(&browser, &acs, &response).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&answer),
        "/boern",
        "back where the login was asked for"
    );
    logged_in_as(&app, &browser, "Bo Berg").await;
    let bo = user(&app, "bo@kommune.dk")
        .await
        .expect("created on first login");
    assert_eq!((bo.role, bo.name.as_str()), (Role::Caseworker, "Bo Berg"));

    // Logging out ends the provider's session too: a signed LogoutRequest for Bo's NameID and
    // session, and the provider's signed answer back at Værn's logout endpoint.
    let out = location(&log_out(&app, &browser).await);
    assert!(
        out.starts_with(&format!("{}/slo/redirect?SAMLRequest=", idp.base)),
        "{out}"
    );
    assert!(
        out.contains("&SigAlg=") && out.contains("&Signature="),
        "signed"
    );
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        overview.status(),
        StatusCode::SEE_OTHER,
        "Værn's session has ended"
    );
    let at_provider = browser.get(&out).send().await.unwrap();
    assert_eq!(
        at_provider.status(),
        StatusCode::SEE_OTHER,
        "the provider took it"
    );
    let answer = location(&at_provider);
    assert!(
        answer.starts_with(&app.url("/login/saml/901/slo?SAMLResponse=")),
        "{answer}"
    );
    let back = browser.get(&answer).send().await.unwrap();
    assert_eq!(location(&back), "/login");
    let ended = reqwest::get(format!("{}/slo/log", idp.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (name_id, session) = ended.split_once(' ').unwrap_or_default();
    assert_eq!(name_id, "bo@kommune.dk", "Bo's session at the provider");
    assert!(!session.is_empty(), "named by its SessionIndex: {ended:?}");
}

#[tokio::test]
async fn a_logout_at_the_provider_ends_the_users_session_in_vaern_and_a_forged_one_does_not() {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    assert_eq!(
        post_answer(&browser, &acs, &response).await.status(),
        StatusCode::SEE_OTHER
    );
    let entity = app.url("/login/saml/901/metadata");
    let start = |username: &str| format!("{}/slo/start?sp={entity}&username={username}", idp.base);

    // Lis logs out at the provider: Bo's session here is not hers, so it stays.
    let asked = location(&browser.get(start("lis@kommune.dk")).send().await.unwrap());
    assert!(
        asked.starts_with(&app.url("/login/saml/901/slo?SAMLRequest=")),
        "{asked}"
    );
    let reply = browser.get(&asked).send().await.unwrap();
    assert!(location(&reply).starts_with(&format!("{}/slo/redirect?SAMLResponse=", idp.base)));
    logged_in_as(&app, &browser, "Bo Berg").await;

    // A request whose signature is not the provider's is refused.
    let asked = location(&browser.get(start("bo@kommune.dk")).send().await.unwrap());
    let forged = asked.replacen("Signature=", "Signature=AAAA", 1);
    let refused = browser.get(&forged).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    logged_in_as(&app, &browser, "Bo Berg").await;

    // Bo logs out at the provider: his session in Værn ends, the provider gets its answer.
    let reply = browser.get(&asked).send().await.unwrap();
    let answered = location(&reply);
    assert!(answered.starts_with(&format!("{}/slo/redirect?SAMLResponse=", idp.base)));
    assert!(answered.contains("&Signature="), "signed");
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test]
async fn an_encrypted_assertion_is_decrypted_with_vaerns_key_and_the_first_mapped_privilege_decides()
 {
    let Setup { idp, app, .. } = started(IdpOptions {
        encrypt: true,
        ..Default::default()
    })
    .await;
    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "lis@kommune.dk", None).await;
    let xml = String::from_utf8(STANDARD.decode(&response).unwrap()).unwrap();
    assert!(
        xml.contains("EncryptedAssertion") && !xml.contains("Lis Lund"),
        "the assertion travels encrypted"
    );
    let answer = post_answer(&browser, &acs, &response).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    logged_in_as(&app, &browser, "Lis Lund").await;
    assert_eq!(
        user(&app, "lis@kommune.dk").await.unwrap().role,
        Role::TeamLead
    );
}

#[tokio::test]
async fn privileges_for_another_municipality_give_no_role_here() {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "kaj@kommune.dk", None).await;
    let answer = post_answer(&browser, &acs, &response).await;
    assert_refused(
        &app,
        &browser,
        answer,
        "Din bruger har ingen rolle i Værn",
        "kaj@kommune.dk",
    )
    .await;
}

#[tokio::test]
async fn a_forged_assertion_is_refused_whether_altered_or_signed_by_another_key() {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    // Bo's genuine answer, altered to name Lis: the signature no longer holds.
    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    let xml = String::from_utf8(STANDARD.decode(&response).unwrap()).unwrap();
    let forged = STANDARD.encode(xml.replace("bo@kommune.dk", "lis@kommune.dk"));
    let answer = post_answer(&browser, &acs, &forged).await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "lis@kommune.dk").await;

    // The same answer with its signatures taken out.
    let browser = self::browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    let xml = String::from_utf8(STANDARD.decode(&response).unwrap()).unwrap();
    let unsigned = STANDARD.encode(without_signatures(&xml));
    let answer = post_answer(&browser, &acs, &unsigned).await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;

    // An impostor with the provider's name and address but its own key answers a request Værn
    // sent.
    let impostor = SamlIdp::start(
        &directory(),
        &IdpOptions {
            impersonate: Some(idp.base.clone()),
            ..Default::default()
        },
    )
    .await;
    let metadata = reqwest::get(app.url("/login/saml/901/metadata"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    impostor.trust(&metadata);
    let browser = self::browser();
    let (acs, response) = answer_from(&app, &browser, &impostor.base, "bo@kommune.dk", None).await;
    let answer = post_answer(&browser, &acs, &response).await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;
}

/// The XML without its `Signature` elements (whatever their prefix).
fn without_signatures(xml: &str) -> String {
    let mut rest = xml.to_owned();
    while let Some(start) = rest
        .find(":Signature ")
        .or_else(|| rest.find(":Signature>"))
    {
        let open = rest[..start].rfind('<').unwrap();
        let prefix = &rest[open + 1..start];
        let close = format!("</{prefix}:Signature>");
        let end = rest[open..].find(&close).unwrap() + open + close.len();
        rest.replace_range(open..end, "");
    }
    assert!(
        !rest.contains("SignatureValue"),
        "every signature taken out"
    );
    rest
}

#[tokio::test]
async fn an_expired_assertion_is_refused() {
    // Assertions valid two seconds, Værn allowing one second of clock skew: posted at once the
    // answer is accepted, four seconds later it is not.
    let Setup { idp, app, .. } = started(IdpOptions {
        lifetime: Some(2),
        ..Default::default()
    })
    .await;
    let fresh = browser();
    let (acs, response) = answer_from(&app, &fresh, &idp.base, "lis@kommune.dk", None).await;
    assert_eq!(
        post_answer(&fresh, &acs, &response).await.status(),
        StatusCode::SEE_OTHER,
        "a fresh assertion"
    );

    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let answer = post_answer(&browser, &acs, &response).await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;
}

#[tokio::test]
async fn an_assertion_addressed_to_another_service_is_refused() {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    // Another service the provider knows (with Værn's certificate, as a copy of Værn would).
    let ours = app.url("/login/saml/901/metadata");
    let metadata = reqwest::get(&ours).await.unwrap().text().await.unwrap();
    let other = "https://andet-system.example.dk/saml";
    idp.trust(&metadata.replace(
        &format!("entityID=\"{ours}\""),
        &format!("entityID=\"{other}\""),
    ));
    let browser = browser();
    let (acs, response) =
        answer_from(&app, &browser, &idp.base, "bo@kommune.dk", Some(other)).await;
    let xml = String::from_utf8(STANDARD.decode(&response).unwrap()).unwrap();
    assert!(xml.contains(&format!("Audience>{other}<")), "{xml}");
    let answer = post_answer(&browser, &acs, &response).await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;
}

#[tokio::test]
async fn an_answer_is_used_once_whichever_browser_brings_it_again() {
    let Setup { idp, app, .. } = started(IdpOptions::default()).await;
    let browser = browser();
    let (acs, response) = answer_from(&app, &browser, &idp.base, "bo@kommune.dk", None).await;
    assert_eq!(
        post_answer(&browser, &acs, &response).await.status(),
        StatusCode::SEE_OTHER
    );
    for again in [browser.clone(), self::browser()] {
        let replayed = post_answer(&again, &acs, &response).await;
        assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
        assert!(
            replayed
                .text()
                .await
                .unwrap()
                .contains("Svaret fra kommunens login er allerede brugt")
        );
    }
    let elsewhere = self::browser();
    let overview = elsewhere.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        overview.status(),
        StatusCode::SEE_OTHER,
        "no session from a replay"
    );
}
