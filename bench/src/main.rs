#![doc = include_str!("../README.md")]

use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use vaern_domain::process::{RULES, WhenDue};
use vaern_store::{Db, deadlines, municipalities, sub_cases, users};
use vaern_testkit::TestDb;

mod economy;
mod load;
mod slow_clients;

#[derive(Parser)]
#[command(name = "vaern-bench", about = "Værn benchmarks (see BENCHMARKS.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed open deadlines and time the scans over them.
    Deadlines {
        /// How many open deadlines to seed.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// How many times each scan is repeated (the median is reported).
        #[arg(long, default_value_t = 21)]
        repeat: usize,
    },
    /// Generate a CPR extract of N persons and import it into the register, reporting time and
    /// peak memory.
    CprImport {
        #[arg(long, default_value_t = 100_000)]
        persons: u64,
    },
    /// Seed N running measures over N/4 children's cases, then time a mass price update (preview
    /// and apply, journalled on every case), a month's payment run, its rerun and the exports,
    /// reporting peak memory.
    Economy {
        #[arg(long, default_value_t = 20_000)]
        measures: usize,
    },
    /// Start `vaern serve` on a database filled by `vaern bench-data` and drive simulated
    /// caseworkers and team leads against it (see BENCHMARKS.md).
    Load {
        /// The vaern binary to start.
        #[arg(long, default_value = "target/release/vaern")]
        vaern: String,
        /// The database `vaern bench-data` filled.
        #[arg(long)]
        database: String,
        /// The scale it was filled at (`small` or `national`): decides the user names.
        #[arg(long, default_value = "national")]
        scale: String,
        /// Concurrent simulated users.
        #[arg(long, default_value_t = 50)]
        users: usize,
        /// How long the mix runs.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 18_181)]
        port: u16,
    },
    /// Start `vaern serve` and open many connections that send nothing or half a request head;
    /// report the server's memory before, during and after, and that it closes them all.
    SlowClients {
        #[arg(long, default_value = "target/release/vaern")]
        vaern: String,
        #[arg(long, default_value_t = 4_500)]
        connections: usize,
        #[arg(long, default_value_t = 20)]
        header_timeout_secs: u64,
        #[arg(long, default_value_t = 18_182)]
        port: u16,
    },
}

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Deadlines { count, repeat } => deadline_scan(count, repeat).await,
        Command::CprImport { persons } => cpr_import(persons).await,
        Command::Economy { measures } => economy::run(measures).await,
        Command::Load {
            vaern,
            database,
            scale,
            users,
            seconds,
            port,
        } => {
            let scale = vaern_app::bench_data::Scale::parse(&scale).map_err(anyhow::Error::msg)?;
            load::run(load::Options {
                vaern,
                database,
                scale,
                users,
                seconds,
                port,
            })
            .await
        }
        Command::SlowClients {
            vaern,
            connections,
            header_timeout_secs,
            port,
        } => {
            slow_clients::run(slow_clients::Options {
                vaern,
                connections,
                header_timeout_secs,
                port,
            })
            .await
        }
    }
}

/// A line of `/proc/self/status` in MiB, e.g. `VmHWM` (peak resident memory).
pub(crate) fn status_mib(field: &str) -> f64 {
    process_status_mib("self", field)
}

/// A line of `/proc/<process>/status` in MiB (`process` is a pid or `self`).
pub(crate) fn process_status_mib(process: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn cpr_import(persons: u64) -> anyhow::Result<()> {
    use std::io::{BufReader, BufWriter};
    let test = TestDb::new().await;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("udtraek.txt");
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    vaern_integrations::extract::generate::write_extract(
        &mut out,
        persons,
        1,
        time::macros::date!(2026 - 11 - 01),
    )?;
    drop(out);
    let size = std::fs::metadata(&path)?.len();
    let before = status_mib("VmHWM:");
    let register = vaern_integrations::register::StoredRegister::new(test.db.clone());
    let started = Instant::now();
    let report = register
        .import(BufReader::new(std::fs::File::open(&path)?), |_| {})
        .await?;
    let took = started.elapsed();
    println!(
        "| {} | {persons} | {:.1} MB | {:.1} s | {:.0} persons/s | {:.1} MiB | {:.1} MiB | {} |",
        test.db.backend(),
        size as f64 / 1e6,
        took.as_secs_f64(),
        report.persons as f64 / took.as_secs_f64(),
        before,
        status_mib("VmHWM:"),
        report.rejected
    );
    Ok(())
}

async fn deadline_scan(count: usize, repeat: usize) -> anyhow::Result<()> {
    let test = TestDb::new().await;
    let db = &test.db;
    vaern_app::demo::seed(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let backend = db.backend();
    eprintln!("{backend}: seeding {count} open deadlines …");
    let started = Instant::now();
    let (municipality, worker) = seed(db, count).await?;
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());

    let escalating: Vec<&str> = RULES
        .iter()
        .filter(|r| r.when_due == WhenDue::Escalation)
        .map(|r| r.id.code())
        .collect();
    let now = vaern_store::now();
    let mut scan = Vec::new();
    let mut found = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let mut tx = db.tenant(municipality).await?;
        found = deadlines::overdue_unescalated(&mut tx, &escalating, now)
            .await?
            .len();
        drop(tx);
        scan.push(t.elapsed());
    }
    let mut overview = Vec::new();
    let mut listed = 0;
    let end_of_week = now + time::Duration::days(7);
    for _ in 0..repeat {
        let t = Instant::now();
        let mut tx = db.tenant(municipality).await?;
        listed = deadlines::open_for_caseworker(&mut tx, worker, end_of_week)
            .await?
            .len();
        drop(tx);
        overview.push(t.elapsed());
    }
    let t = Instant::now();
    let report = vaern_app::jobs::run_once(db, "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let job = t.elapsed();

    println!(
        "| {backend} | {count} | overdue scan (escalation job's search, {found} found) | {} |",
        ms(median(scan))
    );
    println!(
        "| {backend} | {count} | a caseworker's deadlines this week ({listed} listed) | {} |",
        ms(median(overview))
    );
    println!(
        "| {backend} | {count} | one escalation run ({} escalated, journalled) | {} |",
        report.escalated,
        ms(job)
    );
    Ok(())
}

/// Spreads `count` open deadlines over sub-cases of municipality 901's children: one in ten
/// overdue on an escalating rule, the rest due over the next year on other rules.
async fn seed(
    db: &Db,
    count: usize,
) -> anyhow::Result<(vaern_store::MunicipalityId, vaern_store::UserId)> {
    let mut g = db.global().await?;
    let municipality = municipalities::by_code(&mut g, "901").await?.id;
    g.commit().await?;
    let mut tx = db.tenant(municipality).await?;
    let worker = users::list(&mut tx)
        .await?
        .into_iter()
        .find(|u| u.username == "raadgiver901")
        .expect("demo user")
        .id;
    let cases: Vec<_> = vaern_store::children::search(&mut tx, "e")
        .await?
        .into_iter()
        .filter_map(|c| c.case_id)
        .collect();
    tx.commit().await?;
    let now = vaern_store::now();
    let per_sub_case = 100;
    let mut made = 0;
    let mut n = 0usize;
    while made < count {
        let mut tx = db.tenant(municipality).await?;
        for _ in 0..20 {
            let case = cases[n % cases.len()];
            n += 1;
            let sub = sub_cases::open(
                &mut tx,
                case,
                "investigation",
                "Benchmark",
                now,
                Some(worker),
                &[],
            )
            .await?;
            for i in 0..per_sub_case.min(count - made) {
                let (rule_id, due_at) = if (made + i) % 10 == 0 {
                    (
                        vaern_domain::process::RuleId::Investigation,
                        now - time::Duration::days(1 + (i as i64 % 30)),
                    )
                } else {
                    (
                        vaern_domain::process::RuleId::FirstFollowUp,
                        now + time::Duration::hours(1 + (made + i) as i64 % 8760),
                    )
                };
                let new = deadlines::NewDeadline {
                    case,
                    sub_case: sub.id,
                    step: None,
                    rule_id,
                    trigger_at: now,
                    due_at,
                    started_by: None,
                };
                deadlines::create(&mut tx, &new).await?;
            }
            made += per_sub_case.min(count - made);
            if made >= count {
                break;
            }
        }
        tx.commit().await?;
    }
    Ok((municipality, worker))
}
