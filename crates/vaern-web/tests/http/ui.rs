//! The HTML UI: login, Mit overblik, search, creating a child, the journal, CSRF, cookies.

use reqwest::StatusCode;

use crate::common::{Page, TestApp, page_text};

#[tokio::test]
async fn mit_overblik_lists_the_caseworkers_own_open_cases() {
    let app = TestApp::spawn().await;
    let (client, _) = app.login("raadgiver901").await;
    let html = page_text(&client, app.url("/")).await;
    let page = Page::parse(&html);
    let anne = app.actor("raadgiver901").await;
    let own = vaern_app::children::my_open_cases(&app.test.db, &anne)
        .await
        .unwrap();
    assert!(!own.is_empty(), "the demo gives the caseworker cases");
    let mut expected: Vec<String> = own
        .iter()
        .map(|c| format!("/boern/{}/overblik", c.id))
        .collect();
    let mut listed = page.attrs("#mine-sager tbody tr td:first-child a", "href");
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected, "exactly the caseworker's open cases");
    for cpr in own.iter().filter_map(|c| c.cpr.as_deref()) {
        assert!(!html.contains(cpr), "a whole CPR number is shown");
    }
    let masked = page.texts("#mine-sager tbody tr td:nth-child(3)");
    assert!(
        masked
            .iter()
            .filter(|c| *c != "Intet CPR-nr.")
            .all(|c| c.len() == 11 && c.ends_with("-xxxx")),
        "CPR numbers are masked: {masked:?}"
    );
    assert!(masked.iter().any(|c| c.ends_with("-xxxx")), "{masked:?}");
    for other in app.children_with_cpr("902").await {
        assert!(
            !html.contains(&other.id.to_string())
                && !html.contains(&format!("{} {}", other.first_name, other.last_name)),
            "a child of the other municipality is on the page: {}",
            other.first_name
        );
    }
}

#[tokio::test]
async fn pages_need_a_login_and_send_you_back_after_it() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    let response = client.get(app.url("/boern?q=emma")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Fboern%3Fq%3Demma"
    );
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_says_so_in_danish() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    let csrf = app.login_csrf(&client).await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", "raadgiver901"),
            ("password", "forkert-kodeord"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let page = response.text().await.unwrap();
    assert!(page.contains("Forkert brugernavn eller adgangskode"));
    assert!(
        page.contains("value=\"raadgiver901\""),
        "the username is kept"
    );
    assert!(
        !page.contains("forkert-kodeord"),
        "the password is not echoed"
    );
}

#[tokio::test]
async fn logins_are_throttled_after_five_failures_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    for _ in 0..vaern_app::auth::throttle::PAIR.free {
        assert_eq!(
            app.submit_login(&client, "raadgiver901", "forkert-kodeord")
                .await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.submit_login(&client, "raadgiver901", crate::common::PASSWORD)
            .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.submit_login(&client, "raadgiver2901", crate::common::PASSWORD)
            .await,
        StatusCode::SEE_OTHER,
        "other users are unaffected"
    );
}

/// Issue 17 (high): guesses sent at once were all checked, because each read the count before
/// any had added to it. The claim is now counted in the transaction that checks it, so however
/// many arrive together, no more than the limit get an answer about the password.
#[tokio::test]
async fn guesses_sent_in_parallel_are_throttled_like_guesses_in_a_row() {
    use vaern_app::auth::throttle::PAIR;
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let guesses = (0..24).map(|i| {
        let app = app.clone();
        tokio::spawn(async move {
            let client = app.anonymous();
            app.submit_login_from(&client, "raadgiver901", &format!("gæt-{i}"), "198.51.100.7")
                .await
        })
    });
    let mut checked = 0;
    let mut throttled = 0;
    for guess in guesses.collect::<Vec<_>>() {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, PAIR.free,
        "{checked} checked, {throttled} throttled"
    );
    assert_eq!(throttled, 24 - PAIR.free);
}

/// Issue 17 (medium): five wrong attempts by anyone used to lock the real user out for 15
/// minutes. The delay now binds the address the guesses came from; the real user elsewhere
/// logs in, and the administrators see that the account is being guessed at.
#[tokio::test]
async fn a_guesser_delays_only_their_own_address_and_the_administrator_is_told() {
    use vaern_app::auth::throttle::PAIR;
    let app = TestApp::spawn().await;
    let attacker = app.anonymous();
    for _ in 0..PAIR.free {
        app.submit_login_from(&attacker, "raadgiver901", "gæt", "203.0.113.66")
            .await;
    }
    assert_eq!(
        app.submit_login_from(
            &attacker,
            "raadgiver901",
            crate::common::PASSWORD,
            "203.0.113.66"
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let real_user = app.anonymous();
    assert_eq!(
        app.submit_login_from(
            &real_user,
            "raadgiver901",
            crate::common::PASSWORD,
            "10.20.30.40"
        )
        .await,
        StatusCode::SEE_OTHER,
        "the real user, from their own address, is not locked out"
    );
    let admin = app.login("admin901").await;
    let users = page_text(&admin.0, app.url("/admin/brugere")).await;
    assert!(
        users.contains("Værn (login-forsinkelse)")
            && users.contains("5 mislykkede login-forsøg på raadgiver901 fra 203.0.113.66"),
        "{users}"
    );
}

/// Issue 17 (high): a limit per client address — one address trying many accounts is slowed
/// too (password spraying), and guesses at one account from many addresses slow that account.
#[tokio::test]
async fn an_address_trying_many_accounts_and_an_account_tried_from_many_addresses_wait() {
    use vaern_app::auth::throttle::{ACCOUNT, ADDRESS};
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    for i in 0..ADDRESS.free {
        assert_eq!(
            app.submit_login_from(&client, &format!("bruger{i}"), "gæt", "192.0.2.10")
                .await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.submit_login_from(
            &client,
            "raadgiver901",
            crate::common::PASSWORD,
            "192.0.2.10"
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the address waits, whatever the account"
    );
    for i in 0..ACCOUNT.free {
        assert_eq!(
            app.submit_login_from(
                &client,
                "raadgiver2901",
                "gæt",
                &format!("192.0.2.{}", 100 + i)
            )
            .await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.submit_login_from(
            &client,
            "raadgiver2901",
            crate::common::PASSWORD,
            "192.0.2.250"
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the account waits, from any address"
    );
}

/// Issue 17 (outside test, low): control characters are refused at the edge — a NUL in the
/// username is a wrong login (it was a 500 on PostgreSQL), a tab in `next` never reaches the
/// `Location` header (a browser would read `/\t/host` as `//host`), and a NUL in the search is
/// explained at the field instead of listing the whole municipality (SQLite).
#[tokio::test]
async fn control_characters_are_refused_at_the_edge() {
    use crate::common::{PASSWORD, field_message, hidden_csrf};
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    assert_eq!(
        app.submit_login(&client, "raadgiver901\0", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let form = page_text(&client, app.url("/login")).await;
    let csrf = hidden_csrf(&form).unwrap();
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", "raadgiver901"),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
            ("next", "/\t/evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/");

    let api = app.api("raadgiver901").await;
    let found = api.get("/api/v1/children?q=%00").await;
    assert_eq!(found.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = found.json().await.unwrap();
    assert!(
        field_message(&problem, "q")
            .unwrap()
            .contains("må ikke indeholde kontroltegn"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_and_secure_behind_tls() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    let csrf = app.login_csrf(&client).await;
    let response = client
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("username", "raadgiver901"),
            ("password", crate::common::PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("vaern_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let (client, csrf, cookie) = app.login_with_cookies("raadgiver901").await;
    // Another client sending the same cookie: the cookie store forgets a cookie that logout
    // cleared, so only a replay tells whether the session ended on the server.
    let replay = async || {
        app.anonymous()
            .get(app.url("/"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        replay().await.status(),
        StatusCode::OK,
        "the cookie alone is a session"
    );
    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = replay().await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(after.headers()["location"], "/login?next=%2F");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, _) = app.login("raadgiver901").await;
    let response = client
        .post(app.url(&format!("/boern/{}/journal", child.id)))
        .form(&[("title", "Uden token"), ("text", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Formularen er udløbet")
    );
    let wrong = client
        .post(app.url(&format!("/boern/{}/journal", child.id)))
        .form(&[("title", "Forkert token"), ("text", "x"), ("csrf", "gæt")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let page = client
        .get(app.url(&format!("/boern/{}/journal", child.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Uden token") && !page.contains("Forkert token"));
}

#[tokio::test]
async fn search_finds_by_name_and_cpr_without_dash_and_shows_age_and_caseworker() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, _) = app.login("raadgiver901").await;
    let cpr = child.cpr.clone().unwrap();
    for q in [
        child.first_name.to_lowercase(),
        cpr.clone(),
        format!("{}-{}", &cpr[..6], &cpr[6..]),
    ] {
        let page = client
            .get(app.url("/boern"))
            .query(&[("q", &q)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&child.full_name()), "{q}");
        assert!(
            page.contains(child.caseworker_name.as_deref().unwrap()),
            "{q}"
        );
    }
    let empty = client
        .get(app.url("/boern?q="))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(empty.contains("Skriv et navn, CPR-nummer eller sagsnummer"));
}

#[tokio::test]
async fn creating_a_child_with_errors_keeps_the_input_and_marks_the_fields() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.login("raadgiver901").await;
    let response = client
        .post(app.url("/boern"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("cpr", "320115-4001"),
            ("first_name", "Karla <b>"),
            ("last_name", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("data-module=\"error-summary\""));
    assert!(page.contains("CPR-nummeret findes ikke: datoen 32.01.2015 eksisterer ikke"));
    assert!(
        page.contains("value=\"320115-4001\""),
        "the CPR typed is kept"
    );
    assert!(
        page.contains("value=\"Karla &#60;b&#62;\"") || page.contains("value=\"Karla &lt;b&gt;\""),
        "kept and escaped"
    );
    assert!(page.contains("Udfyld efternavn"));
    assert!(page.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn creating_a_child_opens_the_case_and_a_known_cpr_leads_to_the_existing_child() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.login("raadgiver901").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("cpr", "1203164321"),
        ("first_name", "Liva"),
        ("last_name", "Holm"),
        ("birth_date", ""),
        ("sex", ""),
        ("caseworker_id", ""),
        ("team_id", ""),
    ];
    let created = client
        .post(app.url("/boern"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/journal?besked=oprettet"), "{location}");
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<h1>Liva Holm</h1>")
            && page.contains("120316-xxxx")
            && page.contains("Barnets sag oprettet")
    );
    let again = client
        .post(app.url("/boern"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let existing = again.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        existing.split('?').next(),
        location.split('?').next(),
        "same child"
    );
    assert!(existing.ends_with("besked=findes"));
}

#[tokio::test]
async fn a_journal_note_is_shown_escaped_and_a_failed_note_keeps_the_text() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let url = app.url(&format!("/boern/{}/journal", child.id));
    let long = "x".repeat(20_001);
    let failed = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Langt notat"),
            ("text", long.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = failed.text().await.unwrap();
    assert!(
        page.contains("højst være 20000 tegn"),
        "the message is shown"
    );
    assert!(page.contains(&long), "the text typed is kept");
    let saved = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Hjemmebesøg"),
            ("text", "<script>alert('x')</script>"),
            ("event_date", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Hjemmebesøg"));
    assert!(!page.contains("<script>alert"), "text is escaped");
    assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn a_correction_keeps_the_original_and_links_both_ways() {
    let app = TestApp::spawn().await;
    let (child, entry) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let form_page = client
        .get(app.url(&format!("/boern/{}/journal/{entry}/ret", child.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(form_page.status(), StatusCode::OK);
    let saved = client
        .post(app.url(&format!("/boern/{}/journal/{entry}/ret", child.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Rettelse: forkert dato"),
            ("text", "Besøget var tirsdag."),
            ("event_date", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url(&format!("/boern/{}/journal", child.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Rettelse: forkert dato"));
    assert!(
        page.contains(&format!("href=\"#notat-{entry}\"")),
        "the correction points to the original"
    );
    assert!(
        page.contains("<strong>Rettet</strong>"),
        "the original is marked as corrected"
    );
}

#[tokio::test]
async fn the_journal_filters_by_kind_and_reports_a_bad_date_at_the_field() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, _) = app.login("raadgiver901").await;
    let url = app.url(&format!("/boern/{}/journal", child.id));
    let automatic = client
        .get(format!("{url}?kind=automatic"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(automatic.contains("Barnets sag oprettet") && !automatic.contains("Manuelt notat ·"));
    let manual = client
        .get(format!("{url}?kind=manual"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!manual.contains("Automatisk notat ·") && manual.contains("Manuelt notat ·"));
    let bad = client
        .get(format!("{url}?from=31.02.2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bad.contains("Datoen «31.02.2026» findes ikke"));
    assert!(bad.contains("value=\"31.02.2026\""));
    // A damaged «older notes» link has no field to show its error at: it is shown above the
    // journal, which starts from the newest notes.
    let cursor = Page::parse(&page_text(&client, format!("{url}?before=noget-andet")).await);
    let alert = cursor.text("#before[role=alert]");
    assert!(alert.contains("Nedenfor ses de nyeste notater"), "{alert}");
    assert!(!cursor.texts("article.vaern-journal-entry").is_empty());
}

#[tokio::test]
async fn an_administrator_creates_a_user_and_sees_the_access_log_but_a_caseworker_does_not() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (worker, _) = app.login("raadgiver901").await;
    worker
        .get(app.url(&format!("/boern/{}/journal", child.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        worker
            .get(app.url("/admin/adgangslog"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (admin, csrf) = app.login("admin901").await;
    let log = admin
        .get(app.url(&format!("/admin/adgangslog?person_id={}", child.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        log.contains("Anne Sørensen") && log.contains("Journal"),
        "the page view is logged"
    );
    let create = |password: &'static str| {
        admin
            .post(app.url("/admin/brugere"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Ida Ny"),
                ("username", "ida.ny"),
                ("role", "caseworker"),
                ("team_id", ""),
                ("password", password),
            ])
            .send()
    };
    let created = create("kort").await.unwrap();
    assert_eq!(created.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = created.text().await.unwrap();
    assert!(
        page.contains("Adgangskoden skal være mindst 12 tegn") && page.contains("value=\"ida.ny\"")
    );
    let created = create("et-langt-kodeord").await.unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let csv = admin
        .get(app.url("/admin/adgangslog.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.text()
            .await
            .unwrap()
            .starts_with("\u{feff}tidspunkt;medarbejder")
    );
}

/// Issue 17 (info): `/metrics` told anyone the server's traffic; it now needs the operator's
/// token (and without one configured it is refused to all).
#[tokio::test]
async fn metrics_need_the_operators_token() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for token in [None, Some("forkert")] {
        let mut request = client.get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{token:?}"
        );
    }
    let answered = client
        .get(app.url("/metrics"))
        .bearer_auth(crate::common::METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
}

/// Issue 17 (info): behind TLS the browser is told to come back only over TLS (HSTS); over
/// plain HTTP the header would mean nothing and is left out.
#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let tls = client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tls.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let plain = client.get(app.url("/login")).send().await.unwrap();
    assert!(plain.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn pages_carry_security_headers_and_are_not_cached() {
    let app = TestApp::spawn().await;
    let (client, _) = app.login("raadgiver901").await;
    let response = client.get(app.url("/")).send().await.unwrap();
    let headers = response.headers();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn health_readiness_metrics_and_static_assets_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::OK
    );
    let client = reqwest::Client::new();
    let metrics = client
        .get(app.url("/metrics"))
        .bearer_auth(crate::common::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("vaern_http_responses_total{class=\"2xx\"}"));
    let css = reqwest::get(app.url("/static/dkfds/css/dkfds.min.css"))
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let font = reqwest::get(
        app.url("/static/dkfds/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2"),
    )
    .await
    .unwrap();
    assert_eq!(font.status(), StatusCode::OK);
    assert_eq!(
        reqwest::get(app.url("/static/findes-ikke.css"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_rules_page_lists_every_deadline_with_its_paragraph() {
    let app = TestApp::spawn().await;
    let (client, _) = app.login("raadgiver901").await;
    let page = client
        .get(app.url("/frister"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("<tr id=").count(),
        vaern_domain::process::RULES.len()
    );
    assert!(
        page.contains("Barnets lov § 20, stk. 3")
            && page.contains("6 arbejdsdage")
            && page.contains("Blokerende kontrol")
    );
    assert!(
        page.contains("afventer kontrol"),
        "unverified references are marked"
    );
    assert!(
        page.contains("Værns påmindelse – ikke en lovbestemt frist"),
        "BL § 132's reminder says it is Værn's policy"
    );
}

#[tokio::test]
async fn the_settings_page_keeps_a_bad_closed_day_and_shows_local_rules_on_the_rules_page() {
    let app = TestApp::spawn().await;
    let (admin, csrf) = app.login("admin901").await;
    let bad = admin
        .post(app.url("/admin/frister/lukkedage/ny"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("day", "31.02.2026"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = bad.text().await.unwrap();
    assert!(page.contains("value=\"31.02.2026\"") && page.contains("Udfyld anledningen"));
    let saved = admin
        .post(app.url("/admin/frister/lokale"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("rule_id", "underretning.kvittering_6hd"),
            ("amount", "5"),
            ("unit", "working_days"),
            ("description", "Svar inden 5 arbejdsdage"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (worker, _) = app.login("raadgiver901").await;
    let rules = worker
        .get(app.url("/frister"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(rules.contains("5 arbejdsdage – Svar inden 5 arbejdsdage"));
    assert_eq!(
        worker
            .get(app.url("/admin/frister"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// Issue 17 (separation of duties): an administrator's caseworker account waits on the users
/// page for a second administrator; the one who asked cannot approve it.
#[tokio::test]
async fn a_second_administrator_approves_a_caseworker_account_on_the_users_page() {
    let app = TestApp::spawn().await;
    let (first, csrf) = app.login("admin901").await;
    let created = first
        .post(app.url("/admin/brugere"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Ida Ny"),
            ("username", "ida.ny"),
            ("role", "caseworker"),
            ("team_id", ""),
            ("password", "et-langt-kodeord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        created.headers()["location"],
        "/admin/brugere?besked=venter"
    );
    let own_view = page_text(&first, app.url("/admin/brugere")).await;
    let page = Page::parse(&own_view);
    assert!(own_view.contains("Du bad om adgangen"), "{own_view}");
    let id = app.user_id("901", "ida.ny").await;
    assert!(
        page.attrs("form", "action")
            .iter()
            .all(|a| a != &format!("/admin/brugere/{id}/godkend")),
        "the asker is offered no approval"
    );
    let refused = first
        .post(app.url(&format!("/admin/brugere/{id}/godkend")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("firøjeprincippet"));

    let (second, csrf2) = app.login("admin2901").await;
    let page = Page::parse(&page_text(&second, app.url("/admin/brugere")).await);
    assert!(
        page.attrs("form", "action")
            .contains(&format!("/admin/brugere/{id}/godkend"))
    );
    let approved = second
        .post(app.url(&format!("/admin/brugere/{id}/godkend")))
        .form(&[("csrf", csrf2.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        approved.headers()["location"],
        "/admin/brugere?besked=godkendt"
    );
    let after = page_text(&second, app.url("/admin/brugere")).await;
    assert!(after.contains("Ingen anmodninger venter"), "{after}");
    assert!(after.contains("Godkendte Ida Ny (ida.ny) som Rådgiver, som Lene Dahl bad om"));
}
