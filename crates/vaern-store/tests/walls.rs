//! The walls behind the tenant handle and the append-only functions, read from the database
//! itself rather than trusted from the migrations' text.
//!
//! - Row-level security (PostgreSQL's second wall of tenant isolation): every table with a
//!   `municipality_id` column has RLS enabled and forced and a policy on `app.municipality`, and
//!   the app role is neither a superuser nor exempt from RLS.
//! - Immutability: for every append-only table (one line in [`APPEND_ONLY`]), an UPDATE and a
//!   DELETE of an existing row, and on PostgreSQL a TRUNCATE, are refused by the table's
//!   triggers with `<table> is append-only`, also for a connection the privileges do not stop
//!   (SQLite's only connection; PostgreSQL's superuser and table owner); on PostgreSQL the app
//!   role is refused earlier, by its grants. TRUNCATE fires no row trigger, so PostgreSQL needs a
//!   statement-level BEFORE TRUNCATE trigger besides the row triggers; SQLite has no TRUNCATE,
//!   and its DELETE without WHERE fires the row triggers like any other DELETE.

use std::collections::BTreeSet;

use time::macros::date;
use vaern_domain::{
    child::{NewChild, NewChildInput},
    document::{DocumentKind, NewDocument},
    journal::EntryKind,
};
use vaern_store::{
    Db, DbOptions, Pool, access_log, admin_log, children, documents, journal, letter_templates,
};
use vaern_testkit::TestDb;

/// The append-only tables and a column an UPDATE may try to change. A new append-only table is
/// one more line here (the completeness test compares this list with the database's triggers),
/// and one more row in [`one_row_in_every_append_only_table`].
const APPEND_ONLY: [(&str, &str); 5] = [
    ("journal_entries", "title"),
    ("access_log", "detail"),
    ("admin_events", "detail"),
    ("document_versions", "content_hash"),
    ("letter_templates", "body"),
];

/// The app role of [`DbOptions::default`].
const APP_ROLE: &str = vaern_store::DEFAULT_APP_ROLE;

/// A connection that neither grants nor row-level security restrict: on PostgreSQL the login of
/// `TEST_DATABASE_URL` (a superuser, and the owner of the tables it migrated) without the
/// `set role` to the app role; on SQLite the database itself.
async fn owner(test: &TestDb) -> Db {
    Db::connect(&test.owner_url, &DbOptions::maintenance())
        .await
        .unwrap()
}

async fn execute(db: &Db, sql: &str) -> Result<u64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db.pool() {
        Pool::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Pool::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("select count(*) from {table}"));
    match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// A database error's message and SQLSTATE/extended code, or what happened instead.
fn refusal(result: Result<u64, sqlx::Error>) -> Result<(String, Option<String>), String> {
    match result {
        Err(sqlx::Error::Database(error)) => Ok((
            error.message().to_owned(),
            error.code().map(|c| c.into_owned()),
        )),
        Err(other) => Err(format!("not refused by the database: {other}")),
        Ok(rows) => Err(format!("accepted, {rows} rows changed")),
    }
}

/// A municipality with one row in each append-only table.
async fn one_row_in_every_append_only_table(test: &TestDb) {
    let (municipality, worker) =
        vaern_testkit::municipality_with_caseworker(&test.db, "901", "Demo Kommune").await;
    let mut tx = test.db.tenant(municipality).await.unwrap();
    let child = NewChild::parse(
        &NewChildInput {
            cpr: Some("150615-4122".into()),
            first_name: "Emma".into(),
            last_name: "Nielsen".into(),
            birth_date: None,
            sex: None,
        },
        date!(2026 - 11 - 23),
    )
    .unwrap();
    let child = children::create(&mut tx, &child).await.unwrap();
    let case = children::open_case(&mut tx, child.id, "901", worker, None)
        .await
        .unwrap();
    journal::append(
        &mut tx,
        &journal::NewEntry {
            case,
            kind: EntryKind::Manual,
            title: "Notat",
            body: "tekst",
            event_date: date!(2026 - 11 - 01),
            author: Some(worker),
            corrects: None,
            sub_case: None,
        },
    )
    .await
    .unwrap();
    access_log::record(
        &mut tx,
        worker,
        Some(child.id),
        access_log::AccessKind::View,
        "Journal",
    )
    .await
    .unwrap();
    admin_log::record(
        &mut tx,
        Some(worker),
        Some(worker),
        "user_created",
        "Oprettede Anne",
    )
    .await
    .unwrap();
    documents::create(
        &mut tx,
        case,
        None,
        &NewDocument {
            title: "Brev".into(),
            kind: DocumentKind::Incoming,
            document_date: date!(2026 - 11 - 20),
            confidential: false,
            shareable_with_siblings: true,
        },
        &documents::NewVersion {
            content_hash: &"a".repeat(64),
            size_bytes: 1234,
            media_type: "application/pdf",
            file_name: "brev.pdf",
            letter_data: None,
        },
        worker,
    )
    .await
    .unwrap();
    letter_templates::save(
        &mut tx,
        "partshoering",
        "Partshøring",
        "Kære {{ modtager.navn }}",
        worker,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The tables that have an append-only trigger, as the database reports them.
async fn tables_with_append_only_triggers(db: &Db) -> BTreeSet<String> {
    let names: Vec<String> = match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar(
            "select distinct tbl_name from sqlite_master where type = 'trigger' \
             and sql like '%is append-only%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Pool::Postgres(pool) => sqlx::query_scalar(
            "select distinct c.relname::text from pg_trigger t \
             join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid \
             where not t.tgisinternal and p.proname = 'refuse_change'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    names.into_iter().collect()
}

/// On PostgreSQL, the tables with a statement-level BEFORE TRUNCATE trigger running
/// `refuse_change()`. In `pg_trigger.tgtype` bit 0 is ROW, bit 1 BEFORE and bit 5 TRUNCATE.
async fn postgres_tables_with_truncate_triggers(admin: &sqlx::PgPool) -> BTreeSet<String> {
    let names: Vec<String> = sqlx::query_scalar(
        "select distinct c.relname::text from pg_trigger t \
         join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid \
         where not t.tgisinternal and p.proname = 'refuse_change' \
           and t.tgenabled <> 'D' and t.tgtype & 1 = 0 and t.tgtype & 2 <> 0 \
           and t.tgtype & 32 <> 0",
    )
    .fetch_all(admin)
    .await
    .unwrap();
    names.into_iter().collect()
}

#[tokio::test]
async fn the_list_of_append_only_tables_is_every_table_with_an_append_only_trigger() {
    let test = TestDb::new().await;
    let owner = owner(&test).await;
    let in_database = tables_with_append_only_triggers(&owner).await;
    let listed: BTreeSet<String> = APPEND_ONLY.iter().map(|(t, _)| (*t).to_owned()).collect();
    assert_eq!(
        in_database, listed,
        "APPEND_ONLY must list exactly the tables the migrations protect by trigger"
    );
    if let Pool::Postgres(admin) = owner.pool() {
        assert_eq!(
            postgres_tables_with_truncate_triggers(admin).await,
            listed,
            "on PostgreSQL every append-only table needs a BEFORE TRUNCATE trigger too: \
             TRUNCATE fires no row trigger"
        );
    }
    owner.close().await;
}

/// The trigger itself (the last wall) refuses, for a connection the grants do not stop: UPDATE
/// and DELETE, and on PostgreSQL TRUNCATE (SQLite has none; its `delete from <table>` without
/// WHERE is tried here anyway).
#[tokio::test]
async fn every_append_only_table_refuses_update_delete_and_truncate_by_trigger() {
    let test = TestDb::new().await;
    one_row_in_every_append_only_table(&test).await;
    let owner = owner(&test).await;
    let mut wrong = Vec::new();
    for (table, column) in APPEND_ONLY {
        // Row triggers only fire for rows the statement touches: an empty table proves nothing.
        let rows = count(&owner, table).await;
        assert!(rows > 0, "{table} has no row to try the trigger on");
        let expected = format!("{table} is append-only");
        let mut statements = vec![
            format!("update {table} set {column} = {column}"),
            format!("delete from {table}"),
        ];
        if matches!(owner.pool(), Pool::Postgres(_)) {
            statements.push(format!("truncate {table}"));
        }
        for sql in statements {
            match refusal(execute(&owner, &sql).await) {
                Ok((message, _)) if message == expected => {}
                Ok((message, code)) => wrong.push(format!("{sql}: {message} ({code:?})")),
                Err(what) => wrong.push(format!("{sql}: {what}")),
            }
        }
        let left = count(&owner, table).await;
        if left != rows {
            wrong.push(format!("{table}: {rows} rows before, {left} after"));
        }
    }
    assert!(
        wrong.is_empty(),
        "not refused by the append-only trigger:\n{}",
        wrong.join("\n")
    );
    owner.close().await;
}

/// On PostgreSQL the app role may read and insert but never update, delete or truncate an
/// append-only table: refused by its grants before any trigger runs.
#[tokio::test]
async fn postgres_app_role_has_no_grant_to_change_append_only_tables() {
    if vaern_testkit::skip_unless_postgres(
        "postgres_app_role_has_no_grant_to_change_append_only_tables",
        "SQLite has no roles or grants",
    ) {
        return;
    }
    let test = TestDb::new().await;
    one_row_in_every_append_only_table(&test).await;
    let owner = owner(&test).await;
    let Pool::Postgres(admin) = owner.pool() else {
        unreachable!()
    };
    let mut wrong = Vec::new();
    for (table, column) in APPEND_ONLY {
        for (privilege, granted) in [
            ("select", true),
            ("insert", true),
            ("update", false),
            ("delete", false),
            ("truncate", false),
        ] {
            let has: bool = sqlx::query_scalar("select has_table_privilege($1, $2, $3)")
                .bind(APP_ROLE)
                .bind(table)
                .bind(privilege)
                .fetch_one(admin)
                .await
                .unwrap();
            if has != granted {
                wrong.push(format!("{APP_ROLE} {privilege} on {table}: {has}"));
            }
        }
        let owned_by_app: bool = sqlx::query_scalar(
            "select pg_get_userbyid(relowner) = $1 from pg_class \
             where relname = $2 and relnamespace = 'public'::regnamespace",
        )
        .bind(APP_ROLE)
        .bind(table)
        .fetch_one(admin)
        .await
        .unwrap();
        if owned_by_app {
            wrong.push(format!("{APP_ROLE} owns {table}, so grants do not bind it"));
        }
        for sql in [
            format!("update {table} set {column} = {column}"),
            format!("delete from {table}"),
            format!("truncate {table}"),
        ] {
            match refusal(execute(&test.db, &sql).await) {
                Ok((_, code)) if code.as_deref() == Some("42501") => {}
                Ok((message, code)) => {
                    wrong.push(format!("{sql} as {APP_ROLE}: {message} ({code:?})"));
                }
                Err(what) => wrong.push(format!("{sql} as {APP_ROLE}: {what}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    owner.close().await;
}

/// Every table with a `municipality_id` column has row-level security enabled and forced (so it
/// binds the table owner too) and a policy on `app.municipality`; the app role is bound by it.
#[tokio::test]
async fn postgres_every_municipality_table_has_forced_row_level_security_and_a_policy() {
    if vaern_testkit::skip_unless_postgres(
        "postgres_every_municipality_table_has_forced_row_level_security_and_a_policy",
        "SQLite has no row-level security",
    ) {
        return;
    }
    let test = TestDb::new().await;
    let owner = owner(&test).await;
    let Pool::Postgres(admin) = owner.pool() else {
        unreachable!()
    };
    // pg_attribute rather than information_schema.columns: the latter shows only what the
    // current role has privileges on.
    let tables: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
             coalesce(array(select coalesce(p.qual, '') || ' / ' || p.permissive || ' / ' \
                 || array_to_string(p.roles, ',') \
                 from pg_policies p where p.schemaname = n.nspname and p.tablename = c.relname), \
                 '{}') \
         from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid \
                       and a.attname = 'municipality_id' and a.attnum > 0 and not a.attisdropped) \
         order by c.relname",
    )
    .fetch_all(admin)
    .await
    .unwrap();
    assert!(
        tables.len() > 40,
        "only {} tables with municipality_id found: {:?}",
        tables.len(),
        tables.iter().map(|t| &t.0).collect::<Vec<_>>()
    );
    let mut offenders = Vec::new();
    for (table, enabled, forced, policies) in &tables {
        let mut problems = Vec::new();
        if !enabled {
            problems.push("RLS not enabled".to_owned());
        }
        if !forced {
            problems.push("RLS not forced".to_owned());
        }
        // A permissive policy for everyone (or the app role) that compares municipality_id with
        // the transaction's app.municipality.
        let tenant_policy = policies.iter().any(|p| {
            let mut parts = p.splitn(3, " / ");
            let (qual, permissive, roles) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            qual.contains("municipality_id")
                && qual.contains("app.municipality")
                && permissive == "PERMISSIVE"
                && roles.split(',').any(|r| r == "public" || r == APP_ROLE)
        });
        if policies.is_empty() {
            problems.push("no policy".to_owned());
        } else if !tenant_policy {
            problems.push(format!("no policy on app.municipality: {policies:?}"));
        }
        if !problems.is_empty() {
            offenders.push(format!("{table}: {}", problems.join(", ")));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} of {} tables with municipality_id lack the second wall:\n{}",
        offenders.len(),
        tables.len(),
        offenders.join("\n")
    );
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("select rolsuper, rolbypassrls from pg_roles where rolname = $1")
            .bind(APP_ROLE)
            .fetch_one(admin)
            .await
            .unwrap();
    assert!(
        !superuser && !bypass,
        "{APP_ROLE} must be bound by row-level security (superuser: {superuser}, bypassrls: {bypass})"
    );
    owner.close().await;
}

/// Issue 17 (defence in depth): the auth exception (`app.auth`, before the municipality is
/// known) lets the app read users and tokens of every municipality, as login must, but not
/// change them.
#[tokio::test]
async fn postgres_the_auth_exception_reads_users_and_tokens_but_changes_none() {
    if vaern_testkit::skip_unless_postgres(
        "postgres_the_auth_exception_reads_users_and_tokens_but_changes_none",
        "SQLite has no row-level security",
    ) {
        return;
    }
    let test = TestDb::new().await;
    vaern_testkit::municipality_with_caseworker(&test.db, "901", "Værnby").await;
    let Pool::Postgres(pool) = test.db.pool() else {
        unreachable!()
    };
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("select set_config('app.auth', 'on', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        seen, 1,
        "the auth lookup reads users (usernames are global)"
    );
    for sql in [
        "update users set role = 'admin', active = true",
        "delete from users",
        "update api_tokens set user_id = user_id",
        "delete from api_tokens",
    ] {
        let changed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map(|r| r.rows_affected());
        assert!(matches!(changed, Ok(0)), "{sql}: {changed:?}");
    }
    tx.rollback().await.unwrap();
}

/// Issue 17 (defence in depth): the app refuses a superuser login (which could `RESET ROLE` out
/// of the app role, past every policy) and runs as the app role's own login, from which there
/// is no other role to return to.
#[tokio::test]
async fn postgres_the_app_refuses_a_superuser_login_and_its_own_login_cannot_leave_the_app_role() {
    if vaern_testkit::skip_unless_postgres(
        "postgres_the_app_refuses_a_superuser_login_and_its_own_login_cannot_leave_the_app_role",
        "SQLite has no roles",
    ) {
        return;
    }
    let test = TestDb::new().await;
    let refused = Db::connect(&test.owner_url, &DbOptions::default()).await;
    let Err(error) = refused else {
        panic!("a superuser login was accepted for the app")
    };
    assert!(error.to_string().contains("VAERN_MIGRATE_URL"), "{error}");
    let Pool::Postgres(pool) = test.db.pool() else {
        unreachable!()
    };
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("reset role").execute(&mut *conn).await.unwrap();
    let (user, superuser): (String, bool) = sqlx::query_as(
        "select current_user::text, rolsuper from pg_roles where rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!((user.as_str(), superuser), (APP_ROLE, false));
}
