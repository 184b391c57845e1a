#![doc = include_str!("../README.md")]

pub mod oidc;
pub mod saml;
pub mod totp;

use std::path::PathBuf;

use vaern_store::{Db, DbOptions};

/// A migrated, empty database that exists for one test.
pub struct TestDb {
    pub db: Db,
    /// The URL the app opens the database with (e.g. a server process under test): on
    /// PostgreSQL the app role's own login, as in production.
    pub url: String,
    /// The URL of the schema's owner, which migrates (on SQLite the same file).
    pub owner_url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// Whether the tests run against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

impl TestDb {
    /// Creates and migrates a fresh database.
    pub async fn new() -> TestDb {
        let base = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "sqlite".into());
        let name = format!("vaern_test_{}", uuid::Uuid::new_v4().simple());
        let (url, cleanup) = if base.starts_with("postgres") {
            let admin_url = base.clone();
            let admin = Db::connect(&admin_url, &DbOptions::maintenance())
                .await
                .expect("TEST_DATABASE_URL must reach PostgreSQL");
            if let vaern_store::Pool::Postgres(pool) = admin.pool() {
                sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                    .execute(pool)
                    .await
                    .expect("create test database");
            }
            admin.close().await;
            let url = replace_database(&base, &name);
            (url, Cleanup::Postgres { admin_url, name })
        } else {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}", dir.join("vaern.db").display());
            (url, Cleanup::Sqlite(dir))
        };
        let owner_url = url;
        vaern_store::migrate(&owner_url, &DbOptions::default())
            .await
            .expect("migrate");
        let url = if base.starts_with("postgres") {
            replace_user(&owner_url, vaern_store::DEFAULT_APP_ROLE)
        } else {
            owner_url.clone()
        };
        let db = Db::connect(&url, &DbOptions::default())
            .await
            .expect("connect as the app role");
        TestDb {
            db,
            url,
            owner_url,
            cleanup,
        }
    }
}

/// `url` logging in as `user` (without a password: the test cluster trusts local logins).
fn replace_user(url: &str, user: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        (Some(scheme), _) => format!("{}{user}@{}", &url[..scheme + 3], &url[scheme + 3..]),
        _ => url.to_owned(),
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let base = match head.rfind('/') {
        Some(slash) if head[..slash].ends_with('/') => head.to_owned(),
        Some(slash) => head[..slash].to_owned(),
        None => head.to_owned(),
    };
    let base = base.trim_end_matches('/');
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime; a separate thread with its own runtime
                // can block on the async drop without deadlocking it.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async move {
                        if let Ok(db) = Db::connect(&admin_url, &DbOptions::maintenance()).await
                            && let vaern_store::Pool::Postgres(pool) = db.pool()
                        {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "drop database if exists {name} with (force)"
                            )))
                            .execute(pool)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A new municipality `code` in `db` with one caseworker, «anne» (Anne Rådgiver): the smallest
/// world a store test needs. Its id and the caseworker's.
pub async fn municipality_with_caseworker(
    db: &Db,
    code: &str,
    name: &str,
) -> (vaern_store::MunicipalityId, vaern_store::UserId) {
    let mut global = db.global().await.expect("global transaction");
    let municipality = vaern_store::municipalities::create(&mut global, code, name)
        .await
        .expect("municipality")
        .id;
    global.commit().await.expect("commit");
    let mut tx = db.tenant(municipality).await.expect("tenant transaction");
    let worker = vaern_store::users::create(
        &mut tx,
        &vaern_store::users::NewUserRow {
            username: "anne",
            name: "Anne Rådgiver",
            role: vaern_domain::Role::Caseworker,
            password_hash: "x",
            team_id: None,
            pending_by: None,
        },
    )
    .await
    .expect("caseworker")
    .id;
    tx.commit().await.expect("commit");
    (municipality, worker)
}

/// The environment variable naming the file where skipped tests are listed (`scripts/test` sets
/// it and reports the list by name after the run).
pub const SKIPPED_FILE_VAR: &str = "VAERN_SKIPPED_FILE";

/// Marks the calling test as skipped on this run (it returns right after): prints
/// `SKIPPED: test: reason`, and adds the line to the file `VAERN_SKIPPED_FILE` names, so a test
/// that only means something on the other database is reported as skipped, not passed.
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    let line = format!("{test}: {reason}");
    eprintln!("SKIPPED: {line}");
    if let Ok(path) = std::env::var(SKIPPED_FILE_VAR) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{SKIPPED_FILE_VAR}={path}: {e}"));
        writeln!(file, "{line}").expect("the list of skipped tests is writable");
    }
}

/// Skips the calling test (see [`skip`]) unless the run is on PostgreSQL; true when skipped.
pub fn skip_unless_postgres(test: &str, reason: &str) -> bool {
    let skipped = !on_postgres();
    if skipped {
        skip(test, reason);
    }
    skipped
}

/// Skips the calling test (see [`skip`]) unless the run is on SQLite; true when skipped.
pub fn skip_unless_sqlite(test: &str, reason: &str) -> bool {
    let skipped = on_postgres();
    if skipped {
        skip(test, reason);
    }
    skipped
}

/// A file store in a temporary directory (the local store production uses by default), removed
/// when the test ends.
pub struct TestFiles {
    pub store: vaern_files::FileStore,
    pub dir: tempfile::TempDir,
}

impl TestFiles {
    pub fn local() -> TestFiles {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = vaern_files::FileStore::local(dir.path()).expect("local file store");
        TestFiles { store, dir }
    }
}

#[cfg(test)]
mod tests {
    use super::{replace_database, replace_user};

    #[test]
    fn the_login_is_replaced_dropping_any_password() {
        assert_eq!(
            replace_user("postgres://postgres:pw@127.0.0.1:5432/x", "vaern_app"),
            "postgres://vaern_app@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_user("postgres://127.0.0.1/x", "vaern_app"),
            "postgres://vaern_app@127.0.0.1/x"
        );
    }

    #[test]
    fn the_database_name_is_replaced_keeping_the_query() {
        assert_eq!(
            replace_database(
                "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
                "x"
            ),
            "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
    }
}
