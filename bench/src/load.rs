//! The load test of issue 8: starts `vaern serve` on a generated database (timing its start-up),
//! measures the `/healthz` ceiling, then drives a mix of simulated users — caseworkers through a
//! day's pages (Mit overblik, search, a child, the journal, a note, a sub-case and one of its
//! steps, the measures tab)
//! and team leads through the team's cases and the economy report — at a fixed concurrency,
//! and reports latency percentiles and throughput per page, the server's peak memory and the
//! statements each page sends to the database.

use std::{
    collections::BTreeMap,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::Client;
use vaern_app::bench_data::{Scale, logins};
use vaern_domain::Role;

/// Latencies per page label.
type Samples = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

pub struct Options {
    pub vaern: String,
    pub database: String,
    pub scale: Scale,
    pub users: usize,
    pub seconds: u64,
    pub port: u16,
}

/// A `vaern serve` process, killed when dropped.
pub(crate) struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `vaern serve` on `database` at `port` with the extra environment `env`, and
    /// waits until it is ready. Its log goes to `vaern-load-server.log` in the temp folder.
    pub(crate) async fn start(
        vaern: &str,
        database: &str,
        port: u16,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let started = Instant::now();
        let server = Server {
            child: Command::new(vaern)
                .arg("serve")
                .env("DATABASE_URL", database)
                .env("VAERN_LISTEN", format!("127.0.0.1:{port}"))
                .env("VAERN_METRICS_TOKEN", METRICS_TOKEN)
                .env("RUST_LOG", "warn")
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(
                    std::env::temp_dir().join("vaern-load-server.log"),
                )?)
                .spawn()?,
        };
        let probe = client();
        loop {
            if probe
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub(crate) fn peak_rss_mib(&self) -> f64 {
        crate::process_status_mib(&self.child.id().to_string(), "VmHWM:")
    }

    /// Resident memory now.
    pub(crate) fn rss_mib(&self) -> f64 {
        crate::process_status_mib(&self.child.id().to_string(), "VmRSS:")
    }
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()
        .expect("client")
}

/// The first `name="csrf" value="…"` of a page.
fn csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + 19;
    html[at..].split('"').next().map(str::to_owned)
}

/// Every distinct `prefix<uuid>` in a page.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = html
        .match_indices(prefix)
        .filter_map(|(at, _)| html.get(at..at + prefix.len() + 36))
        .filter(|l| {
            l[prefix.len()..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-')
        })
        .map(str::to_owned)
        .collect();
    found.dedup();
    found
}

async fn login(client: &Client, base: &str, username: &str) -> anyhow::Result<()> {
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf(&form).ok_or_else(|| anyhow::anyhow!("no csrf on the login page"))?;
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", vaern_app::demo::DEMO_PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == 303,
        "{username} could not log in: {}",
        response.status()
    );
    Ok(())
}

fn record(samples: &Samples, label: &'static str, took: Duration) {
    samples
        .lock()
        .expect("samples")
        .entry(label)
        .or_default()
        .push(took);
}

/// One timed request; the page's text. A server error or a refusal stops the run: the mix
/// must measure pages, not error pages.
async fn timed(
    samples: &Samples,
    label: &'static str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await?;
    let took = started.elapsed();
    anyhow::ensure!(
        status.is_success() || status.is_redirection(),
        "{label}: {status}"
    );
    // A write answers with a redirect to the page it changed; a redirect to the login page is a
    // lost session, not a page.
    anyhow::ensure!(
        !is_login_redirect(status, &location),
        "{label}: {status} to the login page ({location})"
    );
    record(samples, label, took);
    Ok(text)
}

/// Whether an answer sends the client to log in.
fn is_login_redirect(status: reqwest::StatusCode, location: &str) -> bool {
    status.is_redirection() && (location == "/login" || location.starts_with("/login?"))
}

/// The first step on a sub-case page that the plain «Gennemført» button finishes: the 24-hour
/// assessment and the second review have forms of their own.
fn step_to_finish(page: &str) -> Option<String> {
    page.match_indices("action=\"/boern/")
        .filter_map(|(at, _)| page[at + 8..].split('"').next())
        .find(|action| {
            action.contains("/skridt/")
                && !action.ends_with("/vurdering_24t")
                && !action.ends_with("/genvurdering_ny_person")
        })
        .map(str::to_owned)
}

/// A caseworker's round: overview, search, a child, its journal, a note, a sub-case and a step,
/// measures.
async fn caseworker_round(
    client: &Client,
    base: &str,
    samples: &Samples,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let overview = timed(samples, "Mit overblik", client.get(format!("{base}/"))).await?;
    let names = ["Emma", "Noah", "Ida", "Oscar", "Freja", "Nielsen", "Hansen"];
    let q = names[rng.random_range(0..names.len())];
    timed(
        samples,
        "Søgning",
        client.get(format!("{base}/boern?q={q}")),
    )
    .await?;
    let children = links(&overview, "/boern/");
    let Some(child) = children.get(rng.random_range(0..children.len().max(1))) else {
        return Ok(());
    };
    let page = timed(
        samples,
        "Barnets overblik",
        client.get(format!("{base}{child}/overblik")),
    )
    .await?;
    let journal = timed(
        samples,
        "Journal",
        client.get(format!("{base}{child}/journal")),
    )
    .await?;
    if rng.random_range(0..4) == 0 {
        let token = csrf(&journal).unwrap_or_default();
        timed(
            samples,
            "Skriv notat",
            client.post(format!("{base}{child}/journal")).form(&[
                ("csrf", token.as_str()),
                ("title", "Samtale med mor"),
                ("text", "Mor fortæller, at det går bedre i skolen."),
            ]),
        )
        .await?;
    }
    if let Some(sub) = links(&page, &format!("{child}/delsager/")).first() {
        let sub_case = timed(samples, "Delsag", client.get(format!("{base}{sub}"))).await?;
        if let Some(step) = step_to_finish(&sub_case) {
            let token = csrf(&sub_case).unwrap_or_default();
            timed(
                samples,
                "Gennemfør skridt",
                client.post(format!("{base}{step}")).form(&[
                    ("csrf", token.as_str()),
                    ("action", "done"),
                    ("note", "Gennemført under belastningstest"),
                ]),
            )
            .await?;
        }
    }
    timed(
        samples,
        "Indsatser og økonomi",
        client.get(format!("{base}{child}/indsatser")),
    )
    .await?;
    Ok(())
}

/// A team lead's round: the team's cases and the economy report.
async fn lead_round(client: &Client, base: &str, samples: &Samples) -> anyhow::Result<()> {
    timed(samples, "Teamets sager", client.get(format!("{base}/team"))).await?;
    timed(
        samples,
        "Økonomirapport",
        client.get(format!("{base}/oekonomi")),
    )
    .await?;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The token the load test's own server is started with, to read its statement counter.
const METRICS_TOKEN: &str = "vaern-bench-metrics";

async fn queries(client: &Client, base: &str) -> anyhow::Result<u64> {
    let metrics = client
        .get(format!("{base}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await?
        .text()
        .await?;
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("vaern_db_queries_total "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no vaern_db_queries_total in /metrics"))
}

/// Runs the load test; the server's log goes to `vaern-load-server.log` in the temp folder.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let base = format!("http://127.0.0.1:{}", options.port);
    let started = Instant::now();
    let server = Server::start(&options.vaern, &options.database, options.port, &[]).await?;
    let startup = started.elapsed();
    let backend = if options.database.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    println!("start-up ({backend}): {:.2} s", startup.as_secs_f64());

    // Statements per page, one user alone.
    let all = logins(options.scale);
    let caseworkers: Vec<&String> = all
        .iter()
        .filter(|(_, r)| *r == Role::Caseworker)
        .map(|(u, _)| u)
        .collect();
    let leads: Vec<&String> = all
        .iter()
        .filter(|(_, r)| *r == Role::TeamLead)
        .map(|(u, _)| u)
        .collect();
    let solo = client();
    login(&solo, &base, caseworkers[0]).await?;
    let overview = solo.get(format!("{base}/")).send().await?.text().await?;
    if let Some(child) = links(&overview, "/boern/").first() {
        for (label, path) in [
            ("Mit overblik", "/".to_owned()),
            ("Barnets overblik", format!("{child}/overblik")),
            ("Journal", format!("{child}/journal")),
            ("Indsatser og økonomi", format!("{child}/indsatser")),
        ] {
            let before = queries(&solo, &base).await?;
            solo.get(format!("{base}{path}"))
                .send()
                .await?
                .text()
                .await?;
            let after = queries(&solo, &base).await?;
            println!("statements ({backend}): {label}: {}", after - before);
        }
    }

    // The ceiling: /healthz with the same client and concurrency.
    let ceiling = {
        let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let until = Instant::now() + Duration::from_secs(options.seconds.min(10));
        let mut tasks = Vec::new();
        for _ in 0..options.users {
            let (count, base) = (count.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let c = client();
                while Instant::now() < until {
                    if c.get(format!("{base}/healthz")).send().await.is_ok() {
                        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        count.load(std::sync::atomic::Ordering::Relaxed) as f64 / options.seconds.min(10) as f64
    };

    // The mix: one in ten simulated users is a team lead.
    let samples: Samples = Arc::default();
    let mut tasks = Vec::new();
    let until = Instant::now() + Duration::from_secs(options.seconds);
    for i in 0..options.users {
        let lead = i % 10 == 9;
        let username = if lead {
            leads[i % leads.len()].clone()
        } else {
            caseworkers[(i * 7) % caseworkers.len()].clone()
        };
        let (samples, base) = (samples.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut rng = StdRng::seed_from_u64(i as u64);
            let started = Instant::now();
            login(&c, &base, &username).await?;
            record(&samples, "Log ind", started.elapsed());
            while Instant::now() < until {
                if lead {
                    lead_round(&c, &base, &samples).await?;
                } else {
                    caseworker_round(&c, &base, &samples, &mut rng).await?;
                }
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let rss = server.peak_rss_mib();
    let samples = samples.lock().expect("samples");
    let seconds = options.seconds as f64;
    let total: usize = samples.values().map(Vec::len).sum();
    println!("| database | users | page | requests | p50 ms | p95 ms | p99 ms | req/s |");
    println!("|---|---|---|---|---|---|---|---|");
    for (label, list) in samples.iter() {
        let mut sorted = list.clone();
        sorted.sort();
        println!(
            "| {backend} | {} | {label} | {} | {} | {} | {} | {:.0} |",
            options.users,
            sorted.len(),
            ms(percentile(&sorted, 0.5)),
            ms(percentile(&sorted, 0.95)),
            ms(percentile(&sorted, 0.99)),
            sorted.len() as f64 / seconds
        );
    }
    let mixed = total as f64 / seconds;
    println!(
        "| {backend} | {} | mixed | {total} | | | | {mixed:.0} ({:.0} % of the /healthz ceiling of {ceiling:.0}/s) |",
        options.users,
        mixed / ceiling * 100.0
    );
    println!(
        "peak RSS ({backend}, {} users): {rss:.0} MiB",
        options.users
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A server that answers every request with `status` and `location`; its base URL.
    async fn answering(status: &'static str, location: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let answer = format!(
                    "HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        base
    }

    async fn timed_against(status: &'static str, location: &'static str) -> anyhow::Result<String> {
        let base = answering(status, location).await;
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        timed(&Samples::default(), "Side", client.get(format!("{base}/"))).await
    }

    #[tokio::test]
    async fn a_redirect_to_the_login_page_is_a_failed_request() {
        let lost = timed_against("303 See Other", "/login?next=%2F").await;
        assert!(
            lost.is_err(),
            "a bounce to the login page counted as a page"
        );
        assert!(timed_against("303 See Other", "/login").await.is_err());
    }

    #[tokio::test]
    async fn a_redirect_after_a_write_is_a_page() {
        timed_against("303 See Other", "/boern/1/journal?besked=gemt")
            .await
            .unwrap();
        timed_against("200 OK", "/").await.unwrap();
    }
}
