//! Configuration: defaults → `vaern.toml` → environment. The database URL may hold a password,
//! so `Config`'s `Debug` hides it.

use std::path::Path;

use serde::Deserialize;

/// Everything the binary needs to know.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://vaern.db` (default) or `postgres://vaern_app:password@host/db`: on PostgreSQL
    /// the app role's own login (a superuser login is refused).
    pub database_url: String,
    /// PostgreSQL: the schema owner's login that `vaern migrate` (and `serve` at start) uses
    /// (`VAERN_MIGRATE_URL`). Empty (default): `database_url`, which can then only check that
    /// an owner has migrated.
    pub migrate_url: String,
    /// Address to listen on.
    pub listen: String,
    /// Always mark cookies `Secure` (set when served over TLS without a proxy header).
    pub secure_cookies: bool,
    /// PostgreSQL: the ordinary role the app assumes so row-level security binds it; empty to
    /// run as the login role (which must then not be a superuser or the table owner).
    pub db_role: String,
    /// `text` (default) or `json` log lines.
    pub log_format: String,
    /// Where case files are kept: a directory (default `./vaern-files`), `memory:`, or
    /// `s3://bucket/prefix` in a build with the `s3` feature.
    pub files: String,
    /// The largest file a user may upload, in MB.
    pub max_file_mb: u64,
    /// A directory where CPR change files arrive; the server applies them every minute and moves
    /// them to `behandlet/`. Empty (default): no scheduled CPR sync.
    pub cpr_inbox: String,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` names the client; comma-separated
    /// in `VAERN_TRUSTED_PROXIES`. Empty (default): the peer's address is the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The bearer token `/metrics` asks for (`VAERN_METRICS_TOKEN`). Empty (default): `/metrics`
    /// is refused.
    pub metrics_token: String,
    /// Hours a session lasts however busy it is (`VAERN_SESSION_HOURS`, default 8).
    pub session_hours: u32,
    /// Seconds a client has to send a request head, the longest pause inside a body, and how
    /// long an idle connection waits for its next request (`VAERN_HEADER_TIMEOUT_SECS`,
    /// default 20).
    pub header_timeout_secs: u64,
    /// Connections served at once (`VAERN_MAX_CONNECTIONS`, default 1000).
    pub max_connections: usize,
    /// Værn's address as staff's browsers reach it, e.g. `https://vaern.kommune.dk`
    /// (`VAERN_PUBLIC_URL`); single sign-on's redirect URIs are made from it. Empty (default):
    /// `http://` and the listen address.
    pub public_url: String,
    /// The municipalities whose staff log in through their own OpenID Connect provider, one
    /// `[[oidc]]` table each (docs/operations.md). A client secret may instead come from
    /// `VAERN_OIDC_CLIENT_SECRET_<municipality code>`.
    pub oidc: Vec<vaern_web::oidc::OidcSettings>,
    /// The municipalities whose staff log in over SAML 2.0 (OIOSAML 3: Fælleskommunal
    /// Adgangsstyring, AD FS), one `[[saml]]` table each (docs/operations.md); the files they
    /// name are read at startup.
    pub saml: Vec<vaern_web::saml::SamlSettings>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://vaern.db".into(),
            migrate_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            db_role: vaern_store::DEFAULT_APP_ROLE.into(),
            log_format: "text".into(),
            files: "./vaern-files".into(),
            max_file_mb: vaern_app::documents::DEFAULT_MAX_BYTES / (1024 * 1024),
            cpr_inbox: String::new(),
            trusted_proxies: Vec::new(),
            metrics_token: String::new(),
            session_hours: 8,
            header_timeout_secs: 20,
            max_connections: 1_000,
            public_url: String::new(),
            oidc: Vec::new(),
            saml: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("migrate_url", &redact(&self.migrate_url))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("db_role", &self.db_role)
            .field("log_format", &self.log_format)
            .field("files", &self.files)
            .field("max_file_mb", &self.max_file_mb)
            .field("cpr_inbox", &self.cpr_inbox)
            .field("trusted_proxies", &self.trusted_proxies)
            .field(
                "metrics_token",
                &if self.metrics_token.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("session_hours", &self.session_hours)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("max_connections", &self.max_connections)
            .field("public_url", &self.public_url)
            .field("oidc", &self.oidc)
            .field("saml", &self.saml)
            .finish()
    }
}

/// The URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Loads defaults, then the TOML file (if present), then the environment.
    pub fn load() -> anyhow::Result<Config> {
        let path = std::env::var("VAERN_CONFIG").unwrap_or_else(|_| "vaern.toml".into());
        Self::from_sources(Path::new(&path), |key| std::env::var(key).ok())
    }

    fn from_sources(path: &Path, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let mut config = if path.exists() {
            let text = std::fs::read_to_string(path)?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        } else {
            Config::default()
        };
        if let Some(url) = env("DATABASE_URL") {
            config.database_url = url;
        }
        if let Some(url) = env("VAERN_MIGRATE_URL") {
            config.migrate_url = url;
        }
        if let Some(listen) = env("VAERN_LISTEN") {
            config.listen = listen;
        }
        if let Some(secure) = env("VAERN_SECURE_COOKIES") {
            config.secure_cookies = matches!(secure.as_str(), "1" | "true" | "yes");
        }
        if let Some(role) = env("VAERN_DB_ROLE") {
            config.db_role = role;
        }
        if let Some(format) = env("VAERN_LOG_FORMAT") {
            config.log_format = format;
        }
        if let Some(files) = env("VAERN_FILES") {
            config.files = files;
        }
        if let Some(inbox) = env("VAERN_CPR_INBOX") {
            config.cpr_inbox = inbox;
        }
        if let Some(proxies) = env("VAERN_TRUSTED_PROXIES") {
            config.trusted_proxies = proxies
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse().map_err(|_| {
                        anyhow::anyhow!(
                            "VAERN_TRUSTED_PROXIES must be IP addresses separated by commas, not {p:?}"
                        )
                    })
                })
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(token) = env("VAERN_METRICS_TOKEN") {
            config.metrics_token = token;
        }
        if let Some(url) = env("VAERN_PUBLIC_URL") {
            config.public_url = url;
        }
        for oidc in &mut config.oidc {
            if let Some(secret) = env(&format!("VAERN_OIDC_CLIENT_SECRET_{}", oidc.municipality)) {
                oidc.client_secret = secret;
            }
            if !oidc.issuer.starts_with("https://") && !oidc.issuer.starts_with("http://") {
                anyhow::bail!(
                    "oidc for municipality {}: issuer must be an http(s) URL, not {:?}",
                    oidc.municipality,
                    oidc.issuer
                );
            }
            if oidc.roles.is_empty() {
                anyhow::bail!(
                    "oidc for municipality {}: roles must map at least one group to a role",
                    oidc.municipality
                );
            }
        }
        for saml in &config.saml {
            if saml.roles.is_empty() {
                anyhow::bail!(
                    "saml for municipality {}: roles must map at least one privilege to a role",
                    saml.municipality
                );
            }
        }
        bounded(
            &env,
            "session_hours",
            "VAERN_SESSION_HOURS",
            1..=24,
            &mut config.session_hours,
        )?;
        bounded(
            &env,
            "header_timeout_secs",
            "VAERN_HEADER_TIMEOUT_SECS",
            1..=600,
            &mut config.header_timeout_secs,
        )?;
        bounded(
            &env,
            "max_connections",
            "VAERN_MAX_CONNECTIONS",
            1..=100_000,
            &mut config.max_connections,
        )?;
        // 0 would refuse every upload.
        bounded(
            &env,
            "max_file_mb",
            "VAERN_MAX_FILE_MB",
            1..=100_000,
            &mut config.max_file_mb,
        )?;
        Ok(config)
    }

    /// The URL migrations run with.
    pub fn migrate_url(&self) -> &str {
        if self.migrate_url.trim().is_empty() {
            &self.database_url
        } else {
            self.migrate_url.trim()
        }
    }

    /// Værn's address for the browser: [`Config::public_url`], or the address it listens on.
    pub fn public_url(&self, listening: std::net::SocketAddr) -> String {
        if self.public_url.trim().is_empty() {
            format!("http://{listening}")
        } else {
            self.public_url.trim().trim_end_matches('/').to_owned()
        }
    }

    /// The file store and upload limit.
    pub fn case_files(&self) -> anyhow::Result<vaern_app::documents::CaseFiles> {
        let store = vaern_files::FileStore::open(&self.files)?;
        Ok(vaern_app::documents::CaseFiles::new(
            store,
            self.max_file_mb * 1024 * 1024,
        ))
    }

    /// The CPR inbox, when one is configured.
    pub fn cpr_inbox(&self) -> Option<std::path::PathBuf> {
        (!self.cpr_inbox.trim().is_empty()).then(|| self.cpr_inbox.trim().into())
    }

    /// Database options derived from the configuration.
    pub fn db_options(&self) -> vaern_store::DbOptions {
        vaern_store::DbOptions {
            app_role: (!self.db_role.is_empty()).then(|| self.db_role.clone()),
            ..Default::default()
        }
    }
}

/// Sets `value` from the environment variable `var` when it is set, then checks it lies in
/// `range` whichever source set it (the file, the variable or the default).
fn bounded<T>(
    env: impl Fn(&str) -> Option<String>,
    key: &str,
    var: &str,
    range: std::ops::RangeInclusive<T>,
    value: &mut T,
) -> anyhow::Result<()>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    if let Some(text) = env(var) {
        *value = text
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{var} must be a whole number, not {text:?}"))?;
    }
    if !range.contains(value) {
        anyhow::bail!(
            "{key} ({var}) must be between {} and {}, not {value}",
            range.start(),
            range.end()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_debug_output() {
        let config = Config {
            database_url: "postgres://vaern:hemmelig@db/vaern".into(),
            ..Default::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hemmelig"), "{shown}");
        assert!(shown.contains("postgres://vaern:***@db/vaern"), "{shown}");
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("vaern-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vaern.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://fil.db\"\n",
        )
        .unwrap();
        let config = Config::from_sources(&file, |key| {
            (key == "DATABASE_URL").then(|| "postgres://x@y/z".to_owned())
        })
        .unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.database_url, "postgres://x@y/z");
        let none = Config::from_sources(&dir.join("missing.toml"), |_| None).unwrap();
        assert_eq!(none.listen, "127.0.0.1:8080");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_upload_limit_must_be_a_positive_number_of_mb_from_either_source() {
        let dir = std::env::temp_dir().join(format!("vaern-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vaern.toml");
        std::fs::write(&file, "max_file_mb = 0\n").unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "0 in the file"
        );
        let missing = dir.join("missing.toml");
        for bad in ["0", "ti", "-5"] {
            let env = |key: &str| (key == "VAERN_MAX_FILE_MB").then(|| bad.to_owned());
            assert!(Config::from_sources(&missing, env).is_err(), "{bad}");
        }
        let env = |key: &str| (key == "VAERN_MAX_FILE_MB").then(|| "20".to_owned());
        let config = Config::from_sources(&missing, env).unwrap();
        assert_eq!(config.max_file_mb, 20);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn trusted_proxies_are_ip_addresses_separated_by_commas() {
        let missing = std::env::temp_dir().join(format!("vaern-missing-{}", uuid::Uuid::new_v4()));
        let env = |key: &str| (key == "VAERN_TRUSTED_PROXIES").then(|| "10.0.0.2, ::1".to_owned());
        let config = Config::from_sources(&missing, env).unwrap();
        assert_eq!(
            config.trusted_proxies,
            [
                "10.0.0.2".parse::<std::net::IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        let env = |key: &str| (key == "VAERN_TRUSTED_PROXIES").then(|| "10.0.0.0/8".to_owned());
        assert!(Config::from_sources(&missing, env).is_err());
    }

    #[test]
    fn a_municipalitys_oidc_login_is_read_from_the_file_with_its_secret_from_the_environment() {
        let dir = std::env::temp_dir().join(format!("vaern-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vaern.toml");
        let table = "[[oidc]]\nmunicipality = \"901\"\nissuer = \"https://login.example.dk\"\n\
                     client_id = \"vaern\"\nroles = [{ group = \"g\", role = \"caseworker\" }]\n";
        std::fs::write(
            &file,
            format!("public_url = \"https://vaern.example.dk/\"\n{table}"),
        )
        .unwrap();
        let env =
            |key: &str| (key == "VAERN_OIDC_CLIENT_SECRET_901").then(|| "hemmelig".to_owned());
        let config = Config::from_sources(&file, env).unwrap();
        assert_eq!(config.oidc[0].client_secret, "hemmelig");
        assert_eq!(
            config.public_url("127.0.0.1:8080".parse().unwrap()),
            "https://vaern.example.dk"
        );
        assert!(!format!("{config:?}").contains("hemmelig"));
        std::fs::write(
            &file,
            table.replace("https://login.example.dk", "login.example.dk"),
        )
        .unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "an issuer that is no URL"
        );
        std::fs::write(
            &file,
            table.replace("[{ group = \"g\", role = \"caseworker\" }]", "[]"),
        )
        .unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "no role mapping"
        );
        std::fs::write(&file, table.replace("caseworker", "boss")).unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "an unknown role"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_municipalitys_saml_login_is_read_from_the_file_with_defaults_and_needs_a_role_mapping() {
        let dir = std::env::temp_dir().join(format!("vaern-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vaern.toml");
        let table = "[[saml]]\nmunicipality = \"901\"\nidp_metadata = \"/etc/vaern/idp.xml\"\n\
                     sp_key = \"/etc/vaern/sp.key\"\nsp_certificate = \"/etc/vaern/sp.crt\"\n\
                     roles = [{ group = \"http://vaern.dk/roller/sagsbehandler/1\", role = \"caseworker\" }]\n";
        std::fs::write(&file, table).unwrap();
        let config = Config::from_sources(&file, |_| None).unwrap();
        let saml = &config.saml[0];
        assert_eq!(saml.roles_attribute, vaern_web::saml::PRIVILEGES_ATTRIBUTE);
        assert_eq!(saml.clock_skew_seconds, 60);
        assert!(saml.username_attribute.is_empty(), "the NameID");
        std::fs::write(
            &file,
            table.replace(
                "[{ group = \"http://vaern.dk/roller/sagsbehandler/1\", role = \"caseworker\" }]",
                "[]",
            ),
        )
        .unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "no role mapping"
        );
        std::fs::write(&file, table.replace("sp_key", "sp_nøgle")).unwrap();
        assert!(
            Config::from_sources(&file, |_| None).is_err(),
            "an unknown key"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        let dir = std::env::temp_dir().join(format!("vaern-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vaern.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        assert!(Config::from_sources(&file, |_| None).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
