#![doc = include_str!("../README.md")]

mod db;
mod error;
mod group_commit;
mod ids;
mod tenant;

pub mod access_log;
pub mod address_book;
pub mod admin_log;
pub mod auth;
pub mod budgets;
pub mod bulk;
pub mod children;
pub mod deadlines;
pub mod decisions;
pub mod documents;
pub mod investigations;
pub mod jobs;
pub mod journal;
pub mod letter_templates;
pub mod measures;
pub mod municipalities;
pub mod municipality_settings;
pub mod network;
pub mod notifications;
pub mod offers;
pub mod payments;
pub mod plans;
pub mod register;
pub mod saml;
pub mod sub_cases;
pub mod users;

pub use db::{DEFAULT_APP_ROLE, Db, DbOptions, Pool, migrate};
pub use error::StoreError;
pub use ids::*;
pub use tenant::{AuthTx, GlobalTx, TenantTx, Tx};

static QUERIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Statements sent to the database since start (for `/metrics` and the N+1 checks).
pub fn queries() -> u64 {
    QUERIES.load(std::sync::atomic::Ordering::Relaxed)
}

tokio::task_local! {
    /// Statements of the task running inside [`counting`].
    static TASK_QUERIES: std::cell::Cell<u64>;
}

/// Counts `n` statements; the `on!` macro calls it for each block it runs.
#[doc(hidden)]
pub fn count_queries(n: u64) {
    QUERIES.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    let _ = TASK_QUERIES.try_with(|count| count.set(count.get() + n));
}

/// Runs `work` and counts the statements it sends itself: unlike [`queries`], what other tasks
/// send meanwhile (background jobs, other requests, the access log's group commit) is not
/// counted, so the number is the same on every run.
pub async fn counting<F: std::future::Future>(work: F) -> (F::Output, u64) {
    TASK_QUERIES
        .scope(std::cell::Cell::new(0), async {
            let output = work.await;
            (output, TASK_QUERIES.with(std::cell::Cell::get))
        })
        .await
}

/// The same instant in UTC. Every instant is stored in UTC: SQLite keeps timestamps as text, so
/// mixed offsets would sort and compare wrongly (and PostgreSQL returns UTC anyway).
pub fn utc(at: time::OffsetDateTime) -> time::OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
}

/// The environment variable that shifts Værn's clock from the machine's, in whole seconds.
pub const CLOCK_SHIFT_VAR: &str = "VAERN_CLOCK_SHIFT";

/// How far Værn's clock runs ahead of (or, negative, behind) the machine's: `VAERN_CLOCK_SHIFT`
/// seconds, read once per process. It lets the whole test suite, server processes included, run
/// as if on another date (a year's end, a leap day) while time still passes, and a training
/// environment run on a date of its own. Every "now" in Værn comes from [`now`], so nothing can
/// disagree with it. A value that is not a number stops the process rather than run on a date
/// nobody asked for.
pub fn clock_shift() -> time::Duration {
    static SHIFT: std::sync::OnceLock<time::Duration> = std::sync::OnceLock::new();
    *SHIFT.get_or_init(|| match std::env::var(CLOCK_SHIFT_VAR) {
        Ok(value) if !value.trim().is_empty() => match value.trim().parse::<i64>() {
            Ok(seconds) => time::Duration::seconds(seconds),
            Err(_) => panic!("{CLOCK_SHIFT_VAR} must be whole seconds, not {value:?}"),
        },
        _ => time::Duration::ZERO,
    })
}

/// Now, truncated to microseconds so values round-trip identically through both databases.
pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc() + clock_shift();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .expect("a truncated nanosecond is valid")
}
