//! The server's own limits (issue 17, medium): a client that connects and sends nothing, or a
//! request head a byte at a time, is cut off after the header timeout, and no more connections
//! than the limit are served at once. Before, such connections stayed open for ever.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use vaern_web::ServerLimits;

use crate::common::TestApp;

const LIMITS: ServerLimits = ServerLimits {
    header_timeout: Duration::from_secs(1),
    max_connections: 2,
};

/// A guard for the test, not a measurement: far above the header timeout, so only a server that
/// never closes the connection reaches it.
const NEVER: Duration = Duration::from_secs(15);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; what it sent on the way.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    tokio::time::timeout(NEVER, stream.read_to_end(&mut seen))
        .await
        .expect("the server closes a connection whose head never comes")
        .ok();
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_connection_that_sends_nothing_or_half_a_head_is_closed() {
    let app = TestApp::spawn_with(LIMITS).await;
    let mut silent = connect(&app).await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: vaern\r\nX-Langsom: ")
        .await
        .unwrap();
    until_closed(&mut silent).await;
    let answer = until_closed(&mut slow).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn no_more_connections_than_the_limit_are_served_at_once() {
    let app = TestApp::spawn_with(ServerLimits {
        header_timeout: Duration::from_secs(3),
        ..LIMITS
    })
    .await;
    let _held: Vec<TcpStream> = vec![connect(&app).await, connect(&app).await];
    let client = reqwest::Client::new();
    let waiting = client
        .get(app.url("/healthz"))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(
        waiting.is_err(),
        "a third connection waits while two are held"
    );
    // The held connections send nothing, so the header timeout frees their places.
    let served = client
        .get(app.url("/healthz"))
        .timeout(NEVER)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), reqwest::StatusCode::OK);
}

/// A client that sends a head and then stops halfway through its body is cut off after the
/// header timeout too; before, the handler waited for the rest for ever.
#[tokio::test]
async fn a_body_that_stops_coming_is_cut_off() {
    let app = TestApp::spawn_with(LIMITS).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: vaern\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nusername=ra",
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
}
