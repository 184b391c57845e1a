//! N+1 guard: the number of database statements behind Mit overblik does not grow with the
//! number of cases (ISSUE: "renders with a bounded number of queries"). Its own test binary,
//! because the statement counter is process-wide.

use reqwest::{Client, redirect::Policy};
use vaern_app::{auth, case_process, children, demo};
use vaern_domain::{child::NewChildInput, process::notification::NewNotificationInput};
use vaern_testkit::TestDb;
use vaern_web::{AppState, WebConfig};

/// A page fetched with its statement count: the statements its own handler sent (the response
/// header), not a process-wide count that a background job, the access log's group commit or
/// a session touch could bump. Fails unless the page is the one asked for.
async fn statements(client: &Client, url: &str, marker: &str) -> (scraper::Html, u64) {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let count: u64 = response.headers()[vaern_web::STATEMENTS_HEADER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    let heading = scraper::Selector::parse(marker).unwrap();
    assert!(
        page.select(&heading).next().is_some(),
        "{url} is not the page asked for (no {marker})"
    );
    (page, count)
}

/// Mit overblik's statements and the number of cases it lists.
async fn overview_statements(client: &Client, base: &str) -> (usize, u64) {
    let (page, count) = statements(client, &format!("{base}/"), "table#mine-sager").await;
    let rows = scraper::Selector::parse("table#mine-sager tbody tr").unwrap();
    (page.select(&rows).count(), count)
}

#[tokio::test]
async fn mit_overblik_needs_the_same_number_of_statements_for_7_and_60_cases() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vaern_web::serve(
        listener,
        AppState::new(
            test.db.clone(),
            WebConfig {
                statement_header: true,
                ..WebConfig::default()
            },
            vaern_app::documents::CaseFiles::in_memory(),
        ),
        vaern_web::ServerLimits::default(),
        std::future::pending(),
    ));

    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = form[at..].split('"').next().unwrap().to_owned();
    client
        .post(format!("{base}/login"))
        .form(&[
            ("username", "raadgiver901"),
            ("password", demo::DEMO_PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    let token = auth::create_token(&test.db, "raadgiver901").await.unwrap();
    let anne = auth::token_actor(&test.db, &token).await.unwrap();
    let underretning = NewNotificationInput {
        received_at: "2026-01-05T09:00:00+01:00".into(),
        channel: "telefon".into(),
        notifier_kind: "private".into(),
        notifier_name: "Nabo".into(),
        text: "Bekymring".into(),
        ..Default::default()
    };

    let mine = children::my_open_cases(&test.db, &anne).await.unwrap();
    case_process::register_notification(&test.db, &anne, mine[0].id, &underretning)
        .await
        .unwrap();
    overview_statements(&client, &base).await; // warm up
    let (listed_few, few) = overview_statements(&client, &base).await;
    assert_eq!(listed_few, mine.len());

    let before = children::my_open_cases(&test.db, &anne)
        .await
        .unwrap()
        .len();
    for n in before..60 {
        let input = NewChildInput {
            first_name: format!("Barn{n}"),
            last_name: "Testesen".into(),
            birth_date: Some("01.02.2018".into()),
            ..Default::default()
        };
        let registered = children::register(&test.db, &anne, &input, &Default::default())
            .await
            .unwrap();
        if n % 3 == 0 {
            case_process::register_notification(
                &test.db,
                &anne,
                registered.child().id,
                &underretning,
            )
            .await
            .unwrap();
        }
    }
    assert_eq!(
        children::my_open_cases(&test.db, &anne)
            .await
            .unwrap()
            .len(),
        60
    );
    let (listed_many, many) = overview_statements(&client, &base).await;
    assert_eq!(listed_many, 60);
    eprintln!("Mit overblik: {few} statements with 7 cases, {many} with 60");
    assert_eq!(
        few, many,
        "statements for Mit overblik must not depend on the number of cases"
    );
    assert!(many <= 20, "Mit overblik takes {many} statements");

    // The child's «Indsatser og økonomi» tab: the same for one measure as for eight.
    let child = mine[0].id;
    let tab = format!("{base}/boern/{child}/indsatser");
    let offers = vaern_app::economy::offers::catalogue(&test.db, &anne)
        .await
        .unwrap()
        .offers;
    let plan = |i: usize| vaern_app::economy::measures::NewMeasureRequest {
        measure: vaern_domain::economy::measures::MeasureInput {
            legal_basis: "bl32_1_3".into(),
            offer_id: offers[i % offers.len()].id.to_string(),
            quantity: "1".into(),
            hours_per: "week".into(),
            starts_on: "2027-01-01".into(),
            ends_on: "2027-06-30".into(),
            purpose: "Støtte".into(),
        },
        goals: Vec::new(),
    };
    let tab_statements = || async {
        let (page, count) =
            statements(&client, &tab, "form[action$=\"/indsatser#ny-indsats\"]").await;
        let rows = scraper::Selector::parse("form[action$=\"/godkend\"]").unwrap();
        (page.select(&rows).count(), count)
    };
    vaern_app::economy::measures::create(&test.db, &anne, child, &plan(0))
        .await
        .unwrap();
    tab_statements().await; // warm up
    let (planned_one, one) = tab_statements().await;
    assert_eq!(planned_one, 1, "one planned measure to approve");
    for i in 1..8 {
        vaern_app::economy::measures::create(&test.db, &anne, child, &plan(i))
            .await
            .unwrap();
    }
    let (planned_eight, eight) = tab_statements().await;
    assert_eq!(planned_eight, 8, "eight planned measures to approve");
    eprintln!("Indsatser og økonomi: {one} statements with 1 measure, {eight} with 8");
    assert_eq!(
        one, eight,
        "statements for the tab must not depend on the number of measures"
    );
}
