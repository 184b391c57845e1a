#![doc = include_str!("../README.md")]

mod config;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use vaern_app::{AppError, demo};
use vaern_domain::user::NewUserInput;
use vaern_store::Db;
use vaern_web::{AppState, WebConfig};

use crate::config::{Config, redact};

/// Værn – sagsbehandling for kommunernes arbejde med udsatte børn og unge.
#[derive(Parser)]
#[command(name = "vaern", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve {
        /// Seed demo data if the database is empty, and print the demo logins.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides VAERN_LISTEN and vaern.toml).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Seed demo data into an empty database.
    Demo,
    /// Fill an empty database with a deterministic synthetic Denmark for load benchmarks: the
    /// 98 municipalities, cases, sub-cases, journal, deadlines, users and measures.
    BenchData {
        /// `small` (about 600 cases) or `national` (about 60,000 cases, 3 mio. journal entries).
        #[arg(long, default_value = "small")]
        scale: String,
        /// The seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Manage municipalities.
    Municipality {
        #[command(subcommand)]
        command: MunicipalityCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Background jobs (the server runs them by itself every minute).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Case files (VAERN_FILES).
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// The CPR register: import an extract, apply a change file.
    Cpr {
        #[command(subcommand)]
        command: CprCommand,
    },
}

#[derive(Subcommand)]
enum CprCommand {
    /// Import a CPR extract into the register (the layout is in crates/vaern-integrations).
    /// Malformed records are reported with their line number and skipped.
    Import {
        /// The extract file.
        file: std::path::PathBuf,
    },
    /// Apply a CPR change file to open cases (journal notes, network, sagsoverdragelse on a
    /// move) and then to the register. Running it twice changes nothing twice.
    Sync {
        /// The change file (same layout as an extract).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Check every case file against its SHA-256 and list files no document refers to.
    Check,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run every job once (for cron-style use); a job another instance is running is skipped.
    RunOnce,
}

#[derive(Subcommand)]
enum MunicipalityCommand {
    /// Add a municipality (tenant).
    Add {
        /// The official three-digit municipality code.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// Allow (`--allowed true`) or refuse (`--allowed false`) login with local passwords in a
    /// municipality: the way back in when its own login fails.
    LocalLogin {
        #[arg(long)]
        code: String,
        #[arg(long, action = clap::ArgAction::Set)]
        allowed: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user to a municipality.
    Add {
        /// The municipality's code, e.g. 901.
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        username: String,
        /// At least 12 characters.
        #[arg(long)]
        password: String,
        /// caseworker, team_lead, finance, admin or auditor.
        #[arg(long)]
        role: String,
        /// Full name.
        #[arg(long)]
        name: String,
    },
    /// Remove an administrator's authenticator app (a lost phone); their next login with their
    /// password adds a new one.
    ResetTotp {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API bearer token for a user and print it (only its hash is stored).
    Create {
        #[arg(long)]
        username: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load()?;
    init_logging(&config);
    match cli.command {
        Command::Serve { demo, listen } => serve(config, demo, listen).await,
        Command::Migrate => {
            vaern_store::migrate(config.migrate_url(), &config.db_options()).await?;
            println!("Databasen er opdateret: {}", redact(config.migrate_url()));
            Ok(())
        }
        Command::Demo => {
            let db = open(&config).await?;
            demo::seed(&db).await.map_err(explain)?;
            print_logins();
            Ok(())
        }
        Command::BenchData { scale, seed } => {
            let scale = vaern_app::bench_data::Scale::parse(&scale).map_err(anyhow::Error::msg)?;
            let db = open(&config).await?;
            let files = config.case_files()?;
            let started = std::time::Instant::now();
            let mut progress = |what: &str, done: usize, of: usize| {
                let filled = done * 30 / of.max(1);
                eprint!(
                    "\r[{}{}] {done}/{of} {what} ({:.0} s)",
                    "#".repeat(filled),
                    " ".repeat(30 - filled),
                    started.elapsed().as_secs_f64()
                );
            };
            let report =
                vaern_app::bench_data::generate(&db, &files.store, scale, seed, &mut progress)
                    .await
                    .map_err(explain)?;
            eprintln!();
            println!(
                "Genereret på {:.1} s: {} kommuner, {} brugere, {} sager, {} delsager, {} sagsskridt, \
                 {} underretninger, {} journalnotater, {} frister, {} indsatser, {} netværkspersoner, \
                 {} tilknyttede fagpersoner, {} dokumenter. Brugernavne som \
                 raadgiver101-4 og teamleder101-3; adgangskode {}.",
                started.elapsed().as_secs_f64(),
                report.municipalities,
                report.users,
                report.cases,
                report.sub_cases,
                report.steps,
                report.notifications,
                report.journal_entries,
                report.deadlines,
                report.measures,
                report.network_persons,
                report.professionals,
                report.documents,
                demo::DEMO_PASSWORD
            );
            Ok(())
        }
        Command::Municipality {
            command: MunicipalityCommand::Add { code, name },
        } => {
            let db = open(&config).await?;
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_digit()) {
                bail!("Kommunekoden skal være tre cifre, fx 101");
            }
            let mut tx = db.global().await?;
            vaern_store::municipalities::create(&mut tx, &code, &name)
                .await
                .with_context(|| {
                    format!("Kommunen {code} kunne ikke oprettes (findes den allerede?)")
                })?;
            tx.commit().await?;
            println!("Kommunen {code} {name} er oprettet");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    municipality,
                    username,
                    password,
                    role,
                    name,
                },
        } => {
            let db = open(&config).await?;
            let input = NewUserInput {
                username,
                name,
                role,
                password,
                team_id: None,
            };
            let user = vaern_app::users::create_as_operator(&db, &municipality, &input)
                .await
                .map_err(explain)?;
            println!(
                "Brugeren {} ({}) er oprettet i kommune {municipality}",
                user.username,
                user.role.label()
            );
            Ok(())
        }
        Command::Municipality {
            command: MunicipalityCommand::LocalLogin { code, allowed },
        } => {
            let db = open(&config).await?;
            vaern_app::users::set_local_login_as_operator(&db, &code, allowed)
                .await
                .map_err(explain)?;
            println!(
                "Login med adgangskode er slået {} i kommune {code}",
                if allowed { "til" } else { "fra" }
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::ResetTotp { username },
        } => {
            let db = open(&config).await?;
            let user = vaern_app::auth::second_factor::reset(&db, &username)
                .await
                .map_err(explain)?;
            println!(
                "Godkender-appen for {} er fjernet; næste login tilføjer en ny",
                user.username
            );
            Ok(())
        }
        Command::Files {
            command: FilesCommand::Check,
        } => {
            let db = open(&config).await?;
            let files = config.case_files()?;
            let report = vaern_app::documents::check_files(&db, &files.store)
                .await
                .map_err(explain)?;
            println!(
                "Filer i {}: {} kontrolleret, {} mangler, {} beskadiget, {} uden dokument",
                files.store.description(),
                report.checked,
                report.missing.len(),
                report.damaged.len(),
                report.unreferenced.len()
            );
            for (label, hashes) in [
                ("Mangler", &report.missing),
                ("Beskadiget", &report.damaged),
                ("Uden dokument", &report.unreferenced),
            ] {
                for hash in hashes {
                    println!("{label}: {hash}");
                }
            }
            if !report.is_sound() {
                bail!("Nogle filer mangler eller er beskadigede – gendan dem fra backup");
            }
            Ok(())
        }
        Command::Cpr { command } => cpr(&config, command).await,
        Command::Jobs {
            command: JobsCommand::RunOnce,
        } => {
            let db = open(&config).await?;
            let owner = instance_name();
            if let Some(inbox) = config.cpr_inbox() {
                match vaern_app::cpr::sync_inbox(&db, &owner, &inbox)
                    .await
                    .map_err(explain)?
                {
                    Some(files) => println!("CPR-indbakke: {} filer anvendt", files.len()),
                    None => println!("CPR-indbakken behandles af en anden instans"),
                }
            }
            let report = vaern_app::jobs::run_once(&db, &owner)
                .await
                .map_err(explain)?;
            if report.ran {
                println!(
                    "Jobs kørt: {} overskredne frister eskaleret",
                    report.escalated
                );
            } else {
                println!("Jobbene køres allerede af en anden instans; intet gjort");
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { username },
        } => {
            let db = open(&config).await?;
            let token = vaern_app::auth::create_token(&db, &username)
                .await
                .map_err(explain)?;
            println!("{token}");
            Ok(())
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Migrates, then opens the pool the application uses.
async fn open(config: &Config) -> anyhow::Result<Db> {
    vaern_store::migrate(config.migrate_url(), &config.db_options())
        .await
        .with_context(|| {
            format!(
                "Databasen {} kunne ikke migreres",
                redact(config.migrate_url())
            )
        })?;
    Ok(Db::connect(&config.database_url, &config.db_options()).await?)
}

/// Turns a use-case error into a message for the operator.
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

fn print_logins() {
    println!(
        "Demo-logins (adgangskode for alle: {}):",
        demo::DEMO_PASSWORD
    );
    for login in demo::logins() {
        println!(
            "  {:<14} {:<26} {:<20} {}",
            login.username,
            login.role.label(),
            login.name,
            login.municipality
        );
    }
    println!(
        "Administratorer skriver også en engangskode: læg nøglen {} i en godkender-app, \
         eller brug `oathtool --totp -b {}`.",
        demo::DEMO_TOTP_SECRET,
        demo::DEMO_TOTP_SECRET
    );
}

async fn serve(mut config: Config, demo: bool, listen: Option<String>) -> anyhow::Result<()> {
    if let Some(listen) = listen {
        config.listen = listen;
    }
    let db = open(&config).await?;
    if demo && demo::is_empty(&db).await.map_err(explain)? {
        demo::seed(&db).await.map_err(explain)?;
        println!("Demodata er lagt i databasen.");
    }
    let files = config
        .case_files()
        .with_context(|| format!("Kan ikke åbne fillageret {}", config.files))?;
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("Kan ikke lytte på {}", config.listen))?;
    let address = listener.local_addr()?;
    println!(
        "Værn kører på http://{address}/  (database: {}, filer: {})",
        redact(&config.database_url),
        files.store.description()
    );
    let shift = vaern_store::clock_shift();
    if !shift.is_zero() {
        println!(
            "Bemærk: uret er forskudt {} sekunder ({}); Værn regner med, at det nu er {}",
            shift.whole_seconds(),
            vaern_store::CLOCK_SHIFT_VAR,
            vaern_store::now()
        );
    }
    if demo {
        print_logins();
    }
    tokio::spawn(scheduler(db.clone(), config.cpr_inbox()));
    let public_url = config.public_url(address);
    let saml = config
        .saml
        .iter()
        .map(|settings| vaern_web::saml::SamlLogin::load(settings.clone(), &public_url))
        .collect::<Result<Vec<_>, String>>()
        .map_err(anyhow::Error::msg)?;
    let state = AppState::new(
        db.clone(),
        WebConfig {
            secure_cookies: config.secure_cookies,
            statement_header: false,
            trusted_proxies: config.trusted_proxies.clone(),
            metrics_token: Some(config.metrics_token.clone()).filter(|t| !t.is_empty()),
            session_lifetime: Some(time::Duration::hours(config.session_hours.into())),
            public_url,
            oidc: config.oidc.clone(),
            saml,
        },
        files,
    );
    let limits = vaern_web::ServerLimits {
        header_timeout: std::time::Duration::from_secs(config.header_timeout_secs),
        max_connections: config.max_connections,
    };
    vaern_web::serve(listener, state, limits, shutdown_signal()).await?;
    db.close().await;
    Ok(())
}

/// A name for this process in job leases.
fn instance_name() -> String {
    format!(
        "vaern-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Runs the background jobs every minute. Leases in the database keep several instances from
/// doing the same work; a failed run is logged and retried at the next tick.
async fn scheduler(db: Db, cpr_inbox: Option<std::path::PathBuf>) {
    let owner = instance_name();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Some(inbox) = &cpr_inbox {
            match vaern_app::cpr::sync_inbox(&db, &owner, inbox).await {
                Ok(Some(files)) => {
                    for file in files {
                        tracing::info!(
                            file = %file.name,
                            persons = file.report.read.persons,
                            rejected = file.report.read.rejected,
                            notes = file.report.notes,
                            transfers = file.report.transfers,
                            "CPR change file applied"
                        );
                    }
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "CPR sync failed"),
            }
        }
        match vaern_app::jobs::run_once(&db, &owner).await {
            Ok(report) if report.escalated > 0 => {
                tracing::info!(escalated = report.escalated, "deadlines escalated")
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "background jobs failed"),
        }
    }
}

/// `vaern cpr import|sync FILE`: streams the file, printing progress to stderr and a report.
async fn cpr(config: &Config, command: CprCommand) -> anyhow::Result<()> {
    let db = open(config).await?;
    let (CprCommand::Import { file } | CprCommand::Sync { file }) = &command;
    let size = std::fs::metadata(file)
        .with_context(|| format!("Kan ikke læse {}", file.display()))?
        .len()
        .max(1);
    let reader = std::io::BufReader::new(std::fs::File::open(file)?);
    let progress = |p: vaern_integrations::register::Progress| {
        eprint!(
            "\r{:>3} %  {} linjer, {} personer",
            p.bytes * 100 / size,
            p.lines,
            p.persons
        );
    };
    let read = match command {
        CprCommand::Import { .. } => {
            let register = vaern_integrations::register::StoredRegister::new(db.clone());
            let report = register.import(reader, progress).await?;
            eprintln!();
            println!(
                "Import: {} personer gemt i {} transaktioner, {} linjer læst, {} afvist",
                report.persons, report.batches, report.lines, report.rejected
            );
            report
        }
        CprCommand::Sync { .. } => {
            let report = vaern_app::cpr::sync(&db, reader, progress)
                .await
                .map_err(explain)?;
            eprintln!();
            println!(
                "Synkronisering: {} personer læst, {} journalnotater, {} sagsoverdragelser, {} afvist",
                report.read.persons, report.notes, report.transfers, report.read.rejected
            );
            report.read
        }
    };
    for error in &read.errors {
        println!("Afvist: {error}");
    }
    if read.rejected > read.errors.len() as u64 {
        println!(
            "… og {} afviste linjer mere",
            read.rejected - read.errors.len() as u64
        );
    }
    if read.rejected > 0 {
        bail!(
            "{} poster blev afvist – ret dem og kør filen igen",
            read.rejected
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
