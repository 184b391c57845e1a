//! Background jobs on either database: two schedulers racing never escalate a deadline twice.

use vaern_app::{Actor, auth, case_process, jobs};
use vaern_domain::process::notification::NewNotificationInput;
use vaern_store::{children, journal, municipalities};
use vaern_testkit::TestDb;

async fn actor(test: &TestDb, username: &str) -> Actor {
    let token = auth::create_token(&test.db, username).await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

fn underretning(received_at: &str, kind: &str) -> NewNotificationInput {
    NewNotificationInput {
        received_at: received_at.into(),
        channel: "telefon".into(),
        notifier_kind: kind.into(),
        notifier_name: "Lise Lærer".into(),
        notifier_organisation: "Værnby Skole".into(),
        text: "Bekymring".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_escalate_each_overdue_deadline_exactly_once() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let kbh = {
        let mut tx = test.db.global().await.unwrap();
        municipalities::by_code(&mut tx, "901").await.unwrap().id
    };
    let (first, second) = {
        let mut tx = test.db.tenant(kbh).await.unwrap();
        let found = children::search(&mut tx, "a").await.unwrap();
        (found[0].clone(), found[1].clone())
    };
    // Overdue: 24-hour assessment (escalates) and the receipt (a reminder: does not escalate).
    case_process::register_notification(
        &test.db,
        &anne,
        first.id,
        &underretning("2026-01-05T09:00:00+01:00", "professional"),
    )
    .await
    .unwrap();
    // Not overdue yet.
    let now = vaern_store::now().to_offset(vaern_domain::dates::danish_offset(vaern_store::now()));
    let fresh = format!("{}T{:02}:{:02}", now.date(), now.hour(), now.minute());
    case_process::register_notification(
        &test.db,
        &anne,
        second.id,
        &underretning(&fresh, "private"),
    )
    .await
    .unwrap();

    let (a, b) = tokio::join!(
        jobs::run_once(&test.db, "instance-a"),
        jobs::run_once(&test.db, "instance-b")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.ran || b.ran, "one of them did the work");
    assert_eq!(a.escalated + b.escalated, 1, "{a:?} {b:?}");
    let again = jobs::run_once(&test.db, "instance-c").await.unwrap();
    assert_eq!(
        again,
        jobs::JobReport {
            ran: true,
            escalated: 0
        },
        "idempotent"
    );

    let mut tx = test.db.tenant(kbh).await.unwrap();
    for (child, expected) in [(&first, 1), (&second, 0)] {
        let notes = journal::list(&mut tx, child.case_id.unwrap(), &Default::default())
            .await
            .unwrap();
        let escalations: Vec<_> = notes
            .iter()
            .filter(|n| n.title == "Frist overskredet – eskaleret")
            .collect();
        assert_eq!(escalations.len(), expected, "{}", child.full_name());
        if let Some(note) = escalations.first() {
            assert!(note.body.contains("Barnets lov § 136"), "{}", note.body);
            assert_eq!(note.author_id, None, "written by the system");
        }
    }
}

#[tokio::test]
async fn a_backlog_larger_than_one_batch_drains_in_one_run() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let kbh = {
        let mut tx = test.db.global().await.unwrap();
        municipalities::by_code(&mut tx, "901").await.unwrap().id
    };
    let overdue = vaern_store::deadlines::SCAN_LIMIT + 205;
    let mut tx = test.db.tenant(kbh).await.unwrap();
    let case = children::search(&mut tx, "a").await.unwrap()[0]
        .case_id
        .unwrap();
    let now = vaern_store::now();
    let sub = vaern_store::sub_cases::open(
        &mut tx,
        case,
        "investigation",
        "Efterslæb",
        now,
        Some(anne.user_id),
        &[],
    )
    .await
    .unwrap();
    for i in 0..overdue {
        let due_at = now - time::Duration::minutes(1 + i as i64);
        let new = vaern_store::deadlines::NewDeadline {
            case,
            sub_case: sub.id,
            step: None,
            rule_id: vaern_domain::process::RuleId::Investigation,
            trigger_at: now,
            due_at,
            started_by: None,
        };
        vaern_store::deadlines::create(&mut tx, &new).await.unwrap();
    }
    tx.commit().await.unwrap();
    let report = jobs::run_once(&test.db, "instance-a").await.unwrap();
    assert_eq!(report.escalated, overdue);
}
