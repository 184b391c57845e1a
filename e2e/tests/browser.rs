//! User journeys in headless Chromium, each page checked with axe-core (WCAG 2.1 AA).

use std::{
    net::TcpListener as StdListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::{Value, json};
use vaern_testkit::TestDb;
use vaern_web::{AppState, WebConfig};

const AXE: &str = include_str!("../vendor/axe.min.js");

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Browser {
    client: Client,
    /// Mouse clicks since the last `reset_clicks` (typing and keyboard choices don't count).
    clicks: std::sync::atomic::AtomicU32,
    base: String,
    _driver: Driver,
    _test: TestDb,
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start() -> Browser {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vaern_web::serve(
        listener,
        AppState::new(
            test.db.clone(),
            WebConfig::default(),
            vaern_app::documents::CaseFiles::in_memory(),
        ),
        std::future::pending(),
    ));

    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let port = free_port();
    let driver = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{chromedriver} could not start ({e}); run: apt-get install -y chromium chromium-driver"));
    let driver = Driver(driver);
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=da-DK"]
        }
    });
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let client = client.expect("chromedriver did not accept a session");
    Browser {
        client,
        clicks: Default::default(),
        base,
        _driver: driver,
        _test: test,
    }
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        format!(
            "{}{}",
            url.path(),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        )
    }

    /// The page's text, read by script: an element found just before a navigation would go
    /// stale, so a failed read during one is retried.
    async fn text(&self) -> String {
        for _ in 0..100 {
            let read = self
                .client
                .execute(
                    "return document.readyState === 'complete' && document.body ? document.body.innerText : null",
                    vec![],
                )
                .await;
            if let Ok(Value::String(text)) = read {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page's text could not be read at {}", self.path().await);
    }

    /// Runs axe-core on the page; fails on any serious or critical WCAG 2.1 A/AA violation.
    async fn check_accessibility(&self, name: &str) {
        let screenshot = self.client.screenshot().await.unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/e2e-screenshots");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(format!("{dir}/{name}.png"), screenshot).unwrap();
        self.client.execute(AXE, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done({ passes: r.passes.length, violations: r.violations
                       .filter(v => v.impact === 'serious' || v.impact === 'critical')
                       .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(' | ')) }))
                   .catch(e => done({ passes: 0, violations: ['axe failed: ' + e] }));",
                vec![],
            )
            .await
            .unwrap();
        let passes = result["passes"].as_u64().unwrap_or(0);
        assert!(
            passes > 10,
            "{name}: axe-core did not run its checks ({result})"
        );
        let violations: Vec<String> = serde_json::from_value(result["violations"].clone()).unwrap();
        assert!(
            violations.is_empty(),
            "{name}: accessibility violations:\n{}",
            violations.join("\n")
        );
    }

    /// Logs in by keyboard only: type, Tab, type, Enter.
    async fn login(&self, username: &str) {
        self.goto("/login").await;
        self.check_accessibility("login").await;
        let field = self.client.find(Locator::Id("username")).await.unwrap();
        field.click().await.unwrap();
        let keys = format!(
            "{username}{}{}{}",
            char::from(Key::Tab),
            vaern_app::demo::DEMO_PASSWORD,
            char::from(Key::Enter)
        );
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(&keys)
            .await
            .unwrap();
        self.wait_for("Mit overblik", |path| path == "/").await;
    }

    /// Waits until the address contains `fragment` and the new page has finished loading.
    async fn wait_for_url(&self, fragment: &str) {
        self.wait_for(fragment, |path| path.contains(fragment))
            .await;
    }

    async fn wait_for(&self, what: &str, reached: impl Fn(&str) -> bool) {
        for _ in 0..100 {
            if reached(&self.path().await) {
                let ready = self
                    .client
                    .execute("return document.readyState", vec![])
                    .await
                    .unwrap();
                if ready == "complete" {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected to reach {what}, at {}", self.path().await);
    }

    /// Waits until the page shows `needle` (after a form posted back to the same address).
    async fn wait_for_text(&self, needle: &str) {
        for _ in 0..100 {
            // Read the text by script: while the form posts, the old page's elements go stale
            // and a script run during navigation may fail; both just mean "not yet".
            let shown = self
                .client
                .execute(
                    "return document.readyState === 'complete' && document.body ? document.body.innerText : ''",
                    vec![],
                )
                .await;
            if shown.is_ok_and(|text| text.as_str().is_some_and(|t| t.contains(needle))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected the page to show {needle:?}:\n{}",
            self.text().await
        );
    }

    async fn fill(&self, id: &str, value: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Clicks a link by its text (counted).
    async fn click_link(&self, text: &str) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let xpath = format!("//main//a[contains(normalize-space(.), '{text}')]");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    fn reset_clicks(&self) -> u32 {
        self.clicks.swap(0, std::sync::atomic::Ordering::Relaxed)
    }

    /// Chooses a radio button or checkbox by keyboard (Space), as a keyboard user would.
    async fn choose(&self, id: &str) {
        let element = self.client.find(Locator::Id(id)).await.unwrap();
        element.send_keys(" ").await.unwrap();
    }

    async fn press(&self, button_text: &str) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let xpath = format!("//main//button[normalize-space(.)='{button_text}']");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_caseworker_logs_in_searches_creates_a_child_and_writes_a_journal_note() {
    let b = start().await;
    b.login("raadgiver901").await;
    assert!(b.text().await.contains("Mit overblik"));
    b.check_accessibility("mit-overblik").await;

    // "/" focuses the search field from anywhere; Enter searches.
    b.client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    let focused = b
        .client
        .active_element()
        .await
        .unwrap()
        .attr("id")
        .await
        .unwrap();
    assert_eq!(
        focused.as_deref(),
        Some("header-search"),
        "/ focuses the search field"
    );
    let keys = format!("Nielsen{}", char::from(Key::Enter));
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&keys)
        .await
        .unwrap();
    b.wait_for_url("/boern?q=Nielsen").await;
    assert!(b.text().await.contains("fundet for «Nielsen»"));
    b.check_accessibility("soegning").await;

    // Create a child: first with mistakes (the error summary and the typed input stay), then right.
    b.goto("/boern/ny").await;
    b.check_accessibility("opret-barn").await;
    b.fill("cpr", "290201-4001").await;
    b.fill("first_name", "Sigrid").await;
    b.press("Opret barn og barnets sag").await;
    let summary = b
        .client
        .wait()
        .for_element(Locator::Css("[data-module='error-summary']"))
        .await
        .unwrap();
    let summary_text = summary.text().await.unwrap();
    assert!(
        summary_text.contains("CPR-nummeret findes ikke: datoen 29.02.2001 eksisterer ikke"),
        "{summary_text}"
    );
    assert!(summary_text.contains("Udfyld efternavn"));
    let kept = b
        .client
        .find(Locator::Id("first_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Sigrid"));
    b.check_accessibility("opret-barn-fejl").await;
    b.fill("cpr", "010220-4006").await;
    b.fill("last_name", "Bæk").await;
    b.press("Opret barn og barnets sag").await;
    b.wait_for_url("besked=oprettet").await;
    let page = b.text().await;
    assert!(
        page.contains("Sigrid Bæk")
            && page.contains("010220-xxxx")
            && page.contains("Barnets sag oprettet"),
        "{page}"
    );

    // Write a journal note and see it in the journal.
    b.fill("title", "Første samtale").await;
    b.fill("text", "Sigrid fortalte om skolen. <b>ikke fed</b>")
        .await;
    b.press("Gem notat").await;
    b.wait_for_url("besked=gemt").await;
    let page = b.text().await;
    assert!(page.contains("Notatet er gemt i journalen."));
    assert!(page.contains("Første samtale"));
    assert!(
        page.contains("<b>ikke fed</b>"),
        "markup is shown as text, not rendered"
    );
    b.check_accessibility("barnets-journal").await;

    b.goto("/frister").await;
    assert!(b.text().await.contains("Barnets lov § 136"));
    b.check_accessibility("frister").await;

    // The child is found by CPR without the dash.
    b.goto("/boern?q=0102204006").await;
    assert!(b.text().await.contains("Sigrid Bæk"));
}

#[tokio::test]
async fn an_administrator_manages_users_and_reads_the_access_log() {
    let b = start().await;
    b.login("admin901").await;
    b.check_accessibility("admin-overblik").await;
    b.goto("/admin/brugere").await;
    b.check_accessibility("brugere").await;
    b.fill("name", "Ida Nybegynder").await;
    b.fill("username", "ida.ny").await;
    b.fill("password", "kort").await;
    b.press("Opret bruger").await;
    let summary = b
        .client
        .wait()
        .for_element(Locator::Css("[data-module='error-summary']"))
        .await
        .unwrap();
    assert!(
        summary
            .text()
            .await
            .unwrap()
            .contains("Adgangskoden skal være mindst 12 tegn")
    );
    b.check_accessibility("brugere-fejl").await;
    b.fill("password", "et-langt-kodeord").await;
    b.press("Opret bruger").await;
    b.wait_for_url("/admin/brugere?besked=oprettet").await;
    assert!(b.text().await.contains("Ida Nybegynder"));
    b.goto("/admin/adgangslog").await;
    assert!(b.text().await.contains("Adgangslog"));
    b.check_accessibility("adgangslog").await;
}

#[tokio::test]
async fn an_underretning_is_registered_assessed_and_an_investigation_opened_within_three_clicks_each()
 {
    let b = start().await;
    b.login("raadgiver901").await;

    // Register an underretning: the child from Mit overblik, the button, submit.
    b.reset_clicks();
    let first_child = b
        .client
        .find(Locator::Css("main table tbody tr td a"))
        .await
        .unwrap();
    let child_name = first_child.text().await.unwrap();
    b.clicks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    first_child.click().await.unwrap();
    b.wait_for_url("/overblik").await;
    b.check_accessibility("barnets-overblik").await;
    b.click_link("Registrér underretning").await;
    b.wait_for_url("/underretninger/ny").await;
    b.check_accessibility("registrer-underretning").await;
    b.choose("notifier_kind-professional").await;
    b.fill("notifier_name", "Lise Lærer").await;
    b.fill("notifier_organisation", "Værnby Skole").await;
    b.choose("concern-omsorgssvigt").await;
    b.fill("text", "Barnet kommer ofte sultent i skole og er træt.")
        .await;
    b.press("Registrér underretning").await;
    b.wait_for_url("besked=registreret").await;
    assert!(
        b.reset_clicks() <= 3,
        "registering an underretning takes at most 3 clicks"
    );
    let page = b.text().await;
    assert!(page.contains("Underretningen er registreret"));
    assert!(
        page.contains("Næste skridt: Vurdering inden 24 timer"),
        "{page}"
    );
    assert!(
        page.contains("om 23 t") || page.contains("om 24 t"),
        "the 24-hour countdown shows"
    );
    b.check_accessibility("delsag-underretning").await;

    // Mit overblik now lists it on top with its countdown; assess it from there.
    b.goto("/").await;
    let overview = b.text().await;
    assert!(
        overview.contains("Underretninger der venter på 24-timersvurdering (1)"),
        "{overview}"
    );
    assert!(overview.contains(&child_name));
    b.check_accessibility("mit-overblik-med-frister").await;
    b.reset_clicks();
    b.click_link("underretning modtaget").await;
    b.wait_for_url("/delsager/").await;
    b.choose("risk-nej").await;
    b.choose("immediate-nej").await;
    b.fill(
        "reasoning",
        "Ingen tegn på akut fare; afklaring fortsætter.",
    )
    .await;
    b.press("Gem vurdering").await;
    b.wait_for_url("besked=vurderet").await;
    assert!(
        b.reset_clicks() <= 3,
        "recording the assessment takes at most 3 clicks"
    );
    let page = b.text().await;
    assert!(page.contains("Barnets sundhed eller udvikling i fare: nej"));
    assert!(
        page.contains("Næste skridt: Kvittering til underretteren"),
        "{page}"
    );

    // Open an investigation: the child, choose the kind (keyboard), create.
    b.goto("/").await;
    b.reset_clicks();
    b.click_link(&child_name).await;
    b.wait_for_url("/overblik").await;
    let kind = b.client.find(Locator::Id("kind")).await.unwrap();
    kind.select_by_value("investigation").await.unwrap();
    b.press("Opret delsag").await;
    b.wait_for_url("besked=oprettet").await;
    assert!(
        b.reset_clicks() <= 3,
        "opening an investigation takes at most 3 clicks"
    );
    let page = b.text().await;
    assert!(
        page.contains("Børnefaglig undersøgelse")
            && page.contains("Næste skridt: Samtale med barnet"),
        "{page}"
    );
    assert!(
        page.contains("Barnets lov § 22, stk. 6"),
        "each step shows its paragraph"
    );
    b.check_accessibility("delsag-undersoegelse").await;
}

#[tokio::test]
async fn a_caseworker_files_a_document_adds_a_custody_holder_and_writes_to_her_and_an_administrator_edits_a_template()
 {
    let b = start().await;
    b.login("raadgiver901").await;
    let first_child = b
        .client
        .find(Locator::Css("main table tbody tr td a"))
        .await
        .unwrap();
    first_child.click().await.unwrap();
    b.wait_for_url("/overblik").await;
    b.click_link("Dokumenter").await;
    b.wait_for_url("/dokumenter").await;
    b.check_accessibility("dokumenter").await;

    // A file whose content does not match its name is refused at the field.
    let dir = std::env::temp_dir().join(format!("vaern-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrong = dir.join("udtalelse.pdf");
    std::fs::write(&wrong, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    b.fill("title", "Udtalelse fra skolen").await;
    b.client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(wrong.to_str().unwrap())
        .await
        .unwrap();
    b.press("Gem dokument").await;
    // The refused upload answers at the same address: wait for its message, not the URL.
    b.wait_for_text("Filens indhold passer ikke med navnet")
        .await;
    b.check_accessibility("dokumenter-fejl").await;

    b.client
        .find(Locator::Css("#kind option[value='incoming']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = dir.join("skoleudtalelse.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    )
    .unwrap();
    b.client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(pdf.to_str().unwrap())
        .await
        .unwrap();
    b.press("Gem dokument").await;
    b.wait_for_url("besked=gemt").await;
    assert!(b.text().await.contains("Udtalelse fra skolen"));
    b.check_accessibility("dokument").await;

    // The mother, with custody and address, in the network.
    b.click_link("Netværk").await;
    b.wait_for_url("/netvaerk").await;
    b.check_accessibility("netvaerk").await;
    b.fill("first_name", "Mette").await;
    b.fill("last_name", "Hansen").await;
    b.client
        .find(Locator::Css("#kind option[value='mother']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.choose("custody").await;
    b.fill("address", "Skolevej 2\n9999 Værnby").await;
    b.press("Tilføj person").await;
    // The demo's CPR register names another mother: the warning holds her until confirmed.
    b.wait_for_text("CPR-registret angiver en anden som barnets mor")
        .await;
    b.check_accessibility("netvaerk-advarsel").await;
    b.choose("confirm_register").await;
    b.press("Tilføj person").await;
    b.wait_for_url("besked=tilfoejet").await;
    assert!(b.text().await.contains("Mette Hansen"));
    b.check_accessibility("netvaerk-med-tegning").await;

    // A letter to her: Dokumenter → Dan brev → the kind → fill in → filed on the case.
    b.click_link("Dokumenter").await;
    b.wait_for_url("/dokumenter").await;
    b.click_link("Dan brev").await;
    b.wait_for_url("/breve/ny").await;
    b.check_accessibility("dan-brev").await;
    b.click_link("Indkaldelse til møde eller samtale").await;
    b.wait_for_url("skabelon=indkaldelse").await;
    b.press("Dan brev og læg det på sagen").await;
    b.wait_for_text("Udfyld «Tidspunkt»").await;
    b.check_accessibility("dan-brev-fejl").await;
    b.choose("recipient-custody").await;
    b.fill("fields.tidspunkt", "torsdag den 3. december 2026 kl. 10.00")
        .await;
    b.fill("fields.sted", "Rådhuset, mødelokale 2").await;
    b.fill("fields.formaal", "At tale om skolegangen.").await;
    b.press("Dan brev og læg det på sagen").await;
    b.wait_for_url("besked=brev").await;
    let text = b.text().await;
    assert!(
        text.contains("Brevet er dannet") && text.contains("Mette Hansen"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();

    let admin = start().await;
    admin.login("admin901").await;
    admin.goto("/admin/brevskabeloner").await;
    admin.check_accessibility("brevskabeloner").await;
    admin.click_link("Afgørelse").await;
    admin.wait_for_url("/admin/brevskabeloner/afgoerelse").await;
    admin.check_accessibility("brevskabelon").await;
    admin.fill("body", "Kære {{ modtager.navnn }}").await;
    admin.press("Gem ny version").await;
    admin.wait_for_text("Ukendt flettefelt").await;
    admin.check_accessibility("brevskabelon-fejl").await;
}

/// Issue 6: a custody holder fetched from CPR and a school contact from the address book, both in
/// the network picture.
#[tokio::test]
async fn a_caseworker_fetches_a_custody_holder_from_cpr_and_links_a_school_contact() {
    let b = start().await;
    let db = &b._test.db;
    let child = {
        let mut g = db.global().await.unwrap();
        let municipality = vaern_store::municipalities::by_code(&mut g, "901")
            .await
            .unwrap();
        g.commit().await.unwrap();
        let mut tx = db.tenant(municipality.id).await.unwrap();
        let found = vaern_store::children::search(&mut tx, "a").await.unwrap();
        tx.commit().await.unwrap();
        found.into_iter().find(|c| c.cpr.is_some()).unwrap()
    };
    let child_cpr = child.cpr.clone().unwrap();
    let extract = format!(
        "000;2026-11-01\n001;{child_cpr};{};{};01;\n003;{child_cpr};0101904002;\n\
         004;{child_cpr};0101904002\n001;0101904002;Mette;Hansen;01;\n\
         002;0101904002;0901;Skolevej 2;1. tv.;9999;Værnby\n999;2\n",
        child.first_name, child.last_name
    );
    vaern_integrations::register::StoredRegister::new(db.clone())
        .import(std::io::Cursor::new(extract), |_| {})
        .await
        .unwrap();
    b.login("raadgiver901").await;

    // The school goes into the municipality's address book; a bad CVR is explained at the field.
    b.goto("/adressebog").await;
    b.check_accessibility("adressebog").await;
    b.fill("name", "Værnby Skole").await;
    b.client
        .find(Locator::Css("#kind option[value='school']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.fill("cvr", "12345678").await;
    b.press("Opret organisation").await;
    b.wait_for_text("kontrolcifferet passer ikke").await;
    b.check_accessibility("adressebog-fejl").await;
    b.fill("cvr", "10103940").await;
    b.press("Opret organisation").await;
    b.wait_for_url("besked=oprettet").await;

    // The mother, fetched from CPR: the form fills in, the caseworker checks and adds.
    b.goto(&format!("/boern/{}/netvaerk", child.id)).await;
    b.fill("lookup_cpr", "010190-4002").await;
    b.press("Hent fra CPR").await;
    b.wait_for_text("er hentet fra CPR").await;
    b.check_accessibility("netvaerk-hentet-fra-cpr").await;
    b.press("Tilføj person").await;
    b.wait_for_url("besked=tilfoejet").await;

    // The teacher, new in the address book, linked to the child.
    b.click_link("Tilføj fagperson").await;
    b.wait_for_url("/netvaerk/fagperson").await;
    b.check_accessibility("tilfoej-fagperson").await;
    b.client
        .find(Locator::XPath(
            "//select[@id='organisation_id']/option[normalize-space(.)='Værnby Skole']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.fill("name", "Lise Lærer").await;
    b.client
        .find(Locator::Css("#role option[value='teacher']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.press("Tilknyt fagperson").await;
    b.wait_for_url("besked=fagperson").await;
    b.check_accessibility("netvaerk-med-fagperson").await;
    let picture = b
        .client
        .find(Locator::Css("svg desc"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(
        picture.contains("Mor: Mette Hansen, forældremyndighed"),
        "{picture}"
    );
    assert!(picture.contains("Lærer: Lise Lærer"), "{picture}");
    assert!(b.text().await.contains("Værnby Skole"));
}

/// Issue 5: an investigation with two dimensions filled, concluded; barnets plan made from it and
/// approved; a follow-up recorded and the goals' progress shown as a chart with its table.
#[tokio::test]
async fn a_caseworker_investigates_with_ics_makes_the_plan_and_follows_up() {
    let b = start().await;
    b.login("raadgiver901").await;
    let first_child = b
        .client
        .find(Locator::Css("main table tbody tr td a"))
        .await
        .unwrap();
    first_child.click().await.unwrap();
    b.wait_for_url("/overblik").await;
    let kind = b.client.find(Locator::Id("kind")).await.unwrap();
    kind.select_by_value("investigation").await.unwrap();
    b.press("Opret delsag").await;
    b.wait_for_url("besked=oprettet").await;
    b.click_link("Undersøgelsen (ICS)").await;
    b.wait_for_url("/undersoegelse").await;
    assert!(b.text().await.contains("0 af 10 dimensioner er beskrevet"));
    b.check_accessibility("undersoegelse").await;

    // Two dimensions: typed, autosaved as a draft while typing, then saved.
    for (link, concerns, resources) in [
        (
            "Dagtilbud, skoleforhold og læring",
            "Emma kommer sjældent i skole",
            "Emma er glad for sin lærer",
        ),
        ("Trygt omsorgsmiljø", "Mor magter ikke morgenerne", ""),
    ] {
        b.click_link(link).await;
        b.wait_for_url("/undersoegelse/").await;
        b.fill("concerns", concerns).await;
        if !resources.is_empty() {
            b.fill("resources", resources).await;
        }
        b.wait_for_text("Kladde gemt").await;
        b.check_accessibility("undersoegelse-dimension").await;
        b.press("Gem dimensionen").await;
        b.wait_for_url("besked=gemt").await;
    }
    assert!(b.text().await.contains("2 af 10 dimensioner er beskrevet"));
    let picture = b
        .client
        .find(Locator::Css("svg desc"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(
        picture.contains("Dagtilbud, skoleforhold og læring: ressourcer og bekymringer"),
        "{picture}"
    );
    assert!(
        picture.contains("Trygt omsorgsmiljø: bekymringer"),
        "{picture}"
    );

    // The conclusion: refused without a position, then made.
    b.fill(
        "assessment",
        "Emma mangler skolegang, og mor har brug for støtte.",
    )
    .await;
    b.fill("reasoning", "Familien kan klare det med støtte i hjemmet.")
        .await;
    b.press("Afslut undersøgelsen").await;
    b.wait_for_text("Tag stilling til støtte").await;
    b.check_accessibility("undersoegelse-fejl").await;
    let position = b.client.find(Locator::Id("position")).await.unwrap();
    position.select_by_value("support").await.unwrap();
    b.press("Afslut undersøgelsen").await;
    b.wait_for_url("besked=afsluttet").await;
    assert!(b.text().await.contains("Støtte efter barnets lov § 32"));

    // The plan, from the investigation: the goals come from the concerns.
    b.click_link("Lav barnets plan ud fra undersøgelsen").await;
    b.wait_for_url("/plan").await;
    b.check_accessibility("plan-fra-undersoegelse").await;
    let suggested = b
        .client
        .find(Locator::Id("wording_0"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(suggested.as_deref(), Some("Emma kommer sjældent i skole"));
    b.press("Lav udkast til planen").await;
    b.wait_for_url("besked=udkast").await;
    b.check_accessibility("plan-udkast").await;
    b.press("Godkend version 1").await;
    b.wait_for_url("besked=godkendt").await;

    // A follow-up: a score per goal by keyboard, the decision and the next date.
    let radios = b
        .client
        .find_all(Locator::Css("input[type=radio][value='3']"))
        .await
        .unwrap();
    assert_eq!(radios.len(), 2, "one score per goal");
    for radio in radios {
        radio.send_keys(" ").await.unwrap();
    }
    let decision = b.client.find(Locator::Id("decision")).await.unwrap();
    decision.select_by_value("continue").await.unwrap();
    b.fill("next_date", "01.03.2027").await;
    b.fill("next_reason", "Tre måneder efter start, jf. planen")
        .await;
    b.press("Registrér opfølgningen").await;
    b.wait_for_url("besked=opfoelgning").await;
    b.check_accessibility("plan-med-graf").await;
    let chart = b
        .client
        .find(Locator::Css("figure.vaern-chart svg desc"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(chart.contains("Emma kommer sjældent i skole: 3"), "{chart}");
    assert!(b.text().await.contains("Målenes score ved hver opfølgning"));
}

impl Browser {
    /// Sets a date field's value by script: how a date is typed into it depends on the browser's
    /// locale, which is not what these tests are about.
    async fn set_date(&self, id: &str, iso: &str) {
        self.client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![Value::from(id), Value::from(iso)],
            )
            .await
            .unwrap();
    }

    async fn select_label(&self, id: &str, label: &str) {
        let select = self.client.find(Locator::Id(id)).await.unwrap();
        select.select_by_label(label).await.unwrap();
    }
}

#[tokio::test]
async fn a_caseworker_simulates_the_cost_of_two_candidates_and_a_lead_approves_the_measure() {
    let b = start().await;
    b.login("raadgiver901").await;
    let first_child = b
        .client
        .find(Locator::Css("main table tbody tr td a"))
        .await
        .unwrap();
    first_child.click().await.unwrap();
    b.wait_for_url("/overblik").await;
    b.click_link("Indsatser og økonomi").await;
    b.wait_for_url("/indsatser").await;
    b.check_accessibility("indsatser").await;

    // Two candidates, added without a page reload: the total follows.
    let placement = "Døgnophold (Opholdsstedet Solsikken)";
    b.select_label("sim-offer", placement).await;
    b.fill("sim-quantity", "1").await;
    b.set_date("sim-start", "2027-01-01").await;
    b.set_date("sim-end", "2027-01-10").await;
    b.press("Tilføj kandidat").await;
    b.wait_for_text("Kandidat: Døgnophold").await;
    b.wait_for_text("29.500 kr.").await;
    b.select_label("sim-offer", "Familiebehandling (Familiehuset Lyngen)")
        .await;
    b.fill("sim-quantity", "2").await;
    b.set_date("sim-start", "2027-01-04").await;
    b.set_date("sim-end", "2027-01-31").await;
    b.press("Tilføj kandidat").await;
    b.wait_for_text("Kandidat: Familiebehandling").await;
    // Read by script and polled: htmx replaces the block, so an element found a moment ago may
    // already be gone.
    let total = || async {
        b.client
            .execute(
                "const e = document.getElementById('simulering-i-alt'); return e ? e.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let wait_for_total = |expected: &'static str| async move {
        for _ in 0..100 {
            if total().await == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected the total {expected}, saw {}", total().await);
    };
    // 10 days at 2.950 kr. + 4 weeks of 2 hours at 850 kr.
    wait_for_total("36.300 kr.").await;
    let remove = b
        .client
        .find(Locator::Css("button[name=remove][value='0']"))
        .await
        .unwrap();
    remove.click().await.unwrap();
    // The removed candidate no longer counts.
    wait_for_total("6.800 kr.").await;
    assert!(!b.text().await.contains("Kandidat: Døgnophold"));
    assert!(
        b.path().await.ends_with("/indsatser"),
        "no page reload: {}",
        b.path().await
    );
    b.check_accessibility("indsatser-simulering").await;

    // The measure planned; above the threshold the caseworker cannot approve it.
    b.select_label(
        "legal_basis",
        "Barnets lov § 46 – Anbringelse uden for hjemmet med samtykke",
    )
    .await;
    b.select_label("offer_id", placement).await;
    b.fill("quantity", "1").await;
    b.set_date("starts_on", "2027-01-01").await;
    b.set_date("ends_on", "2027-12-31").await;
    b.fill("purpose", "En tryg hverdag med skolegang").await;
    b.press("Planlæg indsatsen").await;
    b.wait_for_url("besked=planlagt").await;
    assert!(b.text().await.contains("kræver teamleder"));
    let approve = b
        .client
        .find(Locator::Css("form[action$='/godkend'] button"))
        .await
        .unwrap();
    approve.click().await.unwrap();
    b.wait_for_text("skal godkendes af en teamleder").await;
    b.check_accessibility("indsatser-godkendelse-afvist").await;

    // The lead approves it from the queue, by keyboard.
    b.client.delete_all_cookies().await.unwrap();
    b.login("teamleder901").await;
    b.goto("/godkendelser").await;
    b.wait_for_text("Godkendelser").await;
    assert!(b.text().await.contains(placement));
    b.check_accessibility("godkendelser").await;
    let approve = b
        .client
        .find(Locator::Css("main form button"))
        .await
        .unwrap();
    approve
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    b.wait_for_url("besked=godkendt").await;
    assert!(
        b.text()
            .await
            .contains("Ingen indsatser venter på godkendelse")
    );
}
