//! What the crash tests `durability.rs` and `pg_restart.rs` share: a `vaern serve --demo`
//! process on a port the kernel chose, the demo caseworker writing and reading one child's
//! journal through the API, and the check, on a fresh connection, that every note answered 201
//! is stored and every read answered 200 has its access-log row.
//!
//! Each test binary uses all of it (an item only one of them needs stays in that test), so the
//! module compiles without dead code in either.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;
use vaern_store::{
    ChildId, JournalEntryId, UserId,
    access_log::{self, AccessKind},
    municipalities,
};

/// The `vaern` binary on the database at `url`, with no configuration file.
pub fn vaern(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vaern"));
    command
        .env("DATABASE_URL", url)
        .env("VAERN_CONFIG", "/nonexistent/vaern.toml")
        .env("RUST_LOG", "warn");
    command
}

/// A running `vaern serve --demo` on a port the kernel chose; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`, as the server printed it.
    pub base: String,
}

impl Server {
    /// Starts the server on `127.0.0.1:0` with `RUST_LOG=rust_log` and reads the address it is
    /// bound to from the line it prints on stdout, so no port is chosen before the server holds
    /// it.
    pub async fn start(url: &str, rust_log: &str) -> Server {
        let mut child = vaern(url)
            .env("RUST_LOG", rust_log)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start vaern serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, address) = std::sync::mpsc::channel();
        // Reads stdout to its end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some((_, rest)) = line.split_once("Værn kører på ")
                    && let Some(url) = rest.split_whitespace().next()
                {
                    let _ = found.send(url.trim_end_matches('/').to_owned());
                }
            }
        });
        let waited =
            tokio::task::spawn_blocking(move || address.recv_timeout(Duration::from_secs(120)))
                .await
                .unwrap();
        let base = match waited {
            Ok(base) => base,
            Err(error) => {
                let status = child.try_wait();
                let _ = child.kill();
                panic!(
                    "vaern serve printed no «Værn kører på http://…» line within 120 s \
                     ({error}; exit status: {status:?})"
                );
            }
        };
        assert!(
            base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
            "the server must print the address it is bound to, got {base:?}"
        );
        Server { child, base }
    }

    /// SIGKILL: no graceful shutdown, no flush.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An API token for `username`, made with `vaern token create`.
pub fn token(url: &str, username: &str) -> String {
    let output = vaern(url)
        .args(["token", "create", "--username", username])
        .output()
        .unwrap();
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("vaern_"), "token: {token:?}");
    token
}

/// The demo caseworker `raadgiver901`, signed in to the API of a running server, and the journal
/// of the first child her search for «a» finds.
#[derive(Clone)]
pub struct Caseworker {
    client: reqwest::Client,
    /// `Bearer vaern_…`.
    auth: String,
    pub user: UserId,
    pub child: ChildId,
    /// `…/api/v1/children/<child>/journal`.
    journal: String,
}

/// How one journal request went.
pub enum Outcome {
    /// A note answered 201, with its id.
    Written(String),
    /// A read answered 200: the status line is sent only once the read's access-log row is
    /// committed.
    Read,
    /// Any other answer, as `status: body`.
    Answered(String),
    /// No answer (connection refused, reset or timed out), or a 201 whose body was lost.
    Unanswered(String),
}

impl Caseworker {
    /// Signs in with a token made by the CLI on `url`; every request may take up to `timeout`.
    pub async fn sign_in(url: &str, server: &Server, timeout: Duration) -> Caseworker {
        let base = &server.base;
        let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
        let auth = format!("Bearer {}", token(url, "raadgiver901"));
        let get_json = async |url: String| {
            let response = client
                .get(&url)
                .header("authorization", &auth)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "GET {url}");
            response.json::<Value>().await.unwrap()
        };
        let me = get_json(format!("{base}/api/v1/me")).await;
        let user = me["id"].as_str().unwrap().parse().unwrap();
        let children = get_json(format!("{base}/api/v1/children?q=a")).await;
        let child = children["items"][0]["id"].as_str().unwrap().to_owned();
        let journal = format!("{base}/api/v1/children/{child}/journal");
        Caseworker {
            client,
            auth,
            user,
            child: child.parse().unwrap(),
            journal,
        }
    }

    /// Writes `note` to the child's journal (`POST`, answered 201), or reads the journal when
    /// `note` is `None` (`GET`, answered 200).
    pub async fn journal(&self, note: Option<&Value>) -> Outcome {
        let request = match note {
            Some(note) => self.client.post(&self.journal).json(note),
            None => self.client.get(&self.journal),
        };
        match request.header("authorization", &self.auth).send().await {
            Ok(r) if note.is_some() && r.status() == 201 => match r.json::<Value>().await {
                Ok(body) => Outcome::Written(body["id"].as_str().unwrap().to_owned()),
                Err(error) => Outcome::Unanswered(format!("201 without its body: {error}")),
            },
            Ok(r) if note.is_none() && r.status() == 200 => Outcome::Read,
            Ok(r) => Outcome::Answered(format!(
                "{}: {}",
                r.status(),
                r.text().await.unwrap_or_default()
            )),
            Err(error) => Outcome::Unanswered(error.to_string()),
        }
    }

    /// Opens the database at `url` afresh and asserts that every note in `written` is stored and
    /// that the access log holds at least `reads` rows of this caseworker reading the child's
    /// journal.
    pub async fn assert_stored<'a>(
        &self,
        url: &str,
        written: impl ExactSizeIterator<Item = &'a String>,
        reads: usize,
    ) {
        let db = vaern_store::Db::connect(url, &vaern_store::DbOptions::default())
            .await
            .unwrap();
        let mut g = db.global().await.unwrap();
        let municipality = municipalities::by_code(&mut g, "901").await.unwrap().id;
        g.commit().await.unwrap();
        let mut tx = db.tenant(municipality).await.unwrap();
        let total = written.len();
        let mut missing = Vec::new();
        for id in written {
            let id: JournalEntryId = id.parse().unwrap();
            if vaern_store::journal::get(&mut tx, id).await.is_err() {
                missing.push(id);
            }
        }
        assert!(
            missing.is_empty(),
            "{} of {total} notes answered 201 are not in the database: {missing:?}",
            missing.len(),
        );
        let logged = access_log::list(
            &mut tx,
            &access_log::Filter {
                user: Some(self.user),
                person: Some(self.child),
                kind: Some(AccessKind::ApiRead),
                ..Default::default()
            },
            access_log::EXPORT_LIMIT,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.detail == "Journal")
        .count();
        assert!(
            logged >= reads,
            "{reads} journal reads were answered 200 but only {logged} access-log rows were stored"
        );
        tx.commit().await.unwrap();
        db.close().await;
    }
}
