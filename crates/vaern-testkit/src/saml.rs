//! A real SAML 2.0 identity provider for the single sign-on tests: `saml_idp.py` beside this
//! crate, on pysaml2's IdP (`saml2.server`), which `scripts/python-tools` installs into
//! `target/python-tools`. It signs with xmlsec1 as an OIOSAML 3 provider does.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

pub use tempfile::TempDir;
use tokio::process::{Child, Command};

/// A key and its self-signed certificate (PEM files), made with the `openssl` command.
#[derive(Debug, Clone)]
pub struct KeyPair {
    pub key: PathBuf,
    pub certificate: PathBuf,
}

impl KeyPair {
    /// A new RSA key pair in `dir`, its files named after `name`.
    pub fn generate(dir: &Path, name: &str) -> KeyPair {
        let key = dir.join(format!("{name}.key"));
        let certificate = dir.join(format!("{name}.crt"));
        let status = std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .arg("-subj")
            .arg(format!("/CN={name}"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the openssl command runs");
        assert!(status.success(), "openssl made no key pair");
        KeyPair { key, certificate }
    }

    /// A new key pair in a temporary directory, which holds it until dropped.
    pub fn temporary(name: &str) -> (KeyPair, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        (KeyPair::generate(dir.path(), name), dir)
    }
}

/// How the identity provider is started.
#[derive(Debug, Clone, Default)]
pub struct IdpOptions {
    /// How long its assertions are valid, in seconds (default 300).
    pub lifetime: Option<u32>,
    /// Encrypt assertions to the service provider's certificate (as OIOSAML 3 asks).
    pub encrypt: bool,
    /// An impostor of the provider at this base URL: its entity ID and endpoint, its own key.
    pub impersonate: Option<String>,
}

/// The identity provider on a free local port until dropped.
pub struct SamlIdp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its metadata, as a file for the service provider's settings.
    pub metadata_file: PathBuf,
    pub keys: KeyPair,
    trusted: PathBuf,
    count: AtomicUsize,
    _dir: TempDir,
    _process: Child,
}

/// The provider's script and the Python that runs it (`VAERN_PYTHON_TOOLS`: the venv's bin
/// directory, or where `scripts/python-tools` puts it).
fn program() -> (PathBuf, PathBuf) {
    let bin = std::env::var("VAERN_PYTHON_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/python-tools/bin")
        });
    let python = bin.join("python");
    assert!(
        python.exists(),
        "the SAML tests need pysaml2: run scripts/python-tools (scripts/test does) or set \
         VAERN_PYTHON_TOOLS; not found at {}",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("saml_idp.py");
    (python, script)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl SamlIdp {
    /// Starts the provider with `users` (JSON objects with `username`, `name`, `privileges`
    /// and `scope`), offered on its login page. Returns once its metadata is read.
    pub async fn start(users: &[String], options: &IdpOptions) -> SamlIdp {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let keys = KeyPair::generate(dir.path(), "idp");
        let trusted = dir.path().join("trusted");
        std::fs::create_dir(&trusted).unwrap();
        let port = free_port();
        let (python, script) = program();
        let mut command = Command::new(python);
        command
            .arg(script)
            .args(["--port", &port.to_string()])
            .arg("--key")
            .arg(&keys.key)
            .arg("--cert")
            .arg(&keys.certificate)
            .arg("--sp-metadata-dir")
            .arg(&trusted)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(lifetime) = options.lifetime {
            command.args(["--lifetime", &lifetime.to_string()]);
        }
        if options.encrypt {
            command.arg("--encrypt");
        }
        if let Some(real) = &options.impersonate {
            command.args(["--impersonate", real]);
        }
        for user in users {
            command.args(["--user", user]);
        }
        let process = command.spawn().expect("the SAML provider starts");
        let base = format!("http://127.0.0.1:{port}");
        let metadata_file = dir.path().join("idp-metadata.xml");
        for _ in 0..300 {
            if let Some(metadata) = fetch(port, "/metadata").await {
                std::fs::write(&metadata_file, metadata).unwrap();
                return SamlIdp {
                    base,
                    metadata_file,
                    keys,
                    trusted,
                    count: AtomicUsize::new(0),
                    _dir: dir,
                    _process: process,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SAML provider did not answer on port {port} within 15 seconds");
    }

    /// Trusts a service provider from its metadata.
    pub fn trust(&self, sp_metadata: &str) {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        let file = self.trusted.join(format!("sp-{n}.xml"));
        std::fs::write(file, sp_metadata).unwrap();
    }
}

/// A GET over plain HTTP/1.0 (the testkit has no HTTP client): the body of a 200, or nothing.
async fn fetch(port: u16, path: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.0 200").then(|| body.to_owned())
}
