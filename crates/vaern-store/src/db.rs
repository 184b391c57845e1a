//! The database handle: an enum over the two native pools (sqlx's `Any` driver cannot decode
//! dates, UUIDs or booleans), opened from a `DATABASE_URL`.

use std::{str::FromStr, time::Duration};

use sqlx::{
    AssertSqlSafe, ConnectOptions, Executor, PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{StoreError, group_commit::AccessLogWriter, tenant::Tx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The role the application runs as on PostgreSQL, unless configured otherwise: an ordinary role,
/// so row-level security binds it (it does not bind superusers).
pub const DEFAULT_APP_ROLE: &str = "vaern_app";

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// PostgreSQL only: `SET ROLE` to this on every connection (None: run as the login role).
    pub app_role: Option<String>,
    pub max_connections: u32,
    /// PostgreSQL only: accept a login that is a superuser or bypasses row-level security. Only
    /// maintenance connections (creating test databases, inspecting the schema) do; the app
    /// refuses, since such a login can `RESET ROLE` out of the app role and past every policy.
    pub privileged_login: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            app_role: Some(DEFAULT_APP_ROLE.to_owned()),
            max_connections: 16,
            privileged_login: false,
        }
    }
}

impl DbOptions {
    /// A single privileged maintenance connection running as its login role.
    pub fn maintenance() -> Self {
        Self {
            app_role: None,
            max_connections: 1,
            privileged_login: true,
        }
    }
}

/// A pool of connections to SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: its pool and the writer of the access log's group commit.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    pub(crate) access_log: AccessLogWriter,
}

impl Db {
    fn new(pool: Pool) -> Db {
        Db {
            access_log: AccessLogWriter::start(pool.clone()),
            pool,
        }
    }

    /// The pool itself, for tests and tools that run their own SQL.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Opens the database named by `url` (`sqlite://file.db`, `sqlite::memory:`, `postgres://…`),
    /// creating an SQLite file if missing. Does not migrate.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            // WAL with synchronous=FULL: an acknowledged commit survives a crash or power loss.
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Without statistics SQLite's planner scans sub-cases and steps for Mit overblik
                // instead of starting from the caseworker's cases (0.3 s at the national scale of
                // BENCHMARKS.md): each connection refreshes them where stale, bounded in work.
                .pragma("analysis_limit", "400")
                .pragma("optimize", "0x10002")
                .optimize_on_close(true, Some(400))
                .disable_statement_logging();
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                // An in-memory database lives in one connection.
                .max_connections(if memory { 1 } else { options.max_connections })
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(if memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if memory {
                    None
                } else {
                    Some(Duration::from_secs(1800))
                })
                .connect_with(connect)
                .await?;
            Ok(Db::new(Pool::Sqlite(pool)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect = PgConnectOptions::from_str(url)?.disable_statement_logging();
            let app_role = options.app_role.clone();
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .after_connect(move |conn, _meta| {
                    let role = app_role.clone();
                    Box::pin(async move {
                        if let Some(role) = role {
                            sqlx::raw_sql(AssertSqlSafe(format!(
                                "set role {}",
                                quote_ident(&role)
                            )))
                            .execute(&mut *conn)
                            .await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(connect)
                .await?;
            if !options.privileged_login {
                refuse_privileged_login(&pool).await?;
            }
            Ok(Db::new(Pool::Postgres(pool)))
        } else {
            Err(StoreError::Database(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres:, got {url:?}").into(),
            )))
        }
    }

    /// `sqlite` or `postgres`, for logs and the readiness check.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Answers when the database does (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => pool.execute("select 1").await.map(|_| ())?,
            Pool::Postgres(pool) => pool.execute("select 1").await.map(|_| ())?,
        }
        Ok(())
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Pool {
    /// A transaction that may write.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            // A deferred transaction that reads first cannot upgrade to a write lock while
            // another writer holds it and fails at once with SQLITE_BUSY; IMMEDIATE takes the
            // lock up front and honours busy_timeout.
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("begin immediate").await?),
            Pool::Postgres(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// A transaction that only reads: on SQLite it takes no write lock, so reads run side by
    /// side with each other and with the one writer (WAL); PostgreSQL refuses any write in it.
    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("begin deferred").await?),
            Pool::Postgres(pool) => Tx::Pg(pool.begin_with("begin read only").await?),
        })
    }
}

/// Refuses a login that row-level security does not bind, or that could leave the app role for
/// one it does not bind (`RESET ROLE` returns to the login).
async fn refuse_privileged_login(pool: &PgPool) -> Result<(), StoreError> {
    let (login, privileged): (String, bool) = sqlx::query_as(
        "select rolname::text, rolsuper or rolbypassrls from pg_roles where rolname = session_user",
    )
    .fetch_one(pool)
    .await?;
    if privileged {
        pool.close().await;
        return Err(StoreError::Database(sqlx::Error::Configuration(
            format!(
                "DATABASE_URL logs in as {login:?}, a superuser or a role that bypasses \
                 row-level security; connect as the app role ({DEFAULT_APP_ROLE}, which \
                 `vaern migrate` creates as a login) and give the owner's login to \
                 VAERN_MIGRATE_URL for migrations"
            )
            .into(),
        )));
    }
    Ok(())
}

/// Brings the schema at `url` up to date. Run before [`Db::connect`]: on PostgreSQL it needs a
/// login that owns the schema, and it creates and grants the app role that pooled connections
/// then assume.
pub async fn migrate(url: &str, options: &DbOptions) -> Result<(), StoreError> {
    if url.starts_with("sqlite:") {
        let db = Db::connect(
            url,
            &DbOptions {
                max_connections: 1,
                ..options.clone()
            },
        )
        .await?;
        let Pool::Sqlite(pool) = db.pool() else {
            unreachable!("an sqlite: URL opens SQLite")
        };
        SQLITE_MIGRATIONS.run(pool).await?;
        pool.close().await;
    } else {
        let mut conn = PgConnectOptions::from_str(url)?
            .disable_statement_logging()
            .connect()
            .await?;
        let login: String = sqlx::query_scalar("select session_user::text")
            .fetch_one(&mut conn)
            .await?;
        if options.app_role.as_deref() == Some(login.as_str()) {
            // The app's own login owns nothing and can migrate nothing: it may start only on a
            // schema an owner brought up to date.
            return check_up_to_date(&mut conn).await;
        }
        POSTGRES_MIGRATIONS.run(&mut conn).await?;
        if let Some(role) = &options.app_role {
            grant_app_role(&mut conn, role).await?;
        }
    }
    Ok(())
}

async fn check_up_to_date(conn: &mut sqlx::PgConnection) -> Result<(), StoreError> {
    let latest = POSTGRES_MIGRATIONS.iter().map(|m| m.version).max();
    let applied: Option<i64> =
        sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(&mut *conn)
            .await
            .ok()
            .flatten();
    if applied < latest {
        return Err(StoreError::Database(sqlx::Error::Configuration(
            format!(
                "the schema is at migration {} of {}; the app's login cannot migrate it: run \
                 `vaern migrate` with VAERN_MIGRATE_URL set to the schema owner's login",
                applied.unwrap_or(0),
                latest.unwrap_or(0)
            )
            .into(),
        )));
    }
    Ok(())
}

/// Creates the app role if missing (as a login, so the app can log in as it and has no other
/// role to return to) and grants it what the application needs: read/write on the
/// tables, but only select/insert on the append-only journal and access log.
async fn grant_app_role(conn: &mut sqlx::PgConnection, role: &str) -> Result<(), StoreError> {
    let ident = quote_ident(role);
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_roles where rolname = $1)")
            .bind(role)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        // Roles are cluster-wide: a concurrent creator may win the race, which is fine.
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(format!("create role {ident} login")))
            .execute(&mut *conn)
            .await
        {
            let raced = matches!(&error, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") || db.code().as_deref() == Some("42710"));
            if !raced {
                return Err(error.into());
            }
        }
    } else {
        // Made by an older Værn as `nologin`. A migrating login without CREATEROLE cannot
        // change that; the app's connection then fails with PostgreSQL's own «not permitted to
        // log in», and the operator grants login by hand (docs/operations.md).
        let can_login: bool =
            sqlx::query_scalar("select rolcanlogin from pg_roles where rolname = $1")
                .bind(role)
                .fetch_one(&mut *conn)
                .await?;
        if !can_login {
            let _ = sqlx::raw_sql(AssertSqlSafe(format!("alter role {ident} login")))
                .execute(&mut *conn)
                .await;
        }
    }
    for statement in [
        format!("grant usage on schema public to {ident}"),
        format!("grant select, insert, update, delete on all tables in schema public to {ident}"),
        format!(
            "revoke update, delete on journal_entries, access_log, admin_events, document_versions, letter_templates from {ident}"
        ),
        format!("grant {ident} to current_user"),
    ] {
        // `grant … to current_user` fails harmlessly for a superuser who is already a member.
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(statement.clone()))
            .execute(&mut *conn)
            .await
            && !statement.ends_with("current_user")
        {
            return Err(error.into());
        }
    }
    Ok(())
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
