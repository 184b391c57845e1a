//! PostgreSQL crashes under load, and Værn neither loses an acknowledged write nor stays down.
//!
//! While `vaern serve` answers a stream of journal writes and access-logged journal reads, the
//! PostgreSQL server is restarted with `pg_ctlcluster … restart -m immediate`: every backend is
//! killed without a checkpoint, and the server replays its WAL on start, as after a crash. Every
//! note answered 201 (before, during or after the restart) must then be in the database, every
//! read answered 200 must have its access-log row, a request that failed must have failed
//! cleanly (a 5xx answer or a broken connection, never a 2xx or 4xx), and writes and reads sent
//! after the server is back must succeed again within [`RECOVERY`].
//!
//! The restart takes down every database of the cluster, so this test lives in a binary of its
//! own: cargo runs test binaries one at a time, so no other test is using PostgreSQL meanwhile
//! (a second `cargo test` run on the same server at the same time would see its connections
//! dropped). It needs the cluster to be a local Debian cluster (`pg_ctlcluster`) serving the port
//! of `TEST_DATABASE_URL`, and permission to restart it (root or the postgres user). On SQLite
//! it is skipped.

mod common;

use std::{
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Caseworker, Outcome, Server};
use serde_json::json;
use vaern_testkit::TestDb;

/// How long Værn may take to answer writes again once PostgreSQL accepts connections.
const RECOVERY: Duration = Duration::from_secs(30);

/// The newest PostgreSQL version with a Debian cluster (`ls /etc/postgresql | sort -V | tail -1`).
fn cluster_version() -> Option<String> {
    std::fs::read_dir("/etc/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let key: Vec<u32> = name
                .split('.')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            Some((key, name))
        })
        .max()
        .map(|(_, name)| name)
}

/// The port of cluster `version`/main, from `pg_lsclusters`.
fn cluster_port(version: &str) -> Option<u16> {
    let output = Command::new("pg_lsclusters").arg("-h").output().ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [v, "main", port, ..] if *v == version => port.parse().ok(),
                _ => None,
            }
        })
}

/// The port `TEST_DATABASE_URL` connects to.
fn url_port(url: &str) -> u16 {
    let authority = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_port
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or(5432)
}

fn pg_isready(port: u16) -> bool {
    Command::new("pg_isready")
        .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// How many failures, and each distinct one once (at most five).
fn summary<'a>(lines: impl Iterator<Item = &'a String>) -> String {
    let mut distinct: Vec<&String> = Vec::new();
    let mut total = 0;
    for line in lines {
        total += 1;
        if !distinct.contains(&line) {
            distinct.push(line);
        }
    }
    let shown: Vec<&String> = distinct.iter().copied().take(5).collect();
    format!("{total}, of which {} distinct: {shown:?}", distinct.len())
}

/// What the clients saw, with when each request was sent.
#[derive(Default)]
struct Log {
    /// Notes answered 201.
    written: Vec<(Instant, String)>,
    /// Reads answered 200.
    read: Vec<Instant>,
    /// Answers that were neither, as `status: body`.
    answered: Vec<(Instant, String)>,
    /// Requests with no answer (connection refused, reset or timed out).
    unanswered: Vec<(Instant, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_immediate_postgres_restart_loses_no_acknowledged_write_and_the_app_recovers() {
    const TEST: &str =
        "an_immediate_postgres_restart_loses_no_acknowledged_write_and_the_app_recovers";
    if vaern_testkit::skip_unless_postgres(TEST, "restarts the PostgreSQL server") {
        return;
    }
    let Some(version) = cluster_version() else {
        vaern_testkit::skip(TEST, "no Debian PostgreSQL cluster in /etc/postgresql");
        return;
    };
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let port = url_port(&admin_url);
    if cluster_port(&version) != Some(port) {
        vaern_testkit::skip(
            TEST,
            &format!("cluster {version}/main does not serve port {port} of TEST_DATABASE_URL"),
        );
        return;
    }

    let test = TestDb::new().await;
    // Quiet: during the outage every request would log its error.
    let mut server = Server::start(&test.url, "off").await;
    let caseworker = Caseworker::sign_in(&test.url, &server, Duration::from_secs(60)).await;

    let log = Arc::new(Mutex::new(Log::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    // Many readers keep the access log's group commit busy, so the crash is likely to catch
    // it mid-commit: its writer task must survive a failed commit.
    for worker in 0..16 {
        let (caseworker, log, stop) = (caseworker.clone(), log.clone(), stop.clone());
        let writes = worker < 4;
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let sent = Instant::now();
                let note = writes.then(
                    || json!({"title": format!("Skriver {worker} nr. {n}"), "text": "Genstart"}),
                );
                let outcome = caseworker.journal(note.as_ref()).await;
                {
                    let mut log = log.lock().unwrap();
                    match outcome {
                        Outcome::Written(id) => log.written.push((sent, id)),
                        Outcome::Read => log.read.push(sent),
                        Outcome::Answered(line) => log.answered.push((sent, line)),
                        Outcome::Unanswered(line) => log.unanswered.push((sent, line)),
                    }
                }
                if sent.elapsed() < Duration::from_millis(5) {
                    // Failing fast during the outage: don't spin.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }));
    }
    let counts = |log: &Log, since: Instant| {
        (
            log.written.iter().filter(|(at, _)| *at >= since).count(),
            log.read.iter().filter(|at| **at >= since).count(),
        )
    };
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let log = log.lock().unwrap();
        let (written, read) = counts(&log, started);
        if written >= 50 && read >= 20 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "before the restart: only {written} writes and {read} reads succeeded in 60 s; \
             failures: {}",
            summary(log.answered.iter().chain(&log.unanswered).map(|(_, l)| l))
        );
    }

    let restarted = Instant::now();
    let restart = tokio::task::spawn_blocking(move || {
        Command::new("pg_ctlcluster")
            .args([
                "--skip-systemctl-redirect",
                &version,
                "main",
                "restart",
                "-m",
                "immediate",
            ])
            .output()
    })
    .await
    .unwrap()
    .expect("run pg_ctlcluster");
    assert!(
        restart.status.success(),
        "pg_ctlcluster restart failed: {}{}",
        String::from_utf8_lossy(&restart.stdout),
        String::from_utf8_lossy(&restart.stderr)
    );
    let ready_deadline = Instant::now() + Duration::from_secs(60);
    while !tokio::task::spawn_blocking(move || pg_isready(port))
        .await
        .unwrap()
    {
        assert!(
            Instant::now() < ready_deadline,
            "PostgreSQL did not accept connections within 60 s of the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let log = log.lock().unwrap();
        let (written, read) = counts(&log, ready);
        if written >= 20 && read >= 10 {
            break;
        }
        assert!(
            ready.elapsed() < RECOVERY,
            "Værn did not recover within {RECOVERY:?} of PostgreSQL accepting connections: \
             {written} writes and {read} reads sent since succeeded; failures since: {}",
            summary(
                log.answered
                    .iter()
                    .chain(&log.unanswered)
                    .filter(|(at, _)| *at >= ready)
                    .map(|(_, line)| line)
            )
        );
    }
    let recovered = ready.elapsed();
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(90), task)
            .await
            .expect("a client task did not stop")
            .unwrap();
    }
    server.kill();
    let log = Arc::try_unwrap(log)
        .ok()
        .expect("the tasks have ended")
        .into_inner()
        .unwrap();

    // Failing cleanly: a server error or no answer, never a client error or another success.
    let unclean: Vec<&String> = log
        .answered
        .iter()
        .map(|(_, line)| line)
        .filter(|line| !line.starts_with('5'))
        .collect();
    assert!(
        unclean.is_empty(),
        "requests during the restart were answered neither with success nor a 5xx: {}",
        summary(unclean.into_iter())
    );
    std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "pg_restart: {} writes and {} reads succeeded, {} answered with a 5xx, {} unanswered; \
             restart took {:?}, Værn answered again {recovered:?} after PostgreSQL did\n",
            log.written.len(),
            log.read.len(),
            log.answered.len(),
            log.unanswered.len(),
            ready - restarted,
        )
        .as_bytes(),
    )
    .unwrap();

    caseworker
        .assert_stored(
            &test.url,
            log.written.iter().map(|(_, id)| id),
            log.read.len(),
        )
        .await;
    test.db.close().await;
}
