//! `vaern bench-data` on either database: the small scale fills all 98 municipalities, the same
//! seed gives the same data, the generated users log in and see their cases, and a database
//! that holds data already is refused.

use vaern_app::{
    auth,
    bench_data::{self, MUNICIPALITIES, Scale},
    children,
    economy::measures,
};
use vaern_domain::Role;
use vaern_store::access_log::AccessKind;
use vaern_testkit::TestDb;

async fn generated(seed: u64) -> (TestDb, bench_data::Report) {
    let test = TestDb::new().await;
    let report = bench_data::generate(&test.db, Scale::Small, seed, &mut |_, _, _| {})
        .await
        .unwrap();
    (test, report)
}

async fn case_numbers(test: &TestDb, username: &str) -> Vec<(String, String)> {
    let token = auth::create_token(&test.db, username).await.unwrap();
    let anne = auth::token_actor(&test.db, &token).await.unwrap();
    children::my_open_cases(&test.db, &anne)
        .await
        .unwrap()
        .iter()
        .map(|c| (c.case_number.clone().unwrap(), c.full_name()))
        .collect()
}

#[tokio::test]
async fn the_small_country_is_complete_deterministic_and_usable() {
    let (test, report) = generated(7).await;
    assert_eq!(report.municipalities, 98);
    assert_eq!(MUNICIPALITIES.iter().filter(|m| m.0 == "101").count(), 1);
    assert!(report.cases >= 600 && report.users >= 98 * 6, "{report:?}");
    assert_eq!(report.journal_entries, report.cases * 50);
    assert!(report.sub_cases >= report.cases * 3, "{report:?}");
    assert!(report.deadlines > report.sub_cases, "{report:?}");
    assert!(
        report.measures > 0 && report.notifications > 0,
        "{report:?}"
    );

    let caseworker = bench_data::username(Role::Caseworker, "101", 4);
    auth::login(&test.db, &caseworker, vaern_app::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    let mine = case_numbers(&test, &caseworker).await;
    assert!(!mine.is_empty(), "a generated caseworker has cases");
    assert!(mine.iter().all(|(number, _)| number.starts_with("101-")));

    let token = auth::create_token(&test.db, &caseworker).await.unwrap();
    let anne = auth::token_actor(&test.db, &token).await.unwrap();
    let child = children::my_open_cases(&test.db, &anne).await.unwrap()[0].id;
    measures::for_child(&test.db, &anne, child, AccessKind::View)
        .await
        .unwrap();

    let (again, same_report) = generated(7).await;
    assert_eq!(format!("{report:?}"), format!("{same_report:?}"));
    assert_eq!(
        case_numbers(&again, &caseworker).await,
        mine,
        "same seed, same data"
    );

    let refused = bench_data::generate(&test.db, Scale::Small, 7, &mut |_, _, _| {}).await;
    assert!(matches!(refused, Err(vaern_app::AppError::Invalid(_))));
}
