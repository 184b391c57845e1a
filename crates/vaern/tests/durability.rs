//! An acknowledged write is committed before the reply, so it survives the server process dying.
//!
//! The test kills the `vaern serve` process with SIGKILL (no graceful shutdown, no flush in the
//! process) in the middle of a burst of journal writes (`POST …/journal`, answered 201) and of
//! journal reads (`GET …/journal`, answered 200, each access-logged through the group commit).
//! After a restart every note answered 201 must be stored, and the access log must hold at least
//! one row per read answered 200.
//!
//! What this proves, and what it does not: the server answers only after the database commit has
//! returned (the journal entry in the use case's transaction, the access-log rows through the
//! group commit), and a committed transaction outlives the process that made it. Killing a
//! process leaves the operating system's page cache intact, so whatever the process had handed to
//! the kernel survives whether or not it was ever fsynced: this test passes just as well with
//! SQLite's `synchronous=OFF` as with `FULL`, and says nothing about power loss or a kernel
//! crash. That `synchronous=FULL` (and WAL) is set on every SQLite connection is checked by
//! vaern-store's conformance test `sqlite_connections_use_wal_full_sync_and_foreign_keys`; on
//! PostgreSQL a crash of the database server itself is exercised by `tests/pg_restart.rs`.

mod common;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Caseworker, Outcome, Server};
use serde_json::json;
use vaern_testkit::TestDb;

/// How many acknowledged writes and reads the burst must reach before the kill.
const WRITES: usize = 150;
const READS: usize = 50;
/// How long the burst may take to reach them.
const BURST_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_and_logged_read_survives_sigkill() {
    let test = TestDb::new().await;
    let mut server = Server::start(&test.url, "warn").await;
    let caseworker = Caseworker::sign_in(&test.url, &server, Duration::from_secs(30)).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let reads = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    // Workers 0 to 7 write, 8 to 11 read.
    for worker in 0..12 {
        let writes = worker < 8;
        let (caseworker, acknowledged, reads, failures) = (
            caseworker.clone(),
            acknowledged.clone(),
            reads.clone(),
            failures.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for n in 0..100_000 {
                let note = writes.then(|| {
                    json!({"title": format!("Skriver {worker} nr. {n}"), "text": "Holdbarhedstest"})
                });
                match caseworker.journal(note.as_ref()).await {
                    Outcome::Written(id) => acknowledged.lock().unwrap().push(id),
                    Outcome::Read => {
                        reads.fetch_add(1, Ordering::SeqCst);
                    }
                    Outcome::Answered(line) => {
                        let method = if writes { "POST" } else { "GET" };
                        failures.lock().unwrap().push(format!("{method} {line}"));
                    }
                    // The server is gone, perhaps killed while a body was on its way.
                    Outcome::Unanswered(_error) => break,
                }
            }
        }));
    }
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (written, read) = (
            acknowledged.lock().unwrap().len(),
            reads.load(Ordering::SeqCst),
        );
        if written >= WRITES && read >= READS {
            break;
        }
        if started.elapsed() > BURST_TIMEOUT {
            panic!(
                "the burst reached only {written} of {WRITES} acknowledged writes and {read} of \
                 {READS} acknowledged reads in {BURST_TIMEOUT:?}; failures: {:?}",
                failures.lock().unwrap()
            );
        }
    }
    server.kill();
    // Counted after the kill: a read counted later was still answered 200 before it.
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("a client task did not stop after the kill")
            .unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "requests failed before the kill: {failures:?}"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    let read = reads.load(Ordering::SeqCst);
    assert!(acknowledged.len() >= WRITES && read >= READS);

    test.db.close().await;
    caseworker
        .assert_stored(&test.url, acknowledged.iter(), read)
        .await;
}
