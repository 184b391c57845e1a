//! The HTTP/1.1 server around the router, with the limits `axum::serve` does not set: a client
//! must send a whole request head within [`ServerLimits::header_timeout`] — also the most an
//! idle kept-alive connection waits for its next request — and no more than
//! [`ServerLimits::max_connections`] connections are served at once (the next waits in the
//! kernel's accept queue). Without them a client that opens connections and sends nothing, or
//! a header a byte at a time, held memory for ever (issue 17: 4,500 half-open connections took
//! 1.2 GB). The same timeout bounds a pause inside a request body.

use std::{
    convert::Infallible,
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, body::Bytes, extract::ConnectInfo, http::StatusCode, response::IntoResponse};
use futures_util::FutureExt;
use hyper::{
    Request,
    body::{Body, Frame, Incoming, SizeHint},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::TcpListener,
    sync::{Semaphore, watch},
    time::Sleep,
};
use tower::ServiceExt;

/// How long a client may take, and how many may be connected.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(20),
            max_connections: 1_000,
        }
    }
}

/// The largest request head, and the read buffer a connection may grow to.
const MAX_BUFFER: usize = 64 * 1024;

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a connection reset before accept: wait, go on.
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let mut request =
                    request.map(|body| StallTimeout::new(body, limits.header_timeout));
                request.extensions_mut().insert(ConnectInfo(peer));
                let router = router.clone();
                async move {
                    // A panicking handler answers 500 instead of dropping the connection
                    // without a word; its transaction rolls back as it is dropped.
                    let response = match AssertUnwindSafe(router.oneshot(request))
                        .catch_unwind()
                        .await
                    {
                        Ok(response) => response.unwrap_or_else(|never| match never {}),
                        Err(_) => {
                            tracing::error!("a request handler panicked");
                            (
                                StatusCode::INTERNAL_SERVER_ERROR,
                                "Der opstod en uventet fejl. Prøv igen, og kontakt support, hvis det gentager sig.",
                            )
                                .into_response()
                        }
                    };
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(MAX_BUFFER)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    let _ = stop.send(true);
    // Open requests finish (each connection closes after its current response).
    let _ = slots
        .acquire_many(limits.max_connections as u32)
        .await
        .map(drop);
    Ok(())
}

/// A request body that fails when no byte of it arrives for `limit`: a client that sends a
/// head and then its body a byte a minute (or not at all) held a connection and a handler for
/// ever. The clock starts when the handler first reads, so time spent before (waiting for a
/// lock, say) is not the client's.
struct StallTimeout {
    inner: Incoming,
    limit: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl StallTimeout {
    fn new(inner: Incoming, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            deadline: None,
        }
    }
}

impl Body for StallTimeout {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let limit = this.limit;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                deadline.as_mut().reset(tokio::time::Instant::now() + limit);
                Poll::Ready(frame.map(|result| result.map_err(Into::into)))
            }
            Poll::Pending => match deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err("the request body stalled".into()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn a_bug() -> &'static str {
        panic!("a bug")
    }

    #[tokio::test]
    #[allow(clippy::disallowed_methods)] // A router of the test's own, not the app's.
    async fn a_handler_that_panics_answers_500_and_the_server_goes_on() {
        let router = Router::new()
            .route("/panic", axum::routing::get(a_bug))
            .route("/ok", axum::routing::get(|| async { "ok" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(run(
            listener,
            router,
            ServerLimits::default(),
            std::future::pending(),
        ));
        let client = reqwest::Client::new();
        let failed = client.get(format!("{base}/panic")).send().await.unwrap();
        assert_eq!(failed.status(), reqwest::StatusCode::INTERNAL_SERVER_ERROR);
        assert!(failed.text().await.unwrap().contains("uventet fejl"));
        let ok = client.get(format!("{base}/ok")).send().await.unwrap();
        assert_eq!(ok.status(), reqwest::StatusCode::OK);
    }
}
