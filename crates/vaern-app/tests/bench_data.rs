//! `vaern bench-data` on either database: the small scale fills all 98 municipalities, the same
//! seed gives the same data, the generated users log in and see their cases, networks and
//! documents (whose files are in the store), and a database
//! that holds data already is refused.

use vaern_app::{
    auth,
    bench_data::{self, MUNICIPALITIES, Scale},
    children, documents,
    economy::measures,
    network,
};
use vaern_domain::Role;
use vaern_store::access_log::AccessKind;
use vaern_testkit::{TestDb, TestFiles};

async fn generated(seed: u64) -> (TestDb, TestFiles, bench_data::Report) {
    let test = TestDb::new().await;
    let files = TestFiles::local();
    let report = bench_data::generate(
        &test.db,
        &files.store,
        Scale::Small,
        seed,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    (test, files, report)
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
    let (test, files, report) = generated(7).await;
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
    auth::login(
        &test.db,
        &caseworker,
        vaern_app::demo::DEMO_PASSWORD,
        &auth::OneTimeCode::NONE,
        None,
    )
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
    let network = network::list(&test.db, &anne, child, AccessKind::View)
        .await
        .unwrap();
    assert!(network.members.len() >= 2 && !network.professionals.is_empty());
    let listed = documents::list(&test.db, &anne, child, AccessKind::View)
        .await
        .unwrap();
    assert_eq!(listed.documents.len(), 2);
    assert!(report.network_persons >= report.cases * 2, "{report:?}");
    assert_eq!(report.documents, report.cases * 2);
    let stored = documents::check_files(&test.db, &files.store)
        .await
        .unwrap();
    assert!(stored.checked > 0, "the documents' files are in the store");
    assert!(
        stored.missing.is_empty() && stored.damaged.is_empty() && stored.unreferenced.is_empty(),
        "missing {:?}, damaged {:?}, unreferenced {:?}",
        stored.missing,
        stored.damaged,
        stored.unreferenced
    );

    let (again, _again_files, same_report) = generated(7).await;
    assert_eq!(format!("{report:?}"), format!("{same_report:?}"));
    assert_eq!(
        case_numbers(&again, &caseworker).await,
        mine,
        "same seed, same data"
    );

    let refused =
        bench_data::generate(&test.db, &files.store, Scale::Small, 7, &mut |_, _, _| {}).await;
    assert!(matches!(refused, Err(vaern_app::AppError::Invalid(_))));
}
