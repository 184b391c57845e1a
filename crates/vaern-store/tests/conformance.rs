//! The store's behaviour, run unchanged on SQLite and PostgreSQL (`TEST_DATABASE_URL`).

use time::{Duration, macros::date};
use vaern_domain::{
    Role,
    child::{NewChild, NewChildInput},
    journal::EntryKind,
};
use vaern_store::{
    ChildId, Db, MunicipalityId, StoreError, UserId, access_log, auth, children, journal,
    municipalities, users,
};
use vaern_testkit::{TestDb, on_postgres};

struct World {
    test: TestDb,
    kbh: MunicipalityId,
    other: MunicipalityId,
    worker: UserId,
}

async fn world() -> World {
    let test = TestDb::new().await;
    let mut g = test.db.global().await.unwrap();
    let kbh = municipalities::create(&mut g, "901", "Demo Kommune")
        .await
        .unwrap()
        .id;
    let other = municipalities::create(&mut g, "902", "Anden Kommune")
        .await
        .unwrap()
        .id;
    g.commit().await.unwrap();
    let mut tx = test.db.tenant(kbh).await.unwrap();
    let worker = users::create(
        &mut tx,
        &users::NewUserRow {
            username: "anne",
            name: "Anne Rådgiver",
            role: Role::Caseworker,
            password_hash: "x",
            team_id: None,
        },
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    World {
        test,
        kbh,
        other,
        worker,
    }
}

fn new_child(cpr: Option<&str>, first: &str, last: &str) -> NewChild {
    NewChild::parse(
        &NewChildInput {
            cpr: cpr.map(Into::into),
            first_name: first.into(),
            last_name: last.into(),
            birth_date: cpr.is_none().then(|| "01.02.2018".into()),
            sex: None,
        },
        date!(2026 - 11 - 23),
    )
    .unwrap()
}

async fn child_with_case(w: &World, cpr: &str, first: &str, last: &str) -> children::Child {
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    let child = children::create(&mut tx, &new_child(Some(cpr), first, last))
        .await
        .unwrap();
    children::open_case(&mut tx, child.id, "901", w.worker, None)
        .await
        .unwrap();
    let child = children::get(&mut tx, child.id).await.unwrap();
    tx.commit().await.unwrap();
    child
}

mod children_and_cases {
    use super::*;

    #[tokio::test]
    async fn a_child_round_trips_with_its_derived_birth_date() {
        let w = world().await;
        let child = child_with_case(&w, "150615-4122", "Ærtebjørn", "Østergård").await;
        assert_eq!(child.birth_date, date!(2015 - 06 - 15));
        assert_eq!(child.sex.as_deref(), Some("female"));
        assert_eq!(child.cpr.as_deref(), Some("1506154122"));
        assert_eq!(child.caseworker_name.as_deref(), Some("Anne Rådgiver"));
        assert!(child.case_number.unwrap().starts_with("901-"));
    }

    #[tokio::test]
    async fn a_child_without_cpr_is_stored_with_its_birth_date() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let child = children::create(&mut tx, &new_child(None, "Amir", "Haddad"))
            .await
            .unwrap();
        assert_eq!(child.cpr, None);
        assert_eq!(child.birth_date, date!(2018 - 02 - 01));
    }

    #[tokio::test]
    async fn the_same_cpr_twice_in_a_municipality_is_a_conflict_but_not_across_municipalities() {
        let w = world().await;
        child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let again = children::create(&mut tx, &new_child(Some("1506154122"), "Emma", "N")).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(tx);
        let mut tx = w.test.db.tenant(w.other).await.unwrap();
        children::create(&mut tx, &new_child(Some("1506154122"), "Emma", "Nielsen"))
            .await
            .expect("another municipality may register the same child");
    }

    #[tokio::test]
    async fn search_finds_by_name_parts_cpr_with_or_without_dash_and_case_number() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma Sofie", "Østergård").await;
        child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        for query in [
            "emma",
            "ØSTERGÅRD",
            "emma øster",
            "150615",
            "150615-4122",
            "1506154122",
        ] {
            let found = children::search(&mut tx, query).await.unwrap();
            assert_eq!(found.len(), 1, "{query}");
            assert_eq!(found[0].id, emma.id, "{query}");
        }
        let by_number = children::search(&mut tx, emma.case_number.as_deref().unwrap()).await;
        assert_eq!(by_number.unwrap()[0].id, emma.id);
        assert!(children::search(&mut tx, "100%").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn another_municipality_sees_neither_the_child_nor_search_hits() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tx = w.test.db.tenant(w.other).await.unwrap();
        assert!(matches!(
            children::get(&mut tx, emma.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(children::search(&mut tx, "emma").await.unwrap().is_empty());
        assert!(
            children::by_cpr(&mut tx, "1506154122")
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_child_has_at_most_one_case_and_case_numbers_count_up() {
        let w = world().await;
        let a = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let b = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let serial =
            |c: &children::Child| c.case_number.clone().unwrap()[9..].parse::<u32>().unwrap();
        assert_eq!(serial(&b), serial(&a) + 1);
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let second = children::open_case(&mut tx, a.id, "901", w.worker, None).await;
        assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
    }

    #[tokio::test]
    async fn mit_overblik_lists_only_the_caseworkers_open_cases() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let other = users::create(
            &mut tx,
            &users::NewUserRow {
                username: "bo",
                name: "Bo",
                role: Role::Caseworker,
                password_hash: "x",
                team_id: None,
            },
        )
        .await
        .unwrap();
        let mine = children::open_cases_of(&mut tx, w.worker).await.unwrap();
        assert_eq!(mine.iter().map(|c| c.id).collect::<Vec<_>>(), vec![emma.id]);
        assert!(
            children::open_cases_of(&mut tx, other.id)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn an_uncommitted_use_case_leaves_nothing_behind() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        children::create(&mut tx, &new_child(Some("150615-4122"), "E", "N"))
            .await
            .unwrap();
        drop(tx);
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert!(
            children::by_cpr(&mut tx, "1506154122")
                .await
                .unwrap()
                .is_none()
        );
    }
}

mod journal_entries {
    use super::*;

    async fn note(
        w: &World,
        case: vaern_store::ChildCaseId,
        title: &str,
        day: time::Date,
        kind: EntryKind,
    ) -> journal::JournalEntry {
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let entry = journal::append(
            &mut tx,
            &journal::NewEntry {
                case,
                kind,
                title,
                body: "<b>tekst</b>",
                event_date: day,
                author: Some(w.worker),
                corrects: None,
                sub_case: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        entry
    }

    #[tokio::test]
    async fn the_journal_lists_newest_event_first_and_filters() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        note(&w, case, "gammel", date!(2026 - 01 - 10), EntryKind::Manual).await;
        note(&w, case, "ny", date!(2026 - 11 - 01), EntryKind::Manual).await;
        note(
            &w,
            case,
            "auto",
            date!(2026 - 06 - 01),
            EntryKind::Automatic,
        )
        .await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let all = journal::list(&mut tx, case, &journal::Filter::default())
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(),
            ["ny", "auto", "gammel"]
        );
        assert_eq!(all[0].body, "<b>tekst</b>", "text is stored as typed");
        let manual = journal::Filter {
            kind: Some(EntryKind::Manual),
            ..Default::default()
        };
        assert_eq!(
            journal::list(&mut tx, case, &manual).await.unwrap().len(),
            2
        );
        let period = journal::Filter {
            from: Some(date!(2026 - 05 - 01)),
            to: Some(date!(2026 - 10 - 31)),
            ..Default::default()
        };
        let in_period = journal::list(&mut tx, case, &period).await.unwrap();
        assert_eq!(
            in_period
                .iter()
                .map(|e| e.title.as_str())
                .collect::<Vec<_>>(),
            ["auto"]
        );
        let by_author = journal::Filter {
            author: Some(w.worker),
            ..Default::default()
        };
        assert_eq!(
            journal::list(&mut tx, case, &by_author)
                .await
                .unwrap()
                .len(),
            3
        );
        let last = &all[1];
        let next = journal::Filter {
            before: Some((last.event_date, last.created_at, last.id)),
            ..Default::default()
        };
        let page = journal::list(&mut tx, case, &next).await.unwrap();
        assert_eq!(
            page.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(),
            ["gammel"]
        );
    }

    #[tokio::test]
    async fn a_correction_points_to_the_corrected_note_and_both_remain() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let original = note(
            &w,
            case,
            "forkert",
            date!(2026 - 11 - 01),
            EntryKind::Manual,
        )
        .await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let fix = journal::append(
            &mut tx,
            &journal::NewEntry {
                case,
                kind: EntryKind::Manual,
                title: "rettelse",
                body: "rigtigt",
                event_date: date!(2026 - 11 - 01),
                author: Some(w.worker),
                corrects: Some(original.id),
                sub_case: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(fix.corrects_id, Some(original.id));
        let original = journal::get(&mut tx, original.id).await.unwrap();
        assert_eq!(original.corrected_by_id, Some(fix.id));
        assert_eq!(original.title, "forkert");
    }

    #[tokio::test]
    async fn the_database_refuses_to_edit_or_delete_journal_entries() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        note(&w, case, "fast", date!(2026 - 11 - 01), EntryKind::Manual).await;
        for sql in [
            "update journal_entries set title = 'ændret'",
            "delete from journal_entries",
        ] {
            let result = match &w.test.db {
                Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
                Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            };
            assert!(result.is_err(), "{sql} must fail");
        }
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let left = journal::list(&mut tx, case, &journal::Filter::default())
            .await
            .unwrap();
        assert_eq!(left[0].title, "fast");
    }

    #[tokio::test]
    async fn a_note_cannot_be_attached_to_another_municipalitys_case() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.other).await.unwrap();
        let result = journal::append(
            &mut tx,
            &journal::NewEntry {
                case,
                kind: EntryKind::Manual,
                title: "x",
                body: "y",
                event_date: date!(2026 - 11 - 01),
                author: None,
                corrects: None,
                sub_case: None,
            },
        )
        .await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    }
}

mod access_logging {
    use super::*;
    use access_log::{AccessKind, Filter};

    #[tokio::test]
    async fn reads_are_logged_and_filtered_by_person_kind_and_user() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        access_log::record(
            &mut tx,
            w.worker,
            Some(emma.id),
            AccessKind::View,
            "Barnets side",
        )
        .await
        .unwrap();
        access_log::record_many(
            &mut tx,
            w.worker,
            &[Some(emma.id), Some(noah.id)],
            AccessKind::Search,
            "Søgning: «n»",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let emmas = access_log::list(
            &mut tx,
            &Filter {
                person: Some(emma.id),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
        assert_eq!(emmas.len(), 2);
        assert_eq!(emmas[0].person_name.as_deref(), Some("Emma Nielsen"));
        assert_eq!(emmas[0].user_name.as_deref(), Some("Anne Rådgiver"));
        let searches = access_log::list(
            &mut tx,
            &Filter {
                kind: Some(AccessKind::Search),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
        assert_eq!(searches.len(), 2);
        assert!(searches.iter().all(|r| r.detail == "Søgning: «n»"));
        let nobody = access_log::list(
            &mut tx,
            &Filter {
                user: Some(UserId::new()),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
        assert!(nobody.is_empty());
        drop(tx); // SQLite has one writer: never hold two transactions at once
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            access_log::list(&mut other, &Filter::default(), 100)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn the_access_log_is_append_only() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        access_log::record(
            &mut tx,
            w.worker,
            Some(ChildId::new()),
            AccessKind::View,
            "x",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let result = match &w.test.db {
            Db::Sqlite(pool) => sqlx::query("delete from access_log")
                .execute(pool)
                .await
                .map(|_| ()),
            Db::Postgres(pool) => sqlx::query("delete from access_log")
                .execute(pool)
                .await
                .map(|_| ()),
        };
        assert!(result.is_err());
    }
}

mod authentication {
    use super::*;

    #[tokio::test]
    async fn a_session_expires_after_the_idle_timeout() {
        let w = world().await;
        let mut tx = w.test.db.auth().await.unwrap();
        auth::create_session(&mut tx, "hash", w.worker, w.kbh, "csrf")
            .await
            .unwrap();
        let live = auth::touch_session(&mut tx, "hash", Duration::minutes(30))
            .await
            .unwrap();
        assert_eq!(live.user.id, w.worker);
        assert_eq!(live.csrf_token, "csrf");
        let idle = auth::touch_session(&mut tx, "hash", Duration::ZERO).await;
        assert!(matches!(idle, Err(StoreError::NotFound)));
        let gone = auth::touch_session(&mut tx, "hash", Duration::minutes(30)).await;
        assert!(
            matches!(gone, Err(StoreError::NotFound)),
            "an idle session is deleted"
        );
    }

    #[tokio::test]
    async fn deactivating_a_user_ends_sessions_and_tokens() {
        let w = world().await;
        let mut tx = w.test.db.auth().await.unwrap();
        auth::create_session(&mut tx, "hash", w.worker, w.kbh, "csrf")
            .await
            .unwrap();
        auth::create_token(&mut tx, w.worker, w.kbh, "tokenhash")
            .await
            .unwrap();
        assert_eq!(
            auth::token_user(&mut tx, "tokenhash").await.unwrap().id,
            w.worker
        );
        tx.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        users::update(&mut tx, w.worker, Role::Caseworker, None, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.auth().await.unwrap();
        assert!(
            auth::touch_session(&mut tx, "hash", Duration::minutes(30))
                .await
                .is_err()
        );
        assert!(auth::token_user(&mut tx, "tokenhash").await.is_err());
    }

    #[tokio::test]
    async fn login_failures_are_counted_per_username_and_cleared() {
        let w = world().await;
        let mut tx = w.test.db.auth().await.unwrap();
        let since = vaern_store::now() - Duration::minutes(15);
        for _ in 0..3 {
            auth::record_login_failure(&mut tx, "anne").await.unwrap();
        }
        assert_eq!(
            auth::login_failures_since(&mut tx, "anne", since)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            auth::login_failures_since(&mut tx, "bo", since)
                .await
                .unwrap(),
            0
        );
        auth::clear_login_failures(&mut tx, "anne").await.unwrap();
        assert_eq!(
            auth::login_failures_since(&mut tx, "anne", since)
                .await
                .unwrap(),
            0
        );
    }

    #[tokio::test]
    async fn usernames_are_unique_across_municipalities() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.other).await.unwrap();
        let clash = users::create(
            &mut tx,
            &users::NewUserRow {
                username: "anne",
                name: "Anne To",
                role: Role::Admin,
                password_hash: "x",
                team_id: None,
            },
        )
        .await;
        assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    }
}

/// PostgreSQL's row-level security is a second wall: a query that forgets the municipality sees
/// nothing. (SQLite has no RLS; there the tenant handle is the only wall.)
#[tokio::test]
async fn without_a_municipality_set_postgres_returns_no_rows() {
    if !on_postgres() {
        return;
    }
    let w = world().await;
    child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
    let Db::Postgres(pool) = &w.test.db else {
        unreachable!()
    };
    for table in [
        "children",
        "child_cases",
        "journal_entries",
        "users",
        "teams",
        "access_log",
    ] {
        let sql = format!("select count(*) from {table}");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(count, 0, "{table} must be hidden without app.municipality");
    }
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    assert_eq!(children::search(&mut tx, "emma").await.unwrap().len(), 1);
}

/// SQLite runs in WAL mode with synchronous=FULL and foreign keys on, on every pooled connection.
#[tokio::test]
async fn sqlite_connections_use_wal_full_sync_and_foreign_keys() {
    if on_postgres() {
        return;
    }
    let w = world().await;
    let Db::Sqlite(pool) = &w.test.db else {
        unreachable!()
    };
    for _ in 0..3 {
        let mut conn = pool.acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("pragma journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let sync: i64 = sqlx::query_scalar("pragma synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let fks: i64 = sqlx::query_scalar("pragma foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(
            (mode.as_str(), sync, fks),
            ("wal", 2, 1),
            "journal_mode, synchronous (2 = FULL), foreign_keys"
        );
    }
}

mod user_administration_log {
    use super::*;
    use vaern_store::admin_log;

    #[tokio::test]
    async fn changes_are_listed_newest_first_per_municipality_and_never_edited() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        admin_log::record(
            &mut tx,
            Some(w.worker),
            Some(w.worker),
            "user_created",
            "Oprettede Anne",
        )
        .await
        .unwrap();
        admin_log::record(&mut tx, None, None, "team_created", "Oprettede teamet X")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let events = admin_log::latest(&mut tx).await.unwrap();
        assert_eq!(events.len(), 2);
        let created = events.iter().find(|e| e.action == "user_created").unwrap();
        assert_eq!(created.actor_name.as_deref(), Some("Anne Rådgiver"));
        assert_eq!(created.subject_name.as_deref(), Some("Anne Rådgiver"));
        drop(tx);
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(admin_log::latest(&mut other).await.unwrap().is_empty());
        drop(other);
        let result = match &w.test.db {
            Db::Sqlite(pool) => sqlx::query("delete from admin_events")
                .execute(pool)
                .await
                .map(|_| ()),
            Db::Postgres(pool) => sqlx::query("delete from admin_events")
                .execute(pool)
                .await
                .map(|_| ()),
        };
        assert!(result.is_err(), "admin_events is append-only");
    }
}

mod case_process {
    use super::*;
    use time::macros::datetime;
    use vaern_store::{deadlines, sub_cases};

    /// Instants given with a Danish offset must sort and compare by the instant, not the text
    /// (SQLite stores timestamps as text).
    #[tokio::test]
    async fn deadlines_with_mixed_offsets_sort_and_compare_as_instants() {
        let w = world().await;
        let child = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let case = child.case_id.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let opened = datetime!(2026 - 01 - 01 08:00 +01:00);
        let steps = [sub_cases::NewStep {
            code: "screening",
            required: true,
        }];
        let sub = sub_cases::open(
            &mut tx,
            case,
            "clarification",
            "Underretning",
            opened,
            Some(w.worker),
            &steps,
        )
        .await
        .unwrap();
        for (rule, due) in [
            ("sen", datetime!(2026 - 01 - 01 09:30 UTC)),
            ("tidlig", datetime!(2026 - 01 - 01 10:00 +01:00)), // 09:00 UTC
        ] {
            let new = deadlines::NewDeadline {
                case,
                sub_case: sub.id,
                step: None,
                rule_id: rule,
                trigger_at: opened,
                due_at: due,
            };
            deadlines::create(&mut tx, &new).await.unwrap();
        }
        let all = deadlines::for_case(&mut tx, case).await.unwrap();
        assert_eq!(
            all.iter().map(|d| d.rule_id.as_str()).collect::<Vec<_>>(),
            ["tidlig", "sen"]
        );
        let until = datetime!(2026 - 01 - 01 10:15 +01:00); // 09:15 UTC
        let due = deadlines::open_for_caseworker(&mut tx, w.worker, until)
            .await
            .unwrap();
        assert_eq!(
            due.iter().map(|d| d.rule_id.as_str()).collect::<Vec<_>>(),
            ["tidlig"]
        );
        assert_eq!(sub.opened_at, opened, "the same instant comes back");
    }

    #[tokio::test]
    async fn a_step_finishes_once_and_a_sub_case_closes_once() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let steps = [
            sub_cases::NewStep {
                code: "screening",
                required: true,
            },
            sub_cases::NewStep {
                code: "konklusion",
                required: false,
            },
        ];
        let sub = sub_cases::open(
            &mut tx,
            case,
            "clarification",
            "U",
            vaern_store::now(),
            Some(w.worker),
            &steps,
        )
        .await
        .unwrap();
        assert_eq!(sub.next_step().unwrap().code, "screening");
        let step = sub.steps[0].id;
        assert!(
            sub_cases::finish_step(&mut tx, step, "done", Some("ok"), w.worker)
                .await
                .unwrap()
        );
        assert!(
            !sub_cases::finish_step(&mut tx, step, "skipped", None, w.worker)
                .await
                .unwrap(),
            "already done"
        );
        let after = sub_cases::get(&mut tx, sub.id).await.unwrap();
        assert_eq!(
            (
                after.steps[0].status.as_str(),
                after.steps[0].finished_by_name.as_deref()
            ),
            ("done", Some("Anne Rådgiver"))
        );
        assert_eq!(after.next_step().unwrap().code, "konklusion");
        assert!(
            sub_cases::close(&mut tx, sub.id, w.worker, "færdig")
                .await
                .unwrap()
        );
        assert!(
            !sub_cases::close(&mut tx, sub.id, w.worker, "igen")
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(matches!(
            sub_cases::get(&mut other, sub.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            sub_cases::for_case(&mut other, case)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

mod municipality_settings {
    use super::*;
    use vaern_domain::{
        calendar::ClosedDays,
        process::{LocalStandard, Offset},
    };
    use vaern_store::municipality_settings as settings;

    #[tokio::test]
    async fn defaults_apply_until_set_and_local_standards_are_replaced_not_duplicated() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(
            settings::closed_days(&mut tx).await.unwrap(),
            ClosedDays::default()
        );
        settings::set_customary_days(&mut tx, false, true, false)
            .await
            .unwrap();
        settings::add_closed_day(&mut tx, date!(2026 - 03 - 06), "Lukkedag")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A conflict ends its transaction (PostgreSQL aborts it), so it gets its own.
        let mut dup = w.test.db.tenant(w.kbh).await.unwrap();
        let again = settings::add_closed_day(&mut dup, date!(2026 - 03 - 06), "Igen").await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(dup);
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let days = settings::closed_days(&mut tx).await.unwrap();
        assert_eq!(
            (days.grundlovsdag, days.juleaftensdag, days.nytaarsaftensdag),
            (false, true, false)
        );
        assert_eq!(days.extra, vec![date!(2026 - 03 - 06)]);
        for amount in [3, 4] {
            let standard = LocalStandard {
                rule_id: "aktindsigt.7hd".into(),
                offset: Offset::WorkingDays(amount),
                description: "Servicemål".into(),
            };
            settings::set_local_standard(&mut tx, &standard)
                .await
                .unwrap();
        }
        let local = settings::local_standards(&mut tx).await.unwrap();
        assert_eq!(local.len(), 1);
        assert_eq!(local[0].offset, Offset::WorkingDays(4));
        tx.commit().await.unwrap();
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert_eq!(
            settings::closed_days(&mut other).await.unwrap(),
            ClosedDays::default()
        );
        assert!(
            settings::local_standards(&mut other)
                .await
                .unwrap()
                .is_empty()
        );
        drop(other);
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert!(
            settings::remove_closed_day(&mut tx, date!(2026 - 03 - 06))
                .await
                .unwrap()
        );
        assert!(
            !settings::remove_closed_day(&mut tx, date!(2026 - 03 - 06))
                .await
                .unwrap()
        );
    }
}

mod job_leases {
    use super::*;
    use vaern_store::jobs;

    #[tokio::test]
    async fn one_owner_holds_a_lease_until_it_finishes_or_the_lease_expires() {
        let w = world().await;
        let take = |owner: &'static str, secs: i64| {
            let db = w.test.db.clone();
            async move {
                let mut tx = db.global().await.unwrap();
                let taken = jobs::take_lease(&mut tx, "test_job", owner, Duration::seconds(secs))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                taken
            }
        };
        assert!(take("a", 300).await);
        assert!(!take("b", 300).await, "held by a");
        assert!(take("a", 300).await, "the holder may renew");
        let mut tx = w.test.db.global().await.unwrap();
        jobs::finish(&mut tx, "test_job", "a", "ok").await.unwrap();
        tx.commit().await.unwrap();
        assert!(take("b", -1).await, "free after finishing");
        assert!(take("c", 300).await, "b's lease has expired");
        let mut tx = w.test.db.global().await.unwrap();
        let (_, result) = jobs::last_run(&mut tx, "test_job").await.unwrap().unwrap();
        assert_eq!(result, "ok");
    }
}

mod documents_and_templates {
    use super::*;
    use vaern_domain::document::{DocumentKind, NewDocument};
    use vaern_store::{documents, letter_templates};

    fn description(title: &str) -> NewDocument {
        NewDocument {
            title: title.into(),
            kind: DocumentKind::Incoming,
            document_date: date!(2026 - 11 - 20),
            confidential: false,
            shareable_with_siblings: true,
        }
    }

    fn file<'a>(hash: &'a str, name: &'a str) -> documents::NewVersion<'a> {
        documents::NewVersion {
            content_hash: hash,
            size_bytes: 1234,
            media_type: "application/pdf",
            file_name: name,
            letter_data: None,
        }
    }

    #[tokio::test]
    async fn versions_accumulate_and_a_stale_version_number_is_a_conflict() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let doc = documents::create(
            &mut tx,
            case,
            None,
            &description("Skoleudtalelse"),
            &file(&"a".repeat(64), "udtalelse.pdf"),
            w.worker,
        )
        .await
        .unwrap();
        assert_eq!(doc.latest_version, 1);
        assert_eq!(doc.created_by_name.as_deref(), Some("Anne Rådgiver"));
        let second = documents::add_version(
            &mut tx,
            doc.id,
            1,
            &file(&"b".repeat(64), "v2.pdf"),
            w.worker,
        )
        .await
        .unwrap();
        assert_eq!(second.version, 2);
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let stale = documents::add_version(
            &mut tx,
            doc.id,
            1,
            &file(&"c".repeat(64), "v3.pdf"),
            w.worker,
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        drop(tx);

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let listed = documents::for_case(&mut tx, case).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].latest_version, listed[0].file_name.as_str()),
            (2, "v2.pdf")
        );
        let versions = documents::versions(&mut tx, doc.id).await.unwrap();
        let numbers: Vec<_> = versions
            .iter()
            .map(|v| (v.version, v.file_name.as_str()))
            .collect();
        assert_eq!(numbers, [(2, "v2.pdf"), (1, "udtalelse.pdf")]);
        assert_eq!(
            documents::version(&mut tx, doc.id, 1)
                .await
                .unwrap()
                .content_hash,
            "a".repeat(64)
        );
        let hashes = documents::content_hashes(&mut tx).await.unwrap();
        assert_eq!(hashes.len(), 2, "each version's file: {hashes:?}");
        assert!(hashes.contains(&"a".repeat(64)));
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            documents::content_hashes(&mut other)
                .await
                .unwrap()
                .is_empty(),
            "another municipality's files are not listed"
        );
        assert!(matches!(
            documents::get(&mut other, doc.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            documents::for_case(&mut other, case)
                .await
                .unwrap()
                .is_empty()
        );
        let foreign = documents::create(
            &mut other,
            case,
            None,
            &description("x"),
            &file(&"d".repeat(64), "x.pdf"),
            w.worker,
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)));
    }

    #[tokio::test]
    async fn the_database_refuses_to_change_versions_or_template_history() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        documents::create(
            &mut tx,
            case,
            None,
            &description("Brev"),
            &file(&"a".repeat(64), "brev.pdf"),
            w.worker,
        )
        .await
        .unwrap();
        letter_templates::save(
            &mut tx,
            "partshoering",
            "Partshøring",
            "Kære {{ modtager.navn }}",
            w.worker,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        for sql in [
            "update document_versions set content_hash = 'x'",
            "delete from document_versions",
            "update letter_templates set body = 'x'",
            "delete from letter_templates",
        ] {
            let result = match &w.test.db {
                Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
                Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            };
            assert!(result.is_err(), "{sql} must fail");
        }
    }

    #[tokio::test]
    async fn template_saves_are_numbered_versions_per_municipality() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert!(
            letter_templates::in_use(&mut tx, "partshoering")
                .await
                .unwrap()
                .is_none()
        );
        for body in ["første", "anden"] {
            letter_templates::save(&mut tx, "partshoering", "Partshøring", body, w.worker)
                .await
                .unwrap();
        }
        letter_templates::save(
            &mut tx,
            "kvittering_underretning",
            "Kvittering",
            "k",
            w.worker,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let in_use = letter_templates::in_use(&mut tx, "partshoering")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((in_use.version, in_use.body.as_str()), (2, "anden"));
        let current: Vec<_> = letter_templates::current(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.template_key, t.version))
            .collect();
        assert_eq!(
            current,
            [
                ("kvittering_underretning".to_owned(), 1),
                ("partshoering".to_owned(), 2)
            ]
        );
        assert_eq!(
            letter_templates::history(&mut tx, "partshoering")
                .await
                .unwrap()
                .len(),
            2
        );
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            letter_templates::current(&mut other)
                .await
                .unwrap()
                .is_empty()
        );
        let theirs = letter_templates::save(&mut other, "partshoering", "P", "b", w.worker)
            .await
            .unwrap();
        assert_eq!(theirs.version, 1, "numbering is per municipality");
    }
}

mod network {
    use super::*;
    use vaern_domain::network::{NewRelation, NewRelationInput};
    use vaern_store::network;

    fn mother(custody: bool) -> NewRelation {
        NewRelation::parse(
            &NewRelationInput {
                first_name: "Mette".into(),
                last_name: "Nielsen".into(),
                cpr: Some("0101904002".into()),
                kind: "mother".into(),
                custody,
                address: "Skolevej 2\n9999 Værnby".into(),
                phone: "12345678".into(),
                ..Default::default()
            },
            None,
            time::macros::date!(2026 - 11 - 23),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn persons_are_added_with_their_relation_and_listed_custody_first_per_municipality() {
        let w = world().await;
        let child = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let network_person = NewRelation::parse(
            &NewRelationInput {
                first_name: "Lis".into(),
                last_name: "Andersen".into(),
                kind: "network".into(),
                ..Default::default()
            },
            None,
            time::macros::date!(2026 - 11 - 23),
        )
        .unwrap();
        network::add(&mut tx, child.id, &network_person, Some(w.worker))
            .await
            .unwrap();
        let added = network::add(&mut tx, child.id, &mother(true), Some(w.worker))
            .await
            .unwrap();
        assert_eq!(added.address_lines(), ["Skolevej 2", "9999 Værnby"]);
        assert_eq!(added.cpr.as_deref(), Some("0101904002"));
        let born = network::born_on(&mut tx, time::macros::date!(1990 - 01 - 01))
            .await
            .unwrap();
        assert_eq!(born.len(), 1, "the mother, by the birth date from her CPR");
        assert_eq!(born[0].first_name, "Mette");
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let members = network::for_child(&mut tx, child.id).await.unwrap();
        let listed: Vec<_> = members
            .iter()
            .map(|m| (m.full_name(), m.kind.as_str(), m.custody))
            .collect();
        assert_eq!(
            listed,
            [
                ("Mette Nielsen".to_owned(), "mother", true),
                ("Lis Andersen".to_owned(), "network", false)
            ]
        );
        assert_eq!(members[1].address, "", "no address is stored as empty");
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            network::for_child(&mut other, child.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            network::add(&mut other, child.id, &mother(false), Some(w.worker)).await,
            Err(StoreError::NotFound)
        ));
    }
}
