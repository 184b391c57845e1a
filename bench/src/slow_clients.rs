//! The slow-client storm of issue 17: opens many connections to `vaern serve` that send nothing
//! or half a request head, and reports the server's resident memory before, during and after,
//! how many of them it closed on its own, and whether it still answers meanwhile.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::load::Server;

pub struct Options {
    pub vaern: String,
    pub connections: usize,
    pub header_timeout_secs: u64,
    pub port: u16,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("slow.db").display());
    let timeout = options.header_timeout_secs.to_string();
    let server = Server::start(
        &options.vaern,
        &database,
        options.port,
        &[("VAERN_HEADER_TIMEOUT_SECS", &timeout)],
    )
    .await?;
    let address = format!("127.0.0.1:{}", options.port);
    let before = server.rss_mib();

    let opened = Instant::now();
    let mut storm = Vec::with_capacity(options.connections);
    let mut refused = 0;
    for i in 0..options.connections {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(&address)).await {
            Ok(Ok(mut stream)) => {
                // Half send a partial head (slowloris), half nothing at all.
                if i % 2 == 0 {
                    let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: vaern\r\n").await;
                }
                storm.push(stream);
            }
            _ => refused += 1,
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = server.rss_mib();
    let probe = reqwest::Client::new();
    let asked = Instant::now();
    let answered = probe
        .get(format!("http://{address}/healthz"))
        .timeout(Duration::from_secs(options.header_timeout_secs * 3 + 10))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    let healthz_wait = asked.elapsed();

    // Every connection the server accepted must be closed by it within the timeout; those
    // still in the accept queue are accepted and closed in turn.
    let deadline = options.header_timeout_secs * (options.connections as u64 / 1_000 + 2) + 10;
    let mut closed = 0;
    let mut reads = Vec::with_capacity(storm.len());
    for mut stream in storm {
        reads.push(tokio::spawn(async move {
            let mut sink = Vec::new();
            tokio::time::timeout(Duration::from_secs(deadline), stream.read_to_end(&mut sink))
                .await
                .is_ok()
        }));
    }
    for read in reads {
        if read.await? {
            closed += 1;
        }
    }
    let all_closed_after = opened.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = server.rss_mib();
    println!(
        "slow-client storm: {} connections opened ({refused} refused or timed out), header timeout {} s",
        options.connections - refused,
        options.header_timeout_secs
    );
    println!(
        "server RSS: before {before:.0} MiB, during {during:.0} MiB, after {after:.0} MiB, peak {:.0} MiB",
        server.peak_rss_mib()
    );
    println!(
        "closed by the server: {closed} of {} within {:.1} s; /healthz during the storm: {} after {:.2} s",
        options.connections - refused,
        all_closed_after.as_secs_f64(),
        if answered { "answered" } else { "NOT answered" },
        healthz_wait.as_secs_f64()
    );
    anyhow::ensure!(
        closed == options.connections - refused,
        "the server left connections open"
    );
    Ok(())
}
