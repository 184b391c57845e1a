//! A real OpenID Connect provider for the single sign-on tests: the PyPI package
//! `oidc-provider-mock` (a full provider on authlib: discovery, JWKS, signed RS256 ID tokens,
//! code exchange), which `scripts/python-tools` installs into `target/python-tools`.

use std::{path::PathBuf, process::Stdio, time::Duration};

use tokio::process::{Child, Command};

/// A provider running on a free local port until dropped.
pub struct OidcProvider {
    /// Its issuer URL (`http://127.0.0.1:PORT`).
    pub issuer: String,
    pub port: u16,
    _process: Child,
}

/// How the provider is started.
#[derive(Debug, Clone, Default)]
pub struct ProviderOptions {
    /// The lifetime of the ID tokens it issues, in seconds; negative issues them expired.
    pub token_max_age: Option<i64>,
}

/// The provider's program: `VAERN_OIDC_PROVIDER`, or where `scripts/python-tools` puts it.
fn program() -> PathBuf {
    if let Ok(path) = std::env::var("VAERN_OIDC_PROVIDER") {
        return path.into();
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/python-tools/bin/oidc-provider-mock");
    assert!(
        path.exists(),
        "the single sign-on tests need a real OpenID provider: run scripts/python-tools \
         (scripts/test does) or set VAERN_OIDC_PROVIDER; not found at {}",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl OidcProvider {
    /// Starts the provider with `users`: each a JSON object of claims with a `sub`, offered on
    /// its login page. Returns once it answers.
    pub async fn start(users: &[String], options: &ProviderOptions) -> OidcProvider {
        let port = free_port();
        let mut command = Command::new(program());
        command
            .args(["--port", &port.to_string(), "--require-nonce", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        for user in users {
            command.args(["--user-claims", user]);
        }
        if let Some(age) = options.token_max_age {
            command.arg(format!("--token-max-age={age}"));
        }
        let process = command.spawn().expect("the OpenID provider starts");
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return OidcProvider {
                    issuer: format!("http://127.0.0.1:{port}"),
                    port,
                    _process: process,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the OpenID provider did not listen on port {port} within 15 seconds");
    }
}
