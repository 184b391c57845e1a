//! The command line: help everywhere, user and token administration, clear errors.

use std::process::Command;

use vaern_testkit::TestDb;

fn vaern(url: &str, args: &[&str]) -> (bool, String, String) {
    vaern_with(url, args, &[])
}

fn vaern_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_vaern"))
        .args(args)
        .envs(env.iter().copied())
        .env("DATABASE_URL", url)
        .env("VAERN_CONFIG", "/nonexistent/vaern.toml")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["user", "add", "--help"],
        vec!["token", "create", "--help"],
        vec!["municipality", "add", "--help"],
        vec!["files", "check", "--help"],
        vec!["cpr", "import", "--help"],
        vec!["cpr", "sync", "--help"],
    ] {
        let (ok, out, _) = vaern("sqlite::memory:", &args);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
}

#[tokio::test]
async fn an_operator_sets_up_a_municipality_a_user_and_a_token() {
    let test = TestDb::new().await;
    let url = test.url.as_str();
    let (ok, out, err) = vaern(
        url,
        &[
            "municipality",
            "add",
            "--code",
            "101",
            "--name",
            "Københavns Kommune",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = vaern(
        url,
        &[
            "user",
            "add",
            "--municipality",
            "101",
            "--username",
            "ole",
            "--password",
            "kort",
            "--role",
            "chef",
            "--name",
            "Ole",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("Adgangskoden skal være mindst 12 tegn")
            && err.contains("Ukendt rolle «chef»"),
        "{err}"
    );
    let (ok, out, err) = vaern(
        url,
        &[
            "user",
            "add",
            "--municipality",
            "101",
            "--username",
            "ole",
            "--password",
            "et-langt-kodeord",
            "--role",
            "admin",
            "--name",
            "Ole Admin",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = vaern(
        url,
        &[
            "user",
            "add",
            "--municipality",
            "999",
            "--username",
            "x",
            "--password",
            "et-langt-kodeord",
            "--role",
            "admin",
            "--name",
            "X",
        ],
    );
    assert!(
        !ok && err.contains("Der findes ingen kommune med koden 999"),
        "{err}"
    );
    let (ok, token, err) = vaern(url, &["token", "create", "--username", "ole"]);
    assert!(ok, "{err}");
    let actor = vaern_app::auth::token_actor(&test.db, token.trim())
        .await
        .unwrap();
    assert_eq!(actor.municipality_code, "101");
    let (ok, _, err) = vaern(url, &["token", "create", "--username", "findes.ikke"]);
    assert!(
        !ok && err.contains("Der findes ingen aktiv bruger"),
        "{err}"
    );

    // Ole lost the phone with his authenticator: the operator removes it, and his next login
    // with the password enrols a new one.
    let (ok, out, err) = vaern(url, &["user", "reset-totp", "--username", "ole"]);
    assert!(
        ok && out.contains("Godkender-appen for ole er fjernet"),
        "{out}{err}"
    );
    let ole_logs_in = || {
        vaern_app::auth::login(
            &test.db,
            "ole",
            "et-langt-kodeord",
            &vaern_app::auth::OneTimeCode::NONE,
            None,
        )
    };
    let login = ole_logs_in().await;
    assert!(
        matches!(login, Err(vaern_app::AppError::Enrol(_))),
        "{:?}",
        login.err()
    );
    let (ok, _, err) = vaern(url, &["user", "reset-totp", "--username", "findes.ikke"]);
    assert!(!ok && err.contains("Der findes ingen bruger"), "{err}");

    // The operator's way back in when a municipality's own login fails.
    let local = |code: &str, allowed: &str| {
        vaern(
            url,
            &[
                "municipality",
                "local-login",
                "--code",
                code,
                "--allowed",
                allowed,
            ],
        )
    };
    let (ok, out, err) = local("101", "false");
    assert!(ok && out.contains("slået fra i kommune 101"), "{out}{err}");
    let refused = ole_logs_in().await;
    assert!(
        matches!(&refused, Err(vaern_app::AppError::Invalid(e)) if e.iter().any(|e| e.message.contains("slået login med adgangskode fra"))),
        "{:?}",
        refused.err()
    );
    let (ok, out, err) = local("101", "true");
    assert!(ok && out.contains("slået til i kommune 101"), "{out}{err}");
    let (ok, _, err) = local("999", "true");
    assert!(
        !ok && err.contains("Der findes ingen kommune med koden 999"),
        "{err}"
    );
}

#[tokio::test]
async fn demo_data_goes_only_into_an_empty_database() {
    let test = TestDb::new().await;
    let (ok, out, err) = vaern(&test.url, &["demo"]);
    assert!(ok, "{err}");
    assert!(out.contains("raadgiver901") && out.contains("admin902"));
    assert!(
        out.contains(vaern_app::demo::DEMO_TOTP_SECRET),
        "the demo administrators' authenticator secret is printed: {out}"
    );
    let (ok, _, err) = vaern(&test.url, &["demo"]);
    assert!(!ok && err.contains("allerede data"), "{err}");
}

#[tokio::test]
async fn jobs_run_once_reports_what_it_did() {
    let test = TestDb::new().await;
    let (ok, out, err) = vaern(&test.url, &["jobs", "run-once"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Jobs kørt: 0 overskredne frister eskaleret"),
        "{out}"
    );
}

#[tokio::test]
async fn files_check_finds_missing_damaged_and_stray_files() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let files = vaern_testkit::TestFiles::local();
    let case_files = vaern_app::documents::CaseFiles::new(files.store.clone(), 1024 * 1024);
    let actor = {
        let token = vaern_app::auth::create_token(&test.db, "raadgiver901")
            .await
            .unwrap();
        vaern_app::auth::token_actor(&test.db, &token)
            .await
            .unwrap()
    };
    let child = {
        let mut tx = test.db.tenant(actor.municipality_id).await.unwrap();
        vaern_store::children::search(&mut tx, "a")
            .await
            .unwrap()
            .remove(0)
    };
    let content = b"%PDF-1.7\n%%EOF\n";
    vaern_app::documents::upload(
        &test.db,
        &case_files,
        &actor,
        child.id,
        &vaern_app::documents::UploadInput {
            document: vaern_domain::document::NewDocumentInput {
                title: "Udtalelse".into(),
                kind: "incoming".into(),
                ..Default::default()
            },
            sub_case: None,
        },
        vaern_app::documents::Received::File {
            name: "udtalelse.pdf".into(),
            content: content.to_vec().into(),
        },
    )
    .await
    .unwrap();
    let dir = files.dir.path().to_str().unwrap();
    let check = || vaern_with(&test.url, &["files", "check"], &[("VAERN_FILES", dir)]);

    let (ok, out, err) = check();
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("1 kontrolleret, 0 mangler, 0 beskadiget, 0 uden dokument"),
        "{out}"
    );

    files.store.put(b"stray".to_vec().into()).await.unwrap();
    let hash = vaern_files::ContentHash::of(content).to_string();
    let stored = files.dir.path().join("sha256").join(&hash[..2]).join(&hash);
    std::fs::write(&stored, b"%PDF-1.7\nchanged").unwrap();
    let (ok, out, err) = check();
    assert!(!ok, "a damaged file fails the check");
    assert!(out.contains(&format!("Beskadiget: {hash}")), "{out}");
    assert!(out.contains("Uden dokument: "), "{out}");
    assert!(err.contains("gendan dem fra backup"), "{err}");

    std::fs::remove_file(&stored).unwrap();
    let (ok, out, _) = check();
    assert!(!ok && out.contains(&format!("Mangler: {hash}")), "{out}");
}

/// `vaern cpr import` and `sync`: a report with line numbers, exit 1 when records were rejected,
/// and the scheduled job's inbox applied by `vaern jobs run-once` and moved aside.
#[tokio::test]
async fn an_operator_imports_an_extract_and_applies_a_change_file() {
    let test = TestDb::new().await;
    let url = test.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let extract = dir.path().join("udtraek.txt");
    std::fs::write(
        &extract,
        "000;2026-11-01\n001;0101904002;Mette;Hansen;01;\n001;3213901234;Ugyldig;Dato;01;\n999;2\n",
    )
    .unwrap();
    let (ok, out, err) = vaern(url, &["cpr", "import", extract.to_str().unwrap()]);
    assert!(!ok, "a rejected record makes the run fail: {out}{err}");
    assert!(out.contains("1 personer gemt"), "{out}");
    assert!(out.contains("Afvist: linje 3:"), "{out}");

    let inbox = dir.path().join("indbakke");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(
        inbox.join("2026-11-20.txt"),
        "000;2026-11-20\n001;0101904002;Mette;Hansen Berg;01;\n999;1\n",
    )
    .unwrap();
    let (ok, out, err) = vaern_with(
        url,
        &["jobs", "run-once"],
        &[("VAERN_CPR_INBOX", inbox.to_str().unwrap())],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("CPR-indbakke: 1 filer anvendt"), "{out}");
    assert!(inbox.join("behandlet").join("2026-11-20.txt").exists());
    assert!(!inbox.join("2026-11-20.txt").exists());

    let (ok, out, err) = vaern(
        url,
        &[
            "cpr",
            "sync",
            inbox.join("behandlet/2026-11-20.txt").to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("1 personer læst, 0 journalnotater"), "{out}");
}
