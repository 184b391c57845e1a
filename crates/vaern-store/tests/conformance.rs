//! The store's behaviour, run unchanged on SQLite and PostgreSQL (`TEST_DATABASE_URL`).

use time::{Duration, macros::date};
use vaern_domain::{
    Role,
    child::{NewChild, NewChildInput},
    journal::EntryKind,
};
use vaern_store::{
    ChildCaseId, ChildId, MunicipalityId, Pool, StoreError, UserId, access_log, auth, children,
    journal, municipalities, saml, users,
};
use vaern_testkit::TestDb;

struct World {
    test: TestDb,
    kbh: MunicipalityId,
    other: MunicipalityId,
    worker: UserId,
}

async fn world() -> World {
    let test = TestDb::new().await;
    let (kbh, worker) =
        vaern_testkit::municipality_with_caseworker(&test.db, "901", "Demo Kommune").await;
    let mut g = test.db.global().await.unwrap();
    let other = municipalities::create(&mut g, "902", "Anden Kommune")
        .await
        .unwrap()
        .id;
    g.commit().await.unwrap();
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

/// A child (without a case) in the other municipality.
async fn other_child(w: &World, cpr: &str, first: &str, last: &str) -> children::Child {
    let mut tx = w.test.db.tenant(w.other).await.unwrap();
    let child = children::create(&mut tx, &new_child(Some(cpr), first, last))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    child
}

/// Closes a child's case directly in the database: the store has no use case for it yet.
async fn close_case(w: &World, case: ChildCaseId) {
    let sql = "update child_cases set status = 'closed' where id = $1";
    let closed = match w.test.db.pool() {
        Pool::Sqlite(pool) => sqlx::query(sql)
            .bind(case)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        Pool::Postgres(pool) => {
            // Row-level security hides the row unless the municipality is set.
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("select set_config('app.municipality', $1, true)")
                .bind(w.kbh.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            let closed = sqlx::query(sql)
                .bind(case)
                .execute(&mut *tx)
                .await
                .unwrap()
                .rows_affected();
            tx.commit().await.unwrap();
            closed
        }
    };
    assert_eq!(closed, 1, "the case is closed");
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
                pending_by: None,
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

    #[tokio::test]
    async fn a_renamed_child_is_found_by_its_new_name_only_in_its_municipality() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        children::rename(&mut tx, emma.id, "Emilie Sofie", "Østergård")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let renamed = children::get(&mut tx, emma.id).await.unwrap();
        assert_eq!(renamed.full_name(), "Emilie Sofie Østergård");
        assert_eq!(renamed.cpr.as_deref(), Some("1506154122"), "only the name");
        for query in ["emilie", "ØSTERGÅRD", "emilie øster", "sofie østergård"] {
            let found = children::search(&mut tx, query).await.unwrap();
            assert_eq!(
                found.iter().map(|c| c.id).collect::<Vec<_>>(),
                [emma.id],
                "{query}"
            );
        }
        assert!(
            children::search(&mut tx, "nielsen")
                .await
                .unwrap()
                .is_empty(),
            "the old name is no longer searched"
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        children::rename(&mut other, emma.id, "Fremmed", "Navn")
            .await
            .unwrap();
        other.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(
            children::get(&mut tx, emma.id).await.unwrap().full_name(),
            "Emilie Sofie Østergård",
            "another municipality cannot rename the child"
        );
    }

    #[tokio::test]
    async fn open_with_cprs_lists_only_children_on_open_cases_by_cpr() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        child_with_case(&w, "120717-4028", "Ida", "Berg").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let lone = children::create(&mut tx, &new_child(Some("0305164022"), "Lea", "Holm"))
            .await
            .unwrap();
        assert_eq!(lone.case_id, None);
        tx.commit().await.unwrap();
        let asked: Vec<String> = ["1506154122", "0101184013", "0305164022", "0101010000"]
            .map(String::from)
            .into();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let open = children::open_with_cprs(&mut tx, &asked).await.unwrap();
        assert_eq!(
            open.iter().map(|c| c.id).collect::<Vec<_>>(),
            [noah.id, emma.id],
            "by CPR; not Ida (not asked) nor Lea (no case)"
        );
        assert_eq!(open[1].case_status.as_deref(), Some("open"));
        assert!(
            children::open_with_cprs(&mut tx, &[])
                .await
                .unwrap()
                .is_empty()
        );
        drop(tx);

        close_case(&w, noah.case_id.unwrap()).await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let open = children::open_with_cprs(&mut tx, &asked).await.unwrap();
        assert_eq!(
            open.iter().map(|c| c.id).collect::<Vec<_>>(),
            [emma.id],
            "a closed case is left out"
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            children::open_with_cprs(&mut other, &asked)
                .await
                .unwrap()
                .is_empty()
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
            let result = match w.test.db.pool() {
                Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
                Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
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
    async fn read_transactions_log_through_the_group_commit_before_they_return() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let db = w.test.db.clone();
            let (municipality, person) = if i % 2 == 0 {
                (w.kbh, Some(emma.id))
            } else {
                (w.other, None)
            };
            let user = w.worker;
            tasks.push(tokio::spawn(async move {
                let detail = format!("side {i}");
                let mut tx = db.tenant_read(municipality).await.unwrap();
                access_log::record(&mut tx, user, person, AccessKind::View, &detail)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                let mut check = db.tenant_read(municipality).await.unwrap();
                let rows = access_log::list(&mut check, &Filter::default(), 100)
                    .await
                    .unwrap();
                assert!(
                    rows.iter().any(|r| r.detail == detail),
                    "committed when commit returned"
                );
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        for municipality in [w.kbh, w.other] {
            let mut tx = w.test.db.tenant_read(municipality).await.unwrap();
            let rows = access_log::list(&mut tx, &Filter::default(), 100)
                .await
                .unwrap();
            assert_eq!(rows.len(), 20, "each municipality sees its own rows only");
        }
    }

    #[tokio::test]
    async fn a_read_transaction_dropped_without_commit_logs_nothing() {
        let w = world().await;
        let mut tx = w.test.db.tenant_read(w.kbh).await.unwrap();
        access_log::record(&mut tx, w.worker, None, AccessKind::Search, "x")
            .await
            .unwrap();
        drop(tx);
        let mut tx = w.test.db.tenant_read(w.kbh).await.unwrap();
        assert!(
            access_log::list(&mut tx, &Filter::default(), 100)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn postgres_refuses_a_write_in_a_read_transaction() {
        if vaern_testkit::skip_unless_postgres(
            "postgres_refuses_a_write_in_a_read_transaction",
            "SQLite has no read-only transactions",
        ) {
            return;
        }
        let w = world().await;
        let mut tx = w.test.db.tenant_read(w.kbh).await.unwrap();
        let write =
            children::create(&mut tx, &new_child(Some("150615-4122"), "Emma", "Nielsen")).await;
        assert!(write.is_err(), "{:?}", write.map(|c| c.id));
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
        let result = match w.test.db.pool() {
            Pool::Sqlite(pool) => sqlx::query("delete from access_log")
                .execute(pool)
                .await
                .map(|_| ()),
            Pool::Postgres(pool) => sqlx::query("delete from access_log")
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
    async fn a_session_is_found_touched_and_deleted() {
        let w = world().await;
        let mut tx = w.test.db.auth().await.unwrap();
        auth::create_session(&mut tx, "hash", w.worker, w.kbh, "csrf")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.auth_read().await.unwrap();
        let live = auth::find_session(&mut tx, "hash").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(live.user.id, w.worker);
        assert_eq!(live.csrf_token, "csrf");
        assert_eq!(live.municipality_code, "901");
        let earlier = vaern_store::now() - Duration::minutes(45);
        let mut tx = w.test.db.auth().await.unwrap();
        auth::touch_session(&mut tx, "hash", earlier).await.unwrap();
        assert_eq!(
            auth::find_session(&mut tx, "hash")
                .await
                .unwrap()
                .last_seen_at,
            earlier
        );
        auth::delete_session(&mut tx, "hash").await.unwrap();
        let gone = auth::find_session(&mut tx, "hash").await;
        assert!(matches!(gone, Err(StoreError::NotFound)));
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
        assert!(matches!(
            auth::find_session(&mut tx, "hash").await,
            Err(StoreError::NotFound)
        ));
        assert!(auth::token_user(&mut tx, "tokenhash").await.is_err());
    }

    #[tokio::test]
    async fn throttle_keys_are_created_on_first_lock_saved_and_forgotten() {
        let w = world().await;
        let mut tx = w.test.db.auth().await.unwrap();
        let fresh = auth::lock_throttle(&mut tx, "pair:anne|10.0.0.1")
            .await
            .unwrap();
        assert_eq!(fresh.failures, 0);
        assert_eq!(fresh.blocked_until, None);
        let at = vaern_store::now();
        let counted = auth::ThrottleCount {
            failures: 5,
            last_failure_at: at,
            blocked_until: Some(at + Duration::seconds(30)),
        };
        auth::save_throttle(&mut tx, "pair:anne|10.0.0.1", &counted)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.auth().await.unwrap();
        assert_eq!(
            auth::lock_throttle(&mut tx, "pair:anne|10.0.0.1")
                .await
                .unwrap(),
            counted
        );
        assert_eq!(
            auth::lock_throttle(&mut tx, "pair:bo|10.0.0.1")
                .await
                .unwrap()
                .failures,
            0
        );
        auth::forget_throttle(&mut tx, "pair:anne|10.0.0.1")
            .await
            .unwrap();
        assert_eq!(
            auth::lock_throttle(&mut tx, "pair:anne|10.0.0.1")
                .await
                .unwrap()
                .failures,
            0
        );
        let old = auth::ThrottleCount {
            failures: 1,
            last_failure_at: at - Duration::hours(2),
            blocked_until: None,
        };
        auth::save_throttle(&mut tx, "pair:bo|10.0.0.1", &old)
            .await
            .unwrap();
        assert_eq!(
            auth::forget_throttles_before(&mut tx, at - Duration::hours(1))
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_saml_request_is_taken_once_before_it_expires_and_an_assertion_used_once() {
        let w = world().await;
        let pending = saml::PendingRequest {
            municipality_code: "901".into(),
            next_path: "/boern".into(),
        };
        let now = vaern_store::now();
        let mut tx = w.test.db.auth().await.unwrap();
        saml::remember_request(&mut tx, "_live", &pending, now + Duration::minutes(10))
            .await
            .unwrap();
        saml::remember_request(&mut tx, "_late", &pending, now - Duration::seconds(1))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.auth().await.unwrap();
        assert_eq!(
            saml::take_request(&mut tx, "_live").await.unwrap(),
            Some(pending.clone())
        );
        assert_eq!(
            saml::take_request(&mut tx, "_live").await.unwrap(),
            None,
            "once"
        );
        assert_eq!(
            saml::take_request(&mut tx, "_late").await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(saml::take_request(&mut tx, "_never").await.unwrap(), None);
        let until = now + Duration::minutes(5);
        assert!(saml::use_assertion(&mut tx, "_a1", until).await.unwrap());
        assert!(
            !saml::use_assertion(&mut tx, "_a1", until).await.unwrap(),
            "a replay"
        );
        assert!(
            saml::use_assertion(&mut tx, "_a2", now - Duration::seconds(1))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();

        // The next request sent forgets what has expired: the second assertion goes, the first
        // stays used.
        let mut tx = w.test.db.auth().await.unwrap();
        saml::remember_request(&mut tx, "_next", &pending, now + Duration::minutes(10))
            .await
            .unwrap();
        assert!(
            saml::use_assertion(&mut tx, "_a2", until).await.unwrap(),
            "forgotten"
        );
        assert!(
            !saml::use_assertion(&mut tx, "_a1", until).await.unwrap(),
            "still used"
        );
        tx.commit().await.unwrap();
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
                pending_by: None,
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
    if vaern_testkit::skip_unless_postgres(
        "without_a_municipality_set_postgres_returns_no_rows",
        "SQLite has no row-level security",
    ) {
        return;
    }
    let w = world().await;
    child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
    let Pool::Postgres(pool) = w.test.db.pool() else {
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
    if vaern_testkit::skip_unless_sqlite(
        "sqlite_connections_use_wal_full_sync_and_foreign_keys",
        "SQLite's pragmas only",
    ) {
        return;
    }
    let w = world().await;
    let Pool::Sqlite(pool) = w.test.db.pool() else {
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
        let result = match w.test.db.pool() {
            Pool::Sqlite(pool) => sqlx::query("delete from admin_events")
                .execute(pool)
                .await
                .map(|_| ()),
            Pool::Postgres(pool) => sqlx::query("delete from admin_events")
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
    use vaern_domain::process::RuleId;
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
            (RuleId::Receipt, datetime!(2026 - 01 - 01 09:30 UTC)),
            (
                RuleId::Investigation,
                datetime!(2026 - 01 - 01 10:00 +01:00),
            ), // 09:00 UTC
        ] {
            let new = deadlines::NewDeadline {
                case,
                sub_case: sub.id,
                step: None,
                rule_id: rule,
                trigger_at: opened,
                due_at: due,
                started_by: Some("Underretning modtaget"),
            };
            deadlines::create(&mut tx, &new).await.unwrap();
        }
        let all = deadlines::for_case(&mut tx, case).await.unwrap();
        assert_eq!(
            all.iter().map(|d| d.rule()).collect::<Vec<_>>(),
            [Some(RuleId::Investigation), Some(RuleId::Receipt)]
        );
        let until = datetime!(2026 - 01 - 01 10:15 +01:00); // 09:15 UTC
        let due = deadlines::open_for_caseworker(&mut tx, w.worker, until)
            .await
            .unwrap();
        assert_eq!(
            due.iter().map(|d| d.rule()).collect::<Vec<_>>(),
            [Some(RuleId::Investigation)]
        );
        assert_eq!(due[0].started_by.as_deref(), Some("Underretning modtaget"));
        assert_eq!(sub.opened_at, opened, "the same instant comes back");
        // A duty due "after N months, or when X happens if earlier" is brought forward, never
        // pushed back.
        let earlier = datetime!(2026 - 01 - 01 09:10 UTC);
        let moved = deadlines::bring_forward(&mut tx, case, RuleId::Receipt, earlier)
            .await
            .unwrap();
        assert_eq!(moved, 1);
        let later = datetime!(2026 - 02 - 01 09:10 UTC);
        assert_eq!(
            deadlines::bring_forward(&mut tx, case, RuleId::Receipt, later)
                .await
                .unwrap(),
            0
        );
        let receipt = deadlines::for_case(&mut tx, case)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.rule() == Some(RuleId::Receipt))
            .unwrap();
        assert_eq!(receipt.due_at, earlier);
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

    #[tokio::test]
    async fn a_sub_case_opened_by_vaern_itself_has_no_opener() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let steps = [sub_cases::NewStep {
            code: "screening",
            required: true,
        }];
        let by_vaern = sub_cases::open(
            &mut tx,
            case,
            "moved",
            "Fraflytning",
            vaern_store::now(),
            None,
            &steps,
        )
        .await
        .unwrap();
        let by_worker = sub_cases::open(
            &mut tx,
            case,
            "clarification",
            "Underretning",
            vaern_store::now(),
            Some(w.worker),
            &steps,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let by_vaern = sub_cases::get(&mut tx, by_vaern.id).await.unwrap();
        assert_eq!(
            (by_vaern.title.as_str(), by_vaern.opened_by_name.as_deref()),
            ("Fraflytning", None)
        );
        assert_eq!(by_vaern.steps.len(), 1);
        let by_worker = sub_cases::get(&mut tx, by_worker.id).await.unwrap();
        assert_eq!(by_worker.opened_by_name.as_deref(), Some("Anne Rådgiver"));
    }
}

mod municipality_settings {
    use super::*;
    use vaern_domain::{
        calendar::ClosedDays,
        process::{LocalStandard, Offset, RuleId},
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
                rule_id: RuleId::Receipt,
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
            let result = match w.test.db.pool() {
                Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
                Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
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
    use vaern_domain::network::{NewRelation, NewRelationInput, RelationKind};
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

    fn relation(first: &str, last: &str, cpr: Option<&str>, kind: &str) -> NewRelation {
        NewRelation::parse(
            &NewRelationInput {
                first_name: first.into(),
                last_name: last.into(),
                cpr: cpr.map(Into::into),
                kind: kind.into(),
                ..Default::default()
            },
            None,
            date!(2026 - 11 - 23),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_cpr_is_one_person_related_to_several_children_but_to_each_only_once() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(
            network::person_by_cpr(&mut tx, "0101904002").await.unwrap(),
            None
        );
        let of_emma = network::add(&mut tx, emma.id, &mother(true), Some(w.worker))
            .await
            .unwrap();
        let of_noah = network::add(&mut tx, noah.id, &mother(false), None)
            .await
            .unwrap();
        assert_eq!(of_noah.person_id, of_emma.person_id, "the person is reused");
        assert_ne!(of_noah.relation_id, of_emma.relation_id);
        assert_eq!(
            network::person_by_cpr(&mut tx, "0101904002").await.unwrap(),
            Some(of_emma.person_id)
        );
        let born = network::born_on(&mut tx, date!(1990 - 01 - 01))
            .await
            .unwrap();
        assert_eq!(born.len(), 1, "one person row: {born:?}");
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        for (child, custody) in [(emma.id, true), (noah.id, false)] {
            let members = network::for_child(&mut tx, child).await.unwrap();
            let listed: Vec<_> = members
                .iter()
                .map(|m| (m.person_id, m.kind.as_str(), m.custody))
                .collect();
            assert_eq!(listed, [(of_emma.person_id, "mother", custody)]);
        }
        drop(tx);

        // A conflict ends its transaction (PostgreSQL aborts it), so it gets its own.
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let again = network::add(&mut tx, emma.id, &mother(false), Some(w.worker)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(tx);
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(network::for_child(&mut tx, emma.id).await.unwrap().len(), 1);
        drop(tx);

        let theirs = other_child(&w, "1506154122", "Emma", "Nielsen").await;
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert_eq!(
            network::person_by_cpr(&mut other, "0101904002")
                .await
                .unwrap(),
            None,
            "persons are the municipality's"
        );
        let their_mother = network::add(&mut other, theirs.id, &mother(true), None)
            .await
            .unwrap();
        assert_ne!(their_mother.person_id, of_emma.person_id);
    }

    #[tokio::test]
    async fn a_known_person_is_related_once_and_only_within_the_municipality() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let theirs = other_child(&w, "1207174028", "Ida", "Berg").await;
        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let foreign_person = network::add(&mut other, theirs.id, &mother(true), None)
            .await
            .unwrap()
            .person_id;
        other.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let person = network::add(&mut tx, emma.id, &mother(true), Some(w.worker))
            .await
            .unwrap()
            .person_id;
        assert!(
            network::relate(
                &mut tx,
                noah.id,
                person,
                RelationKind::Mother,
                true,
                w.worker
            )
            .await
            .unwrap()
        );
        assert!(
            !network::relate(
                &mut tx,
                noah.id,
                person,
                RelationKind::Family,
                false,
                w.worker
            )
            .await
            .unwrap(),
            "related already"
        );
        let members = network::for_child(&mut tx, noah.id).await.unwrap();
        let listed: Vec<_> = members
            .iter()
            .map(|m| (m.person_id, m.full_name(), m.kind.as_str(), m.custody))
            .collect();
        assert_eq!(
            listed,
            [(person, "Mette Nielsen".to_owned(), "mother", true)],
            "the first relation stands"
        );
        for (child, person) in [(theirs.id, person), (noah.id, foreign_person)] {
            let result = network::relate(
                &mut tx,
                child,
                person,
                RelationKind::Family,
                false,
                w.worker,
            )
            .await;
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        for (child, person) in [(theirs.id, person), (emma.id, foreign_person)] {
            let result = network::relate(
                &mut other,
                child,
                person,
                RelationKind::Family,
                false,
                w.worker,
            )
            .await;
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
        let theirs_members = network::for_child(&mut other, theirs.id).await.unwrap();
        assert_eq!(
            theirs_members
                .iter()
                .map(|m| m.person_id)
                .collect::<Vec<_>>(),
            [foreign_person]
        );
    }

    #[tokio::test]
    async fn relations_are_found_by_cpr_only_on_open_cases() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let lone = children::create(&mut tx, &new_child(Some("0305164022"), "Lea", "Holm"))
            .await
            .unwrap();
        for child in [emma.id, noah.id, lone.id] {
            network::add(&mut tx, child, &mother(true), Some(w.worker))
                .await
                .unwrap();
        }
        let father = relation("Jens", "Hansen", Some("0203854011"), "father");
        network::add(&mut tx, emma.id, &father, Some(w.worker))
            .await
            .unwrap();
        let nameless = relation("Lis", "Andersen", None, "network");
        network::add(&mut tx, emma.id, &nameless, Some(w.worker))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let found = |cprs: &'static [&'static str]| {
            let db = w.test.db.clone();
            let kbh = w.kbh;
            async move {
                let cprs: Vec<String> = cprs.iter().map(|c| (*c).to_owned()).collect();
                let mut tx = db.tenant(kbh).await.unwrap();
                network::on_open_cases(&mut tx, &cprs)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| {
                        let cpr = r.member.cpr.unwrap();
                        (r.child_id, r.case_id, cpr, r.member.kind)
                    })
                    .collect::<Vec<_>>()
            }
        };
        let mut mothers = vec![
            (emma.id, emma.case_id.unwrap()),
            (noah.id, noah.case_id.unwrap()),
        ];
        mothers.sort();
        let mut before: Vec<_> = found(&["0101904002"])
            .await
            .into_iter()
            .map(|(child, case, cpr, kind)| {
                assert_eq!((cpr.as_str(), kind.as_str()), ("0101904002", "mother"));
                (child, case)
            })
            .collect();
        before.sort();
        assert_eq!(before, mothers, "not Lea, who has no case");

        close_case(&w, noah.case_id.unwrap()).await;
        let case = emma.case_id.unwrap();
        assert_eq!(
            found(&["0203854011", "0101904002", "1111111111"]).await,
            [
                (emma.id, case, "0101904002".to_owned(), "mother".to_owned()),
                (emma.id, case, "0203854011".to_owned(), "father".to_owned()),
            ],
            "Noah's case is closed; ordered by CPR"
        );
        assert!(found(&[]).await.is_empty());
        assert!(found(&["1111111111"]).await.is_empty());

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let theirs = network::on_open_cases(&mut other, &["0101904002".to_owned()])
            .await
            .unwrap();
        assert!(theirs.is_empty(), "{theirs:?}");
    }

    #[tokio::test]
    async fn a_person_update_and_a_custody_change_show_in_the_network() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let of_emma = network::add(&mut tx, emma.id, &mother(true), Some(w.worker))
            .await
            .unwrap();
        assert_eq!(of_emma.died_on, None);
        network::add(&mut tx, noah.id, &mother(true), Some(w.worker))
            .await
            .unwrap();
        network::update_person(
            &mut tx,
            of_emma.person_id,
            &network::PersonUpdate {
                first_name: "Mette Marie",
                last_name: "Hansen",
                address: "Nyvej 3, 2. th.\n8000 Aarhus C",
                died_on: Some(date!(2026 - 10 - 01)),
            },
        )
        .await
        .unwrap();
        network::set_custody(&mut tx, of_emma.relation_id, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        for (child, custody) in [(emma.id, false), (noah.id, true)] {
            let members = network::for_child(&mut tx, child).await.unwrap();
            assert_eq!(members.len(), 1);
            let m = &members[0];
            assert_eq!(m.full_name(), "Mette Marie Hansen");
            assert_eq!(m.address_lines(), ["Nyvej 3, 2. th.", "8000 Aarhus C"]);
            assert_eq!(m.died_on, Some(date!(2026 - 10 - 01)));
            assert_eq!(m.custody, custody, "custody is per relation");
            assert_eq!(
                (m.cpr.as_deref(), m.phone.as_deref()),
                (Some("0101904002"), Some("12345678")),
                "the rest is kept"
            );
        }
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        network::update_person(
            &mut other,
            of_emma.person_id,
            &network::PersonUpdate {
                first_name: "Fremmed",
                last_name: "Navn",
                address: "",
                died_on: None,
            },
        )
        .await
        .unwrap();
        network::set_custody(&mut other, of_emma.relation_id, true)
            .await
            .unwrap();
        other.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let m = &network::for_child(&mut tx, emma.id).await.unwrap()[0];
        assert_eq!(
            (m.full_name().as_str(), m.died_on, m.custody),
            ("Mette Marie Hansen", Some(date!(2026 - 10 - 01)), false),
            "another municipality changes nothing"
        );
    }

    async fn siblings(tx: &mut vaern_store::TenantTx, child: ChildId) -> Vec<ChildId> {
        let mut found = network::sibling_children(tx, child).await.unwrap();
        found.sort();
        found
    }

    #[tokio::test]
    async fn children_sharing_a_parent_or_listed_as_siblings_are_siblings() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let lea = child_with_case(&w, "030516-4022", "Lea", "Holm").await;
        let ida = child_with_case(&w, "120717-4028", "Ida", "Berg").await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let mette = network::add(&mut tx, emma.id, &mother(true), Some(w.worker))
            .await
            .unwrap()
            .person_id;
        network::add(&mut tx, noah.id, &mother(true), Some(w.worker))
            .await
            .unwrap();
        // Emma lists Lea's CPR as her sibling.
        let sister = relation("Lea", "Holm", Some("0305164022"), "sibling");
        network::add(&mut tx, emma.id, &sister, Some(w.worker))
            .await
            .unwrap();
        // Ida shares the person, but not as a parent: no sibling.
        assert!(
            network::relate(
                &mut tx,
                ida.id,
                mette,
                RelationKind::Household,
                false,
                w.worker
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let mut expected = vec![noah.id, lea.id];
        expected.sort();
        assert_eq!(
            siblings(&mut tx, emma.id).await,
            expected,
            "by mother and by CPR"
        );
        assert_eq!(
            siblings(&mut tx, noah.id).await,
            [emma.id],
            "the same mother"
        );
        assert_eq!(siblings(&mut tx, lea.id).await, [emma.id], "listed by Emma");
        assert!(siblings(&mut tx, ida.id).await.is_empty(), "unrelated");
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            network::sibling_children(&mut other, emma.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

mod address_book {
    use super::*;
    use vaern_domain::address_book::{
        NewOrganisation, NewProfessional, OrganisationKind, ProfessionalRole,
    };
    use vaern_store::{OrganisationId, ProfessionalId, address_book};

    fn school() -> NewOrganisation {
        NewOrganisation {
            name: "Værnby Skole".into(),
            kind: OrganisationKind::School,
            cvr: Some("10103940".into()),
            p_number: Some("1003388400".into()),
            address: vec!["Skolevej 1".into(), "9999 Værnby".into()],
            phone: Some("12 34 56 78".into()),
            email: Some("kontor@vaernby-skole.dk".into()),
        }
    }

    fn clinic() -> NewOrganisation {
        NewOrganisation {
            name: "Bakkely Lægehus".into(),
            kind: OrganisationKind::Health,
            cvr: None,
            p_number: None,
            address: Vec::new(),
            phone: None,
            email: None,
        }
    }

    fn professional(name: &str, role: ProfessionalRole) -> NewProfessional {
        NewProfessional {
            name: name.into(),
            role,
            phone: None,
            email: None,
        }
    }

    /// The school with teacher Agnete and the clinic with nurse Bente, in `municipality`.
    async fn address_book_of(
        w: &World,
        municipality: MunicipalityId,
    ) -> (OrganisationId, ProfessionalId, ProfessionalId) {
        let mut tx = w.test.db.tenant(municipality).await.unwrap();
        let school = address_book::add_organisation(&mut tx, &school(), w.worker)
            .await
            .unwrap()
            .id;
        let clinic = address_book::add_organisation(&mut tx, &clinic(), w.worker)
            .await
            .unwrap()
            .id;
        let agnete = address_book::add_professional(
            &mut tx,
            school,
            &professional("Agnete Kragh", ProfessionalRole::Teacher),
            w.worker,
        )
        .await
        .unwrap()
        .id;
        let bente = address_book::add_professional(
            &mut tx,
            clinic,
            &professional("Bente Bøgh", ProfessionalRole::HealthNurse),
            w.worker,
        )
        .await
        .unwrap()
        .id;
        tx.commit().await.unwrap();
        (school, agnete, bente)
    }

    #[tokio::test]
    async fn organisations_and_professionals_round_trip_and_are_listed_by_name() {
        let w = world().await;
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let school = address_book::add_organisation(&mut tx, &school(), w.worker)
            .await
            .unwrap();
        assert_eq!(school.name, "Værnby Skole");
        assert_eq!(school.kind, "school");
        assert_eq!(
            (school.cvr.as_deref(), school.p_number.as_deref()),
            (Some("10103940"), Some("1003388400"))
        );
        assert_eq!(school.address, "Skolevej 1\n9999 Værnby");
        assert_eq!(
            (school.phone.as_deref(), school.email.as_deref()),
            (Some("12 34 56 78"), Some("kontor@vaernby-skole.dk"))
        );
        let clinic = address_book::add_organisation(&mut tx, &clinic(), w.worker)
            .await
            .unwrap();
        let teacher = NewProfessional {
            phone: Some("87654321".into()),
            email: Some("agnete@vaernby-skole.dk".into()),
            ..professional("Agnete Kragh", ProfessionalRole::Teacher)
        };
        let agnete = address_book::add_professional(&mut tx, school.id, &teacher, w.worker)
            .await
            .unwrap();
        for (name, role) in [
            ("Bente Bøgh", ProfessionalRole::HealthNurse),
            ("Anders Holm", ProfessionalRole::Doctor),
        ] {
            address_book::add_professional(&mut tx, clinic.id, &professional(name, role), w.worker)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let stored = address_book::organisation_by_id(&mut tx, clinic.id)
            .await
            .unwrap();
        assert_eq!(
            (
                stored.name.as_str(),
                stored.kind.as_str(),
                stored.cvr,
                stored.p_number,
                stored.address.as_str(),
                stored.phone,
                stored.email
            ),
            ("Bakkely Lægehus", "health", None, None, "", None, None)
        );
        let organisations = address_book::organisations(&mut tx).await.unwrap();
        assert_eq!(
            organisations
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>(),
            ["Bakkely Lægehus", "Værnby Skole"]
        );
        let stored = address_book::professional_by_id(&mut tx, agnete.id)
            .await
            .unwrap();
        assert_eq!(
            (
                stored.organisation_id,
                stored.organisation_name.as_str(),
                stored.organisation_kind.as_str(),
                stored.name.as_str(),
                stored.role.as_str(),
                stored.phone.as_deref(),
                stored.email.as_deref()
            ),
            (
                school.id,
                "Værnby Skole",
                "school",
                "Agnete Kragh",
                "teacher",
                Some("87654321"),
                Some("agnete@vaernby-skole.dk")
            )
        );
        let professionals = address_book::professionals(&mut tx).await.unwrap();
        assert_eq!(
            professionals
                .iter()
                .map(|p| (
                    p.organisation_name.as_str(),
                    p.name.as_str(),
                    p.role.as_str()
                ))
                .collect::<Vec<_>>(),
            [
                ("Bakkely Lægehus", "Anders Holm", "doctor"),
                ("Bakkely Lægehus", "Bente Bøgh", "health_nurse"),
                ("Værnby Skole", "Agnete Kragh", "teacher")
            ],
            "by organisation, then name"
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let foreign = address_book::add_professional(
            &mut other,
            school.id,
            &professional("Ole Ukendt", ProfessionalRole::Other),
            w.worker,
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
        assert!(
            address_book::organisations(&mut other)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            address_book::professionals(&mut other)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            address_book::organisation_by_id(&mut other, school.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            address_book::professional_by_id(&mut other, agnete.id).await,
            Err(StoreError::NotFound)
        ));
    }

    #[tokio::test]
    async fn a_professional_is_linked_to_a_child_once_and_only_within_the_municipality() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen").await;
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen").await;
        let theirs = other_child(&w, "1207174028", "Ida", "Berg").await;
        let (_, agnete, bente) = address_book_of(&w, w.kbh).await;
        let (_, their_agnete, _) = address_book_of(&w, w.other).await;

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        for (child, professional, first_time) in [
            (emma.id, agnete, true),
            (emma.id, agnete, false),
            (emma.id, bente, true),
            (noah.id, agnete, true),
        ] {
            let linked = address_book::link(&mut tx, child, professional, w.worker)
                .await
                .unwrap();
            assert_eq!(linked, first_time, "{child} {professional}");
        }
        for (child, professional) in [(theirs.id, agnete), (emma.id, their_agnete)] {
            let result = address_book::link(&mut tx, child, professional, w.worker).await;
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let around = |list: Vec<address_book::Professional>| {
            list.into_iter()
                .map(|p| (p.id, p.organisation_name))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            around(address_book::for_child(&mut tx, emma.id).await.unwrap()),
            [
                (bente, "Bakkely Lægehus".to_owned()),
                (agnete, "Værnby Skole".to_owned())
            ],
            "once each, by organisation"
        );
        assert_eq!(
            around(address_book::for_child(&mut tx, noah.id).await.unwrap()),
            [(agnete, "Værnby Skole".to_owned())]
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        for (child, professional) in [(emma.id, their_agnete), (theirs.id, agnete)] {
            let result = address_book::link(&mut other, child, professional, w.worker).await;
            assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        }
        assert!(
            address_book::for_child(&mut other, emma.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            address_book::link(&mut other, theirs.id, their_agnete, w.worker)
                .await
                .unwrap()
        );
        let theirs_around = address_book::for_child(&mut other, theirs.id)
            .await
            .unwrap();
        assert_eq!(
            theirs_around.iter().map(|p| p.id).collect::<Vec<_>>(),
            [their_agnete]
        );
        let listed = address_book::professionals(&mut other).await.unwrap();
        assert!(
            listed.iter().all(|p| p.id != agnete && p.id != bente),
            "only their own professionals: {listed:?}"
        );
    }
}

mod cpr_register {
    use super::*;
    use vaern_domain::{
        Cpr,
        register::{RegisterAddress, RegisterPerson, RegisterStatus},
    };
    use vaern_store::register;

    fn cpr(digits: &str) -> Cpr {
        Cpr::parse(digits).unwrap()
    }

    fn emma() -> RegisterPerson {
        RegisterPerson {
            cpr: cpr("1506154122"),
            first_name: "Emma Sofie".into(),
            last_name: "Nielsen".into(),
            status: RegisterStatus::Active,
            address: Some(RegisterAddress {
                municipality_code: "0101".into(),
                lines: vec!["Skolevej 2, 1. tv.".into(), "9999 Værnby".into()],
            }),
            mother: Some(cpr("0101904002")),
            father: Some(cpr("0203854011")),
            custody: vec![cpr("0101904002"), cpr("0203854011")],
        }
    }

    fn mette() -> RegisterPerson {
        RegisterPerson {
            cpr: cpr("0101904002"),
            first_name: "Mette".into(),
            last_name: "Nielsen".into(),
            status: RegisterStatus::Dead(date!(2026 - 10 - 01)),
            address: None,
            mother: None,
            father: None,
            custody: Vec::new(),
        }
    }

    fn jens() -> RegisterPerson {
        RegisterPerson {
            cpr: cpr("0203854011"),
            first_name: "Jens".into(),
            last_name: "Hansen".into(),
            status: RegisterStatus::Emigrated(date!(2025 - 05 - 05)),
            address: Some(RegisterAddress {
                municipality_code: "0751".into(),
                lines: vec!["Nyvej 3".into(), "8000 Aarhus C".into()],
            }),
            mother: None,
            father: None,
            custody: Vec::new(),
        }
    }

    /// An extract may carry a person twice; the later record is the one kept, on both databases.
    #[tokio::test]
    async fn a_cpr_twice_in_one_batch_keeps_the_later_record() {
        let w = world().await;
        let mut tx = w.test.db.global().await.unwrap();
        let married = RegisterPerson {
            last_name: "Nielsen Berg".into(),
            ..emma()
        };
        register::upsert(&mut tx, &[emma(), mette(), married.clone()])
            .await
            .unwrap();
        assert_eq!(
            register::get(&mut tx, &emma().cpr).await.unwrap(),
            Some(married)
        );
        assert_eq!(register::count(&mut tx).await.unwrap(), 2);
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_record_round_trips_every_field_and_a_changed_record_replaces_it() {
        let w = world().await;
        let mut tx = w.test.db.global().await.unwrap();
        assert_eq!(register::count(&mut tx).await.unwrap(), 0);
        register::upsert(&mut tx, &[emma(), mette(), jens()])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.global().await.unwrap();
        assert_eq!(register::count(&mut tx).await.unwrap(), 3);
        for person in [emma(), mette(), jens()] {
            let stored = register::get(&mut tx, &person.cpr).await.unwrap();
            assert_eq!(stored, Some(person));
        }
        assert_eq!(
            register::get(&mut tx, &cpr("1207174028")).await.unwrap(),
            None
        );
        let moved = RegisterPerson {
            last_name: "Østergård".into(),
            address: Some(RegisterAddress {
                municipality_code: "0147".into(),
                lines: vec![
                    "c/o Hansen".into(),
                    "Strandvejen 10, st.".into(),
                    "2000 Frederiksberg".into(),
                ],
            }),
            father: None,
            custody: vec![cpr("0203854011")],
            ..emma()
        };
        register::upsert(&mut tx, std::slice::from_ref(&moved))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.global().await.unwrap();
        assert_eq!(register::count(&mut tx).await.unwrap(), 3, "replaced");
        assert_eq!(
            register::get(&mut tx, &moved.cpr).await.unwrap(),
            Some(moved)
        );
        assert_eq!(
            register::get(&mut tx, &mette().cpr).await.unwrap(),
            Some(mette()),
            "the others are untouched"
        );
    }

    #[tokio::test]
    async fn many_records_are_written_and_read_across_statement_chunks() {
        let w = world().await;
        let persons: Vec<RegisterPerson> = (0..1_200)
            .map(|i| {
                let digits = format!("{:02}{:02}10{i:04}", i % 28 + 1, i / 28 % 12 + 1);
                RegisterPerson {
                    cpr: cpr(&digits),
                    first_name: format!("Person {i}"),
                    last_name: "Registreret".into(),
                    status: if i % 2 == 0 {
                        RegisterStatus::Active
                    } else {
                        RegisterStatus::Dead(date!(2020 - 01 - 01) + Duration::days(i))
                    },
                    address: (i % 3 == 0).then(|| RegisterAddress {
                        municipality_code: "0101".into(),
                        lines: vec![format!("Vej {i}"), "9999 Værnby".into()],
                    }),
                    mother: (i % 5 == 0).then(|| cpr("0101904002")),
                    father: None,
                    custody: Vec::new(),
                }
            })
            .collect();
        let mut tx = w.test.db.global().await.unwrap();
        register::upsert(&mut tx, &persons).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.global().await.unwrap();
        assert_eq!(register::count(&mut tx).await.unwrap(), 1_200);
        let mut asked: Vec<String> = persons.iter().map(|p| p.cpr.digits().to_owned()).collect();
        asked.push("1207174028".into()); // not in the register
        let mut found = register::get_many(&mut tx, &asked).await.unwrap();
        assert_eq!(found.len(), 1_200);
        found.sort_by(|a, b| a.cpr.digits().cmp(b.cpr.digits()));
        let mut expected = persons;
        expected.sort_by(|a, b| a.cpr.digits().cmp(b.cpr.digits()));
        assert!(found == expected, "every record comes back as written");
        assert!(register::get_many(&mut tx, &[]).await.unwrap().is_empty());
    }
}

/// A second caseworker in Demo Kommune, to tell who did what.
async fn colleague(w: &World) -> UserId {
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    let bo = users::create(
        &mut tx,
        &users::NewUserRow {
            username: "bo",
            name: "Bo Kollega",
            role: Role::Caseworker,
            password_hash: "x",
            team_id: None,
            pending_by: None,
        },
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    bo
}

/// Opens an investigation sub-case (without steps) on a case.
async fn investigation_sub_case(
    w: &World,
    tx: &mut vaern_store::TenantTx,
    case: ChildCaseId,
    title: &str,
) -> vaern_store::SubCaseId {
    vaern_store::sub_cases::open(
        tx,
        case,
        "investigation",
        title,
        vaern_store::now(),
        Some(w.worker),
        &[],
    )
    .await
    .unwrap()
    .id
}

mod investigations {
    use super::*;
    use vaern_domain::ics::{Conclusion, DimensionText, Position, Source, SourceLink};
    use vaern_store::investigations;

    fn text(description: &str, concerns: Option<&str>) -> DimensionText {
        DimensionText {
            description: Some(description.into()),
            resources: Some("Gode venner i klassen".into()),
            concerns: concerns.map(Into::into),
            child_view: Some("Glad for skolen".into()),
            parents_view: None,
        }
    }

    fn source(who: &str, said_on: time::Date) -> Source {
        Source {
            who: who.into(),
            said_on,
            link: None,
        }
    }

    fn conclusion(assessment: &str, position: Position) -> Conclusion {
        Conclusion {
            assessment: assessment.into(),
            position,
            reasoning: "Barnet har brug for støtte i hverdagen".into(),
        }
    }

    #[tokio::test]
    async fn another_municipality_cannot_write_into_an_investigation() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, emma, "Undersøgelse").await;
        let investigation = investigations::ensure(&mut tx, emma, sub).await.unwrap();
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let saved = investigations::save_dimension(
            &mut other,
            investigation.id,
            "skole",
            &text("Fremmed", None),
            0,
            w.worker,
        )
        .await
        .unwrap();
        assert!(
            !saved,
            "nothing is written into another municipality's investigation"
        );
        let draft =
            investigations::save_draft(&mut other, investigation.id, "skole", w.worker, "{}", 0)
                .await;
        assert!(matches!(draft, Err(StoreError::NotFound)), "{draft:?}");
        let source = investigations::add_source(
            &mut other,
            investigation.id,
            "skole",
            &source("Fremmed", date!(2026 - 11 - 01)),
            None,
            w.worker,
        )
        .await;
        assert!(matches!(source, Err(StoreError::NotFound)), "{source:?}");
        drop(other);

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert!(
            investigations::save_dimension(
                &mut tx,
                investigation.id,
                "skole",
                &text("Egen", None),
                0,
                w.worker,
            )
            .await
            .unwrap(),
            "the municipality's own first save is not blocked"
        );
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn an_investigation_is_made_once_per_sub_case_of_the_case_and_municipality() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, emma, "Undersøgelse").await;
        let noahs_sub = investigation_sub_case(&w, &mut tx, noah, "Undersøgelse").await;
        let first = investigations::ensure(&mut tx, emma, sub).await.unwrap();
        assert_eq!((first.child_case_id, first.sub_case_id), (emma, sub));
        assert_eq!(first.preliminary, None);
        assert_eq!(first.preliminary_by_name, None);
        assert_eq!(first.position, None);
        assert_eq!(first.concluded_at, None);
        let again = investigations::ensure(&mut tx, emma, sub).await.unwrap();
        assert_eq!(again.id, first.id, "the same investigation, not a second");
        assert_eq!(again.created_at, first.created_at);
        let foreign_sub = investigations::ensure(&mut tx, emma, noahs_sub).await;
        assert!(
            matches!(foreign_sub, Err(StoreError::NotFound)),
            "{foreign_sub:?}"
        );
        let wrong_case = investigations::ensure(&mut tx, noah, sub).await;
        assert!(
            matches!(wrong_case, Err(StoreError::NotFound)),
            "{wrong_case:?}"
        );
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let stored = investigations::get(&mut tx, first.id).await.unwrap();
        assert_eq!((stored.child_case_id, stored.sub_case_id), (emma, sub));
        let noahs = investigations::ensure(&mut tx, noah, noahs_sub)
            .await
            .unwrap();
        assert_ne!(noahs.id, first.id);
        assert_eq!(
            investigations::ensure(&mut tx, emma, sub).await.unwrap().id,
            first.id
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let foreign = investigations::ensure(&mut other, emma, sub).await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
        assert!(matches!(
            investigations::get(&mut other, first.id).await,
            Err(StoreError::NotFound)
        ));
    }

    #[tokio::test]
    async fn a_dimension_is_saved_only_from_the_version_it_started_from() {
        let w = world().await;
        let bo = colleague(&w).await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, case, "Undersøgelse").await;
        let inv = investigations::ensure(&mut tx, case, sub).await.unwrap().id;
        assert!(
            investigations::dimensions(&mut tx, inv)
                .await
                .unwrap()
                .is_empty()
        );

        let first = text("Sund og rask", None);
        assert!(
            investigations::save_dimension(&mut tx, inv, "sundhed", &first, 0, w.worker)
                .await
                .unwrap()
        );
        assert!(
            !investigations::save_dimension(&mut tx, inv, "sundhed", &text("Også ny", None), 0, bo)
                .await
                .unwrap(),
            "someone saved it first"
        );
        let saved = investigations::dimensions(&mut tx, inv).await.unwrap();
        assert_eq!(saved.len(), 1);
        let d = &saved[0];
        assert_eq!((d.dimension.as_str(), d.version), ("sundhed", 1));
        assert_eq!(d.description.as_deref(), Some("Sund og rask"));
        assert_eq!(d.resources.as_deref(), Some("Gode venner i klassen"));
        assert_eq!(d.concerns, None);
        assert_eq!(d.child_view.as_deref(), Some("Glad for skolen"));
        assert_eq!(d.parents_view, None);
        assert_eq!(d.updated_by_name.as_deref(), Some("Anne Rådgiver"));

        assert!(
            investigations::save_dimension(
                &mut tx,
                inv,
                "skole",
                &text("Går i 5. klasse", None),
                0,
                w.worker
            )
            .await
            .unwrap()
        );
        let second = text("Astma siden 2024", Some("Mange fraværsdage"));
        assert!(
            investigations::save_dimension(&mut tx, inv, "sundhed", &second, 1, bo)
                .await
                .unwrap()
        );
        assert!(
            !investigations::save_dimension(
                &mut tx,
                inv,
                "sundhed",
                &text("Forældet", None),
                1,
                w.worker
            )
            .await
            .unwrap(),
            "a stale version is refused"
        );
        // Saved last, listed first: by dimension, not by when saved.
        assert!(
            investigations::save_dimension(
                &mut tx,
                inv,
                "bolig",
                &text("Lejlighed i byen", None),
                0,
                bo
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let saved = investigations::dimensions(&mut tx, inv).await.unwrap();
        let listed: Vec<_> = saved
            .iter()
            .map(|d| {
                (
                    d.dimension.as_str(),
                    d.version,
                    d.description.as_deref(),
                    d.concerns.as_deref(),
                    d.updated_by_name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                (
                    "bolig",
                    1,
                    Some("Lejlighed i byen"),
                    None,
                    Some("Bo Kollega")
                ),
                (
                    "skole",
                    1,
                    Some("Går i 5. klasse"),
                    None,
                    Some("Anne Rådgiver")
                ),
                (
                    "sundhed",
                    2,
                    Some("Astma siden 2024"),
                    Some("Mange fraværsdage"),
                    Some("Bo Kollega")
                ),
            ]
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            investigations::dimensions(&mut other, inv)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !investigations::save_dimension(
                &mut other,
                inv,
                "sundhed",
                &text("Fremmed", None),
                2,
                w.worker
            )
            .await
            .unwrap(),
            "another municipality cannot overwrite the dimension"
        );
        other.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let saved = investigations::dimensions(&mut tx, inv).await.unwrap();
        assert_eq!(
            (saved[2].version, saved[2].description.as_deref()),
            (2, Some("Astma siden 2024"))
        );
    }

    #[tokio::test]
    async fn drafts_are_kept_per_caseworker_replaced_on_autosave_and_deleted() {
        let w = world().await;
        let bo = colleague(&w).await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, case, "Undersøgelse").await;
        let inv = investigations::ensure(&mut tx, case, sub).await.unwrap().id;
        assert!(
            investigations::draft(&mut tx, inv, "sundhed", w.worker)
                .await
                .unwrap()
                .is_none()
        );
        investigations::save_draft(
            &mut tx,
            inv,
            "sundhed",
            w.worker,
            r#"{"description":"Før"}"#,
            0,
        )
        .await
        .unwrap();
        let annes_at = investigations::save_draft(
            &mut tx,
            inv,
            "sundhed",
            w.worker,
            r#"{"description":"Efter"}"#,
            1,
        )
        .await
        .unwrap();
        let bos_at = investigations::save_draft(
            &mut tx,
            inv,
            "sundhed",
            bo,
            r#"{"concerns":"Bos tekst"}"#,
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let annes = investigations::draft(&mut tx, inv, "sundhed", w.worker)
            .await
            .unwrap()
            .expect("Anne's draft");
        assert_eq!(
            (annes.fields.as_str(), annes.base_version, annes.saved_at),
            (r#"{"description":"Efter"}"#, 1, annes_at),
            "the latest autosave replaced the first"
        );
        let bos = investigations::draft(&mut tx, inv, "sundhed", bo)
            .await
            .unwrap()
            .expect("Bo's draft");
        assert_eq!(
            (bos.fields.as_str(), bos.base_version, bos.saved_at),
            (r#"{"concerns":"Bos tekst"}"#, 0, bos_at)
        );
        assert!(
            investigations::draft(&mut tx, inv, "skole", w.worker)
                .await
                .unwrap()
                .is_none(),
            "drafts are per dimension"
        );
        investigations::delete_draft(&mut tx, inv, "sundhed", w.worker)
            .await
            .unwrap();
        assert!(
            investigations::draft(&mut tx, inv, "sundhed", w.worker)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            investigations::draft(&mut tx, inv, "sundhed", bo)
                .await
                .unwrap()
                .is_some(),
            "only Anne's draft is deleted"
        );
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            investigations::draft(&mut other, inv, "sundhed", bo)
                .await
                .unwrap()
                .is_none()
        );
        investigations::delete_draft(&mut other, inv, "sundhed", bo)
            .await
            .unwrap();
        other.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert!(
            investigations::draft(&mut tx, inv, "sundhed", bo)
                .await
                .unwrap()
                .is_some(),
            "another municipality cannot delete it"
        );
    }

    #[tokio::test]
    async fn sources_are_listed_by_dimension_and_date_with_their_links() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, case, "Undersøgelse").await;
        let inv = investigations::ensure(&mut tx, case, sub).await.unwrap().id;
        let document = uuid::Uuid::new_v4();
        let entry = uuid::Uuid::new_v4();
        let nurse = investigations::add_source(
            &mut tx,
            inv,
            "sundhed",
            &source("Sundhedsplejerske", date!(2026 - 11 - 10)),
            None,
            w.worker,
        )
        .await
        .unwrap();
        let teacher = investigations::add_source(
            &mut tx,
            inv,
            "skole",
            &source("Klasselærer", date!(2026 - 11 - 12)),
            Some((SourceLink::Document, document)),
            w.worker,
        )
        .await
        .unwrap();
        let mother = investigations::add_source(
            &mut tx,
            inv,
            "sundhed",
            &source("Mor", date!(2026 - 11 - 01)),
            Some((SourceLink::JournalEntry, entry)),
            w.worker,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sources = investigations::sources(&mut tx, inv).await.unwrap();
        let listed: Vec<_> = sources
            .iter()
            .map(|s| {
                (
                    s.id,
                    s.dimension.as_str(),
                    s.who.as_str(),
                    s.said_on,
                    s.link_kind.as_deref(),
                    s.link_id,
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                (
                    teacher,
                    "skole",
                    "Klasselærer",
                    date!(2026 - 11 - 12),
                    Some("document"),
                    Some(document)
                ),
                (
                    mother,
                    "sundhed",
                    "Mor",
                    date!(2026 - 11 - 01),
                    Some("journal_entry"),
                    Some(entry)
                ),
                (
                    nurse,
                    "sundhed",
                    "Sundhedsplejerske",
                    date!(2026 - 11 - 10),
                    None,
                    None
                ),
            ]
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            investigations::sources(&mut other, inv)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn the_preliminary_assessment_is_replaced_and_the_conclusion_made_once() {
        let w = world().await;
        let bo = colleague(&w).await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, case, "Undersøgelse").await;
        let inv = investigations::ensure(&mut tx, case, sub).await.unwrap().id;
        investigations::set_preliminary(&mut tx, inv, "Første vurdering", w.worker)
            .await
            .unwrap();
        investigations::set_preliminary(&mut tx, inv, "Ny vurdering", bo)
            .await
            .unwrap();
        let got = investigations::get(&mut tx, inv).await.unwrap();
        assert_eq!(got.preliminary.as_deref(), Some("Ny vurdering"));
        assert_eq!(got.preliminary_by_name.as_deref(), Some("Bo Kollega"));
        assert!(got.preliminary_at.is_some());
        assert_eq!(got.concluded_at, None);

        assert!(
            investigations::conclude(
                &mut tx,
                inv,
                &conclusion("Samlet vurdering", Position::Support),
                w.worker
            )
            .await
            .unwrap()
        );
        assert!(
            !investigations::conclude(
                &mut tx,
                inv,
                &conclusion("Anden vurdering", Position::NoMeasure),
                bo
            )
            .await
            .unwrap(),
            "concluded already"
        );
        tx.commit().await.unwrap();

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        investigations::set_preliminary(&mut other, inv, "Fremmed", w.worker)
            .await
            .unwrap();
        other.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let got = investigations::get(&mut tx, inv).await.unwrap();
        assert_eq!(got.assessment.as_deref(), Some("Samlet vurdering"));
        assert_eq!(got.position.as_deref(), Some("support"));
        assert_eq!(
            got.reasoning.as_deref(),
            Some("Barnet har brug for støtte i hverdagen")
        );
        assert!(got.concluded_at.is_some());
        assert_eq!(got.concluded_by_name.as_deref(), Some("Anne Rådgiver"));
        assert_eq!(
            got.preliminary.as_deref(),
            Some("Ny vurdering"),
            "another municipality cannot change it"
        );
    }

    #[tokio::test]
    async fn a_case_s_concluded_investigations_are_listed_newest_first() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen")
            .await
            .case_id
            .unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let mut ensure = async |case, title| {
            let sub = investigation_sub_case(&w, &mut tx, case, title).await;
            investigations::ensure(&mut tx, case, sub).await.unwrap().id
        };
        let older = ensure(emma, "Første").await;
        let newer = ensure(emma, "Anden").await;
        let open = ensure(emma, "Tredje").await;
        let noahs = ensure(noah, "Noahs").await;
        for inv in [older, noahs, newer] {
            assert!(
                investigations::conclude(
                    &mut tx,
                    inv,
                    &conclusion("Vurdering", Position::Support),
                    w.worker
                )
                .await
                .unwrap()
            );
            // Distinct conclusion instants: the next conclusion starts only once the store's
            // clock (microseconds) has moved on.
            let concluded_by = vaern_store::now();
            while vaern_store::now() <= concluded_by {
                std::hint::spin_loop();
            }
        }
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let ids = |list: Vec<investigations::Investigation>| {
            list.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        let concluded = investigations::concluded_for_case(&mut tx, emma)
            .await
            .unwrap();
        assert!(concluded.iter().all(|i| i.concluded_at.is_some()));
        assert_eq!(ids(concluded), [newer, older], "not {open:?}, newest first");
        assert_eq!(
            ids(investigations::concluded_for_case(&mut tx, noah)
                .await
                .unwrap()),
            [noahs]
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(
            investigations::concluded_for_case(&mut other, emma)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

mod plans {
    use super::*;
    use vaern_domain::ics::{Dimension, FollowUp, FollowUpDecision, Goal};
    use vaern_store::{GoalKey, investigations, plans};

    fn goal(dimension: Dimension, wording: &str, measures: Option<&str>) -> Goal {
        Goal {
            dimension,
            wording: wording.into(),
            measures: measures.map(Into::into),
            target_date: date!(2027 - 06 - 30),
        }
    }

    fn follow_up(decision: FollowUpDecision, child_view: Option<&str>) -> FollowUp {
        FollowUp {
            child_view: child_view.map(Into::into),
            parents_view: Some("Forældrene er enige".into()),
            decision,
            next_date: date!(2027 - 09 - 01),
            next_reason: "Efter sommerferien".into(),
        }
    }

    /// (key, position, dimension, wording, measures, target date) of each goal, in order.
    async fn goals_of(
        tx: &mut vaern_store::TenantTx,
        plan: vaern_store::PlanId,
    ) -> Vec<(GoalKey, i32, String, String, Option<String>, time::Date)> {
        plans::goals(tx, plan)
            .await
            .unwrap()
            .into_iter()
            .map(|g| {
                (
                    g.goal_key,
                    g.position,
                    g.dimension,
                    g.wording,
                    g.measures,
                    g.target_date,
                )
            })
            .collect()
    }

    fn row(
        key: GoalKey,
        position: i32,
        dimension: &str,
        wording: &str,
        measures: Option<&str>,
    ) -> (GoalKey, i32, String, String, Option<String>, time::Date) {
        (
            key,
            position,
            dimension.into(),
            wording.into(),
            measures.map(Into::into),
            date!(2027 - 06 - 30),
        )
    }

    #[tokio::test]
    async fn plan_versions_count_up_per_case_with_their_goals_in_order() {
        let w = world().await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen")
            .await
            .case_id
            .unwrap();
        let (health, school) = (GoalKey::new(), GoalKey::new());
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let sub = investigation_sub_case(&w, &mut tx, emma, "Undersøgelse").await;
        let inv = investigations::ensure(&mut tx, emma, sub).await.unwrap().id;
        let first = plans::create(
            &mut tx,
            emma,
            Some(inv),
            &[
                (
                    school,
                    goal(Dimension::SchoolAndLearning, "Går i skole hver dag", None),
                ),
                (
                    health,
                    goal(Dimension::Health, "Færre astmaanfald", Some("Astmaskole")),
                ),
            ],
            w.worker,
        )
        .await
        .unwrap();
        assert_eq!(
            (first.child_case_id, first.version, first.status.as_str()),
            (emma, 1, "draft")
        );
        assert_eq!(first.investigation_id, Some(inv));
        assert_eq!(first.created_by_name.as_deref(), Some("Anne Rådgiver"));
        assert_eq!((first.approved_at, first.approved_by_name), (None, None));
        let second = plans::create(
            &mut tx,
            emma,
            None,
            &[(
                health,
                goal(Dimension::Health, "Ingen astmaanfald", Some("Medicin")),
            )],
            w.worker,
        )
        .await
        .unwrap();
        assert_eq!((second.version, second.investigation_id), (2, None));
        let noahs = plans::create(&mut tx, noah, None, &[], w.worker)
            .await
            .unwrap();
        assert_eq!(noahs.version, 1, "versions count per case");
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(
            goals_of(&mut tx, first.id).await,
            [
                row(school, 0, "skole", "Går i skole hver dag", None),
                row(
                    health,
                    1,
                    "sundhed",
                    "Færre astmaanfald",
                    Some("Astmaskole")
                ),
            ]
        );
        assert_eq!(
            goals_of(&mut tx, second.id).await,
            [row(
                health,
                0,
                "sundhed",
                "Ingen astmaanfald",
                Some("Medicin")
            )]
        );
        assert!(goals_of(&mut tx, noahs.id).await.is_empty());
        let versions: Vec<_> = plans::for_case(&mut tx, emma)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.version))
            .collect();
        assert_eq!(versions, [(second.id, 2), (first.id, 1)], "newest first");
        let got = plans::get(&mut tx, first.id).await.unwrap();
        assert_eq!(
            (got.version, got.investigation_id, got.status.as_str()),
            (1, Some(inv), "draft")
        );
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(matches!(
            plans::get(&mut other, first.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(plans::for_case(&mut other, emma).await.unwrap().is_empty());
        assert!(goals_of(&mut other, first.id).await.is_empty());
        let foreign = plans::create(&mut other, emma, None, &[], w.worker).await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    }

    #[tokio::test]
    async fn a_draft_s_goals_are_replaced_but_an_approved_version_never_changes() {
        let w = world().await;
        let bo = colleague(&w).await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let (health, school) = (GoalKey::new(), GoalKey::new());
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let plan = plans::create(
            &mut tx,
            case,
            None,
            &[(health, goal(Dimension::Health, "Færre anfald", None))],
            w.worker,
        )
        .await
        .unwrap()
        .id;
        assert!(
            plans::replace_goals(
                &mut tx,
                plan,
                &[
                    (school, goal(Dimension::SchoolAndLearning, "I skole", None)),
                    (
                        health,
                        goal(Dimension::Health, "Ingen anfald", Some("Medicin"))
                    ),
                ],
            )
            .await
            .unwrap()
        );
        let replaced = [
            row(school, 0, "skole", "I skole", None),
            row(health, 1, "sundhed", "Ingen anfald", Some("Medicin")),
        ];
        assert_eq!(goals_of(&mut tx, plan).await, replaced);

        assert!(plans::approve(&mut tx, plan, bo).await.unwrap());
        assert!(
            !plans::approve(&mut tx, plan, w.worker).await.unwrap(),
            "approved already"
        );
        assert!(
            !plans::replace_goals(
                &mut tx,
                plan,
                &[(GoalKey::new(), goal(Dimension::SocialNetwork, "Ny", None))],
            )
            .await
            .unwrap(),
            "an approved version is not changed"
        );
        let draft = plans::create(
            &mut tx,
            case,
            None,
            &[(health, goal(Dimension::Health, "Kladde", None))],
            w.worker,
        )
        .await
        .unwrap()
        .id;
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(goals_of(&mut tx, plan).await, replaced);
        let approved = plans::get(&mut tx, plan).await.unwrap();
        assert_eq!(approved.status, "approved");
        assert_eq!(approved.approved_by_name.as_deref(), Some("Bo Kollega"));
        assert!(approved.approved_at.is_some());
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        assert!(!plans::replace_goals(&mut other, draft, &[]).await.unwrap());
        assert!(!plans::approve(&mut other, draft, w.worker).await.unwrap());
        other.commit().await.unwrap();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        assert_eq!(
            plans::get(&mut tx, draft).await.unwrap().status,
            "draft",
            "another municipality cannot approve it"
        );
        assert_eq!(
            goals_of(&mut tx, draft).await,
            [row(health, 0, "sundhed", "Kladde", None)]
        );
    }

    #[tokio::test]
    async fn follow_ups_are_listed_oldest_first_with_every_score() {
        let w = world().await;
        let bo = colleague(&w).await;
        let emma = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let noah = child_with_case(&w, "010118-4013", "Noah", "Jensen")
            .await
            .case_id
            .unwrap();
        let (health, school) = (GoalKey::new(), GoalKey::new());
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let plan = plans::create(
            &mut tx,
            emma,
            None,
            &[
                (health, goal(Dimension::Health, "Færre anfald", None)),
                (school, goal(Dimension::SchoolAndLearning, "I skole", None)),
            ],
            w.worker,
        )
        .await
        .unwrap()
        .id;
        assert!(plans::approve(&mut tx, plan, w.worker).await.unwrap());
        let noahs_plan = plans::create(&mut tx, noah, None, &[], w.worker)
            .await
            .unwrap()
            .id;
        let later = plans::add_follow_up(
            &mut tx,
            emma,
            plan,
            date!(2027 - 03 - 01),
            &follow_up(FollowUpDecision::Adjust, None),
            &[(health, 5), (school, 4)],
            bo,
        )
        .await
        .unwrap();
        let earlier = plans::add_follow_up(
            &mut tx,
            emma,
            plan,
            date!(2026 - 12 - 01),
            &follow_up(FollowUpDecision::Continue, Some("Det går godt")),
            &[(health, 1), (school, 3)],
            w.worker,
        )
        .await
        .unwrap();
        let foreign = plans::add_follow_up(
            &mut tx,
            emma,
            noahs_plan,
            date!(2026 - 12 - 01),
            &follow_up(FollowUpDecision::Stop, None),
            &[],
            w.worker,
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
        tx.commit().await.unwrap();

        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let (follow_ups, scores) = plans::follow_ups(&mut tx, emma).await.unwrap();
        let listed: Vec<_> = follow_ups
            .iter()
            .map(|f| {
                (
                    f.id,
                    f.plan_id,
                    f.held_on,
                    f.child_view.as_deref(),
                    f.parents_view.as_deref(),
                    f.decision.as_str(),
                    f.next_date,
                    f.next_reason.as_str(),
                    f.created_by_name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                (
                    earlier,
                    plan,
                    date!(2026 - 12 - 01),
                    Some("Det går godt"),
                    Some("Forældrene er enige"),
                    "continue",
                    date!(2027 - 09 - 01),
                    "Efter sommerferien",
                    Some("Anne Rådgiver"),
                ),
                (
                    later,
                    plan,
                    date!(2027 - 03 - 01),
                    None,
                    Some("Forældrene er enige"),
                    "adjust",
                    date!(2027 - 09 - 01),
                    "Efter sommerferien",
                    Some("Bo Kollega"),
                ),
            ]
        );
        let mut scores: Vec<_> = scores
            .into_iter()
            .map(|s| (s.follow_up_id, s.goal_key, s.score))
            .collect();
        scores.sort();
        let mut expected = vec![
            (earlier, health, 1),
            (earlier, school, 3),
            (later, health, 5),
            (later, school, 4),
        ];
        expected.sort();
        assert_eq!(scores, expected);
        let (noahs, noahs_scores) = plans::follow_ups(&mut tx, noah).await.unwrap();
        assert!(noahs.is_empty() && noahs_scores.is_empty());
        drop(tx);

        let mut other = w.test.db.tenant(w.other).await.unwrap();
        let (follow_ups, scores) = plans::follow_ups(&mut other, emma).await.unwrap();
        assert!(follow_ups.is_empty() && scores.is_empty());
        let foreign = plans::add_follow_up(
            &mut other,
            emma,
            plan,
            date!(2026 - 12 - 01),
            &follow_up(FollowUpDecision::Stop, None),
            &[],
            w.worker,
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    }

    #[tokio::test]
    async fn a_score_outside_one_to_five_is_refused_by_the_database() {
        let w = world().await;
        let case = child_with_case(&w, "150615-4122", "Emma", "Nielsen")
            .await
            .case_id
            .unwrap();
        let key = GoalKey::new();
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let plan = plans::create(
            &mut tx,
            case,
            None,
            &[(key, goal(Dimension::Health, "Færre anfald", None))],
            w.worker,
        )
        .await
        .unwrap()
        .id;
        assert!(plans::approve(&mut tx, plan, w.worker).await.unwrap());
        tx.commit().await.unwrap();
        for score in [6, 0] {
            let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
            let result = plans::add_follow_up(
                &mut tx,
                case,
                plan,
                date!(2026 - 12 - 01),
                &follow_up(FollowUpDecision::Continue, None),
                &[(key, score)],
                w.worker,
            )
            .await;
            assert!(
                matches!(result, Err(StoreError::Database(_))),
                "score {score}: {result:?}"
            );
        }
        let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
        let (follow_ups, scores) = plans::follow_ups(&mut tx, case).await.unwrap();
        assert!(follow_ups.is_empty() && scores.is_empty());
    }
}

/// A measure on the world's first child, with a provider and an offer priced from 2026.
async fn a_measure(w: &World) -> (vaern_store::measures::Measure, vaern_store::ProviderId) {
    use vaern_domain::economy::{
        cost::{PricePeriod, Unit},
        measures::{MeasureGroup, MeasureInput, NewMeasure},
        offers::{NewOffer, NewProvider, ProviderKind},
    };
    use vaern_store::{measures, offers};
    let child = child_with_case(w, "150615-4122", "Emma", "Nielsen").await;
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    let provider = NewProvider {
        name: "Solsikken".into(),
        cvr: None,
        kind: ProviderKind::ResidentialHome,
        tilbudsportal_id: None,
    };
    let provider = offers::add_provider(&mut tx, &provider, w.worker)
        .await
        .unwrap();
    let offer = NewOffer {
        name: "Døgnophold".into(),
        unit: Unit::Day,
    };
    let offer = offers::add_offer(&mut tx, provider.id, &offer, w.worker)
        .await
        .unwrap();
    let price = PricePeriod {
        from: date!(2026 - 01 - 01),
        to: None,
        price_ore: 100_000,
    };
    offers::add_price(&mut tx, offer.id, &price, None, w.worker)
        .await
        .unwrap();
    let input = MeasureInput {
        legal_basis: "bl46".into(),
        offer_id: offer.id.to_string(),
        quantity: "1".into(),
        hours_per: String::new(),
        starts_on: "2026-11-01".into(),
        ends_on: "2027-10-31".into(),
        purpose: "Tryghed".into(),
    };
    let measure = NewMeasure::parse(&input, Some(Unit::Day)).unwrap();
    let case = child.case_id.unwrap();
    let m = measures::create(
        &mut tx,
        case,
        offer.id,
        &measure,
        MeasureGroup::ResidentialHome,
        &[],
        w.worker,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (m, provider.id)
}

/// Two payment runs for the same month at once would both see nothing paid; the line's number
/// per measure and month is unique, so the second cannot write the same first payment.
#[tokio::test]
async fn a_measure_is_paid_once_per_line_number_and_month() {
    use vaern_store::payments::{self, NewLine};
    let w = world().await;
    let (measure, provider) = a_measure(&w).await;
    let line = |seq| NewLine {
        measure: measure.id,
        provider,
        seq,
        correction: seq > 1,
        amount_ore: 100,
        account: "5.28.22",
        text: "Døgnophold, nov. 2026",
    };
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    payments::create_run(&mut tx, "2026-11", &[line(1)], w.worker)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    let twice = payments::create_run(&mut tx, "2026-11", &[line(1)], w.worker).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    drop(tx);
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    payments::create_run(&mut tx, "2026-11", &[line(2)], w.worker)
        .await
        .unwrap();
    let paid = payments::paid_for_period(&mut tx, "2026-11").await.unwrap();
    assert_eq!(paid, vec![(measure.id, 200, 2)]);
    tx.commit().await.unwrap();
}

/// A measure changes status only from the version and status it was read at.
#[tokio::test]
async fn a_measure_changes_only_from_the_version_read() {
    use vaern_store::measures::{self, Change};
    let w = world().await;
    let (measure, _) = a_measure(&w).await;
    let mut tx = w.test.db.tenant(w.kbh).await.unwrap();
    let approve = || Change::Approve { by: w.worker };
    assert!(
        measures::change(&mut tx, measure.id, 1, "planned", approve())
            .await
            .unwrap()
    );
    assert!(
        !measures::change(&mut tx, measure.id, 1, "planned", approve())
            .await
            .unwrap()
    );
    let stored = measures::get(&mut tx, measure.id).await.unwrap();
    assert_eq!((stored.status.as_str(), stored.version), ("approved", 2));
    tx.commit().await.unwrap();
    let mut other = w.test.db.tenant(w.other).await.unwrap();
    assert!(matches!(
        measures::get(&mut other, measure.id).await,
        Err(StoreError::NotFound)
    ));
    if let Pool::Postgres(pool) = w.test.db.pool() {
        for table in ["providers", "offers", "price_periods", "measures"] {
            let sql = format!("select count(*) from {table}");
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(count, 0, "{table} must be hidden without app.municipality");
        }
    }
}
