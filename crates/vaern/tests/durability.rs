//! An acknowledged write survives a crash: the server process is killed with SIGKILL in the
//! middle of a burst of journal writes, and every note the API answered 201 for must be in the
//! database afterwards (SQLite: WAL + synchronous=FULL; PostgreSQL: commit before reply).

use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use vaern_store::{JournalEntryId, municipalities};
use vaern_testkit::TestDb;

fn vaern(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vaern"));
    command
        .env("DATABASE_URL", url)
        .env("VAERN_CONFIG", "/nonexistent/vaern.toml")
        .env("RUST_LOG", "warn");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_sigkill() {
    let test = TestDb::new().await;
    let port = free_port();
    let mut server = Server(
        vaern(&test.url)
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "server did not start");
    let token = String::from_utf8(
        vaern(&test.url)
            .args(["token", "create", "--username", "raadgiver901"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    assert!(token.starts_with("vaern_"), "token: {token:?}");
    let auth = format!("Bearer {token}");
    let children: Value = client
        .get(format!("{base}/api/v1/children?q=a"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let child = children["items"][0]["id"].as_str().unwrap().to_owned();

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let (client, auth, base, child, acknowledged, failures) = (
            client.clone(),
            auth.clone(),
            base.clone(),
            child.clone(),
            acknowledged.clone(),
            failures.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0..10_000 {
                let response = client
                    .post(format!("{base}/api/v1/children/{child}/journal"))
                    .header("authorization", &auth)
                    .json(&json!({"title": format!("Skriver {writer} nr. {n}"), "text": "Holdbarhedstest"}))
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status() == 201 => {
                        let body: Value = r.json().await.unwrap();
                        acknowledged.lock().unwrap().push(body["id"].as_str().unwrap().to_owned());
                    }
                    Ok(r) => {
                        let line = format!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                        failures.lock().unwrap().push(line);
                    }
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if acknowledged.lock().unwrap().len() >= 150 {
            break;
        }
    }
    server.0.kill().unwrap(); // SIGKILL: no graceful shutdown, no flush
    server.0.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "writes failed before the kill: {failures:?}"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 150);

    test.db.close().await;
    let db = vaern_store::Db::connect(&test.url, &vaern_store::DbOptions::default())
        .await
        .unwrap();
    let mut g = db.global().await.unwrap();
    let municipality = municipalities::by_code(&mut g, "901").await.unwrap().id;
    g.commit().await.unwrap();
    let mut tx = db.tenant(municipality).await.unwrap();
    let mut missing = Vec::new();
    for id in &acknowledged {
        let id: JournalEntryId = id.parse().unwrap();
        if vaern_store::journal::get(&mut tx, id).await.is_err() {
            missing.push(id);
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged notes lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
}
