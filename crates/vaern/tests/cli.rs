//! The command line: help everywhere, user and token administration, clear errors.

use std::process::Command;

use vaern_testkit::TestDb;

fn vaern(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_vaern"))
        .args(args)
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
}

#[tokio::test]
async fn demo_data_goes_only_into_an_empty_database() {
    let test = TestDb::new().await;
    let (ok, out, err) = vaern(&test.url, &["demo"]);
    assert!(ok, "{err}");
    assert!(out.contains("raadgiver901") && out.contains("admin902"));
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
