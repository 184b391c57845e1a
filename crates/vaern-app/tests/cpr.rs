//! CPR on either database: importing an extract in batches with a line-numbered report, and
//! applying a change file to open cases — address and name changes, a move to another
//! municipality (sagsoverdragelse, BL § 132), a death and custody holders — exactly once.

use std::io::Cursor;

use vaern_app::{Actor, auth, cpr, network};
use vaern_domain::network::NewRelationInput;
use vaern_integrations::{
    extract::generate::write_extract,
    register::{BATCH, InMemoryRegister, StoredRegister},
};
use vaern_store::{
    children::{self, Child},
    deadlines, journal, register, sub_cases,
};
use vaern_testkit::TestDb;

async fn actor(test: &TestDb, username: &str) -> Actor {
    let token = auth::create_token(&test.db, username).await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

async fn child_with_cpr(test: &TestDb, actor: &Actor) -> Child {
    let mut tx = test.db.tenant(actor.municipality_id).await.unwrap();
    let found = children::search(&mut tx, "a").await.unwrap();
    found
        .into_iter()
        .find(|c| c.cpr.is_some() && c.case_status.as_deref() == Some("open"))
        .expect("the demo has open cases of children with CPR")
}

async fn journal_titles(test: &TestDb, actor: &Actor, child: &Child) -> Vec<(String, String)> {
    let mut tx = test.db.tenant(actor.municipality_id).await.unwrap();
    journal::list(&mut tx, child.case_id.unwrap(), &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.title, e.body))
        .collect()
}

const MOTHER: &str = "0101904002";
const FATHER: &str = "0202884011";
const GRANDMOTHER: &str = "0303604002";

fn person(first: &str, last: &str, cpr: &str) -> NewRelationInput {
    NewRelationInput {
        first_name: first.into(),
        last_name: last.into(),
        cpr: Some(cpr.into()),
        kind: String::new(),
        address: "Skolevej 2\n9999 Værnby".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_change_file_reaches_open_cases_once() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let child = child_with_cpr(&test, &anne).await;
    let child_cpr = child.cpr.clone().unwrap();
    let nobody = InMemoryRegister::default();
    for (input, kind, custody) in [
        (person("Mette", "Hansen", MOTHER), "mother", true),
        (person("Per", "Hansen", FATHER), "father", true),
    ] {
        let input = NewRelationInput {
            kind: kind.into(),
            custody,
            ..input
        };
        network::add(
            &test.db,
            &nobody,
            &anne,
            child.id,
            &input,
            Default::default(),
        )
        .await
        .unwrap();
    }
    let before = journal_titles(&test, &anne, &child).await.len();

    // The register as it was: the child lives in Værnby (901) with both parents holding custody.
    let initial = format!(
        "000;2026-11-01\n\
         001;{child_cpr};{};{};01;\n\
         002;{child_cpr};0901;Skolevej 2;;9999;Værnby\n\
         003;{child_cpr};{MOTHER};{FATHER}\n\
         004;{child_cpr};{MOTHER}\n\
         004;{child_cpr};{FATHER}\n\
         999;1\n",
        child.first_name, child.last_name
    );
    let stored = StoredRegister::new(test.db.clone());
    let report = stored.import(Cursor::new(initial), |_| {}).await.unwrap();
    assert_eq!((report.persons, report.rejected), (1, 0));

    // The change: the mother marries and moves; the child moves with her to København (101)
    // and custody passes to the mother and grandmother; the father dies; one record is bad.
    let changes = format!(
        "000;2026-11-20\n\
         001;{MOTHER};Mette;Hansen Berg;01;\n\
         002;{MOTHER};0101;Nørregade 7;2. th.;1165;København K\n\
         001;{child_cpr};{};{};01;\n\
         002;{child_cpr};0101;Nørregade 7;2. th.;1165;København K\n\
         003;{child_cpr};{MOTHER};{FATHER}\n\
         004;{child_cpr};{MOTHER}\n\
         004;{child_cpr};{GRANDMOTHER}\n\
         001;{FATHER};Per;Hansen;70;2026-11-15\n\
         001;{GRANDMOTHER};Inge;Berg;01;\n\
         002;{GRANDMOTHER};0101;Nørregade 9;;1165;København K\n\
         001;3213901234;Ugyldig;Dato;01;\n\
         999;5\n",
        child.first_name, child.last_name
    );
    let first = cpr::sync(&test.db, Cursor::new(changes.clone()), |_| {})
        .await
        .unwrap();
    assert_eq!(first.read.persons, 4);
    assert_eq!(first.read.rejected, 1);
    assert_eq!(first.read.errors[0].line, 12, "{:?}", first.read.errors);
    assert_eq!(first.transfers, 1);

    let notes = journal_titles(&test, &anne, &child).await;
    let new: Vec<&(String, String)> = notes.iter().take(notes.len() - before).collect();
    let text = |title: &str| {
        new.iter()
            .filter(|(t, _)| t.starts_with(title))
            .map(|(_, b)| b.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mother = text("Ændring fra CPR: Mette Hansen");
    assert!(mother.contains("hedder nu Mette Hansen Berg"), "{mother}");
    assert!(
        mother.contains("Nørregade 7, 2. th., 1165 København K"),
        "{mother}"
    );
    assert!(text("Ændring fra CPR: Per Hansen").contains("er død 15.11.2026"));
    let about_child = text("Ændring fra CPR: barnet");
    assert!(
        about_child.contains("flyttet til kommune 0101"),
        "{about_child}"
    );
    assert!(
        about_child.contains("Inge Berg er tilføjet netværket"),
        "{about_child}"
    );
    assert!(
        about_child.contains("Per Hansen har ikke længere forældremyndighed"),
        "{about_child}"
    );

    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let members = vaern_store::network::for_child(&mut tx, child.id)
        .await
        .unwrap();
    let by_cpr = |cpr: &str| {
        members
            .iter()
            .find(|m| m.cpr.as_deref() == Some(cpr))
            .unwrap()
    };
    assert_eq!(by_cpr(MOTHER).last_name, "Hansen Berg");
    assert_eq!(
        by_cpr(MOTHER).address,
        "Nørregade 7, 2. th.\n1165 København K"
    );
    assert!(by_cpr(MOTHER).custody);
    assert!(!by_cpr(FATHER).custody);
    assert_eq!(
        by_cpr(FATHER).died_on,
        Some(time::macros::date!(2026 - 11 - 15))
    );
    assert!(by_cpr(GRANDMOTHER).custody);
    assert_eq!(by_cpr(GRANDMOTHER).kind, "family");
    let case = child.case_id.unwrap();
    let transfer = sub_cases::for_case(&mut tx, case)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == "transfer")
        .expect("a sagsoverdragelse was opened");
    assert_eq!(transfer.status, "open");
    assert!(
        transfer.opened_by_name.is_none(),
        "opened by Værn, not a user"
    );
    let rules: Vec<String> = deadlines::for_case(&mut tx, case)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.sub_case_id == transfer.id)
        .map(|d| d.rule_id)
        .collect();
    assert_eq!(rules, ["flytning.overdragelse"]);
    tx.commit().await.unwrap();

    let mut global = test.db.global().await.unwrap();
    let stored_mother = register::get(&mut global, &vaern_domain::Cpr::parse(MOTHER).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored_mother.last_name, "Hansen Berg");
    global.commit().await.unwrap();

    // The same file again (a rerun, or a retry after a crash) changes nothing twice.
    let again = cpr::sync(&test.db, Cursor::new(changes), |_| {})
        .await
        .unwrap();
    assert_eq!((again.notes, again.transfers), (0, 0));
    assert_eq!(
        journal_titles(&test, &anne, &child).await.len(),
        notes.len()
    );

    // Once the transfer is done and closed, a later record of the moved child (a new name)
    // opens no second transfer: the municipality has not changed again.
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    sub_cases::close(&mut tx, transfer.id, anne.user_id, "Overdraget")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let renamed = format!(
        "000;2026-11-25\n001;{child_cpr};{};Berg;01;\n\
         002;{child_cpr};0101;Nørregade 7;2. th.;1165;København K\n\
         003;{child_cpr};{MOTHER};{FATHER}\n004;{child_cpr};{MOTHER}\n\
         004;{child_cpr};{GRANDMOTHER}\n999;1\n",
        child.first_name
    );
    let later = cpr::sync(&test.db, Cursor::new(renamed), |_| {})
        .await
        .unwrap();
    assert_eq!((later.notes, later.transfers), (1, 0), "{later:?}");
}

#[tokio::test]
async fn a_change_file_for_persons_on_no_case_changes_only_the_register() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let mut global = test.db.global().await.unwrap();
    let before = register::count(&mut global).await.unwrap();
    global.commit().await.unwrap();
    let changes = "000;2026-11-20\n001;0101904002;Mette;Hansen;01;\n999;1\n";
    let report = cpr::sync(&test.db, Cursor::new(changes), |_| {})
        .await
        .unwrap();
    assert_eq!(
        (report.read.persons, report.notes, report.transfers),
        (1, 0, 0)
    );
    let mut global = test.db.global().await.unwrap();
    assert_eq!(register::count(&mut global).await.unwrap(), before + 1);
    global.commit().await.unwrap();
}

#[tokio::test]
async fn an_extract_is_imported_in_batches_with_a_line_numbered_report() {
    let test = TestDb::new().await;
    let persons = 2 * BATCH as u64 + 500;
    let mut extract = Vec::new();
    write_extract(
        &mut extract,
        persons,
        7,
        time::macros::date!(2026 - 11 - 01),
    )
    .unwrap();
    // A malformed record halfway: its person is rejected, the rest are stored.
    let mut text = String::from_utf8(extract).unwrap();
    let halfway = text[text.len() / 2..].find("\n001;").unwrap() + text.len() / 2 + 1;
    let bad_line = text[..halfway].lines().count() as u64 + 1;
    text.replace_range(halfway..halfway + 4, "001;31139");
    let mut seen = Vec::new();
    let report = StoredRegister::new(test.db.clone())
        .import(Cursor::new(text), |p| seen.push(p.persons))
        .await
        .unwrap();
    assert_eq!(report.persons, persons - 1);
    assert_eq!(report.batches, 3);
    assert_eq!(seen, [1_000, 2_000, persons - 1]);
    assert_eq!(report.rejected, 1);
    assert_eq!(report.errors[0].line, bad_line, "{:?}", report.errors);
    let mut global = test.db.global().await.unwrap();
    assert_eq!(
        register::count(&mut global).await.unwrap(),
        (persons - 1) as i64
    );
    global.commit().await.unwrap();
}

#[tokio::test]
async fn a_register_lookup_is_access_logged_and_suggests_the_relation() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let child = child_with_cpr(&test, &anne).await;
    let child_cpr = child.cpr.clone().unwrap();
    let extract = format!(
        "000;2026-11-01\n\
         001;{child_cpr};Barn;Barnesen;01;\n\
         003;{child_cpr};{MOTHER};\n\
         004;{child_cpr};{MOTHER}\n\
         001;{MOTHER};Mette;Hansen;01;\n\
         002;{MOTHER};0901;Skolevej 2;;9999;Værnby\n\
         999;2\n"
    );
    let stored = StoredRegister::new(test.db.clone());
    stored.import(Cursor::new(extract), |_| {}).await.unwrap();
    let (_, found) = cpr::lookup_for_child(
        &test.db,
        &stored,
        &anne,
        child.id,
        "010190-4002",
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(found.person.full_name(), "Mette Hansen");
    assert_eq!(
        found.kind,
        Some(vaern_domain::network::RelationKind::Mother)
    );
    assert!(found.custody);
    let unknown = cpr::lookup_for_child(
        &test.db,
        &stored,
        &anne,
        child.id,
        "0202884011",
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap_err();
    assert!(format!("{unknown:?}").contains("findes ikke i CPR-registret"));
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let logged = vaern_store::access_log::list(&mut tx, &Default::default(), 100)
        .await
        .unwrap();
    let lookups = logged
        .iter()
        .filter(|e| e.detail.starts_with("CPR-opslag") && e.person_id == Some(child.id))
        .count();
    assert_eq!(lookups, 2, "both lookups, the failed one too");
    tx.commit().await.unwrap();
}
