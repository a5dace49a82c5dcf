//! Configuration: defaults, then an optional `slingshot.toml`, then `SLINGSHOT_*`
//! environment variables, then command-line flags. Unknown keys in the file are an error.

use crate::ServerError;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The server's settings.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Folder for the SQLite database and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `slingshot.db` in `data_dir`.
    pub database_url: Option<String>,
    /// The address people reach this server at (used in invitation links).
    pub public_url: String,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Mark cookies `Secure` (default: when `public_url` is https).
    pub secure_cookies: Option<bool>,
    /// The first account to register becomes the instance administrator.
    pub first_user_is_admin: bool,
    /// Log filter (`info`, `slingshot_server=debug`, …).
    pub log: String,
    /// The master key sealing signing keys (32 bytes, base64url). Default: generated once
    /// into `data_dir/master.key` (mode 0600). Servers sharing one database must share it.
    pub master_key: Option<String>,
    /// Largest attachment, in bytes.
    pub attachment_limit: usize,
    /// Largest upload of mail (an mbox) or of a relationship bundle to import, in bytes.
    pub import_limit: usize,
    /// Most ledger entries committed in one transaction (1 = a commit per entry).
    pub ledger_group: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("public_url", &self.public_url)
            .field("body_limit", &self.body_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("first_user_is_admin", &self.first_user_is_admin)
            .field("log", &self.log)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("attachment_limit", &self.attachment_limit)
            .field("import_limit", &self.import_limit)
            .field("ledger_group", &self.ledger_group)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./slingshot-data"),
            database_url: None,
            public_url: "http://127.0.0.1:8080".into(),
            body_limit: 1024 * 1024,
            secure_cookies: None,
            first_user_is_admin: true,
            log: "info".into(),
            master_key: None,
            attachment_limit: 10 * 1024 * 1024,
            import_limit: 64 * 1024 * 1024,
            ledger_group: 512,
        }
    }
}

/// Keys read from `SLINGSHOT_<KEY>` environment variables.
const ENV_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "public_url",
    "body_limit",
    "secure_cookies",
    "first_user_is_admin",
    "log",
    "master_key",
    "attachment_limit",
    "import_limit",
    "ledger_group",
];

impl Config {
    /// Load from `file` (if it exists, or if named explicitly), the environment, and `overrides`
    /// (flags; `None` fields are left alone).
    pub fn load<O: Serialize>(file: Option<&Path>, overrides: &O) -> Result<Self, ServerError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(p) if !p.exists() => {
                return Err(ServerError::Config(format!(
                    "config file {} does not exist",
                    p.display()
                )))
            }
            Some(p) => fig = fig.merge(Toml::file_exact(p)),
            None => fig = fig.merge(Toml::file("slingshot.toml")),
        }
        fig = fig
            .merge(Env::prefixed("SLINGSHOT_").only(ENV_KEYS))
            .merge(Serialized::defaults(overrides));
        fig.extract()
            .map_err(|e| ServerError::Config(e.to_string()))
    }

    /// The database URL: the configured one, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("slingshot.db").display()
            ),
        }
    }

    /// The master key: configured, or read from (or generated once into) the data folder.
    pub fn load_master_key(&self) -> Result<slingshot_credentials::MasterKey, ServerError> {
        use slingshot_credentials::MasterKey;
        if let Some(k) = &self.master_key {
            return MasterKey::from_b64(k).map_err(|e| ServerError::Config(e.to_string()));
        }
        let path = self.data_dir.join("master.key");
        match std::fs::read_to_string(&path) {
            Ok(s) => MasterKey::from_b64(&s)
                .map_err(|e| ServerError::Config(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.data_dir)?;
                let key = MasterKey::generate();
                write_secret_file(&path, key.to_b64().as_bytes())?;
                Ok(key)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Should cookies carry `Secure`?
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies
            .unwrap_or_else(|| self.public_url.starts_with("https://"))
    }
}

/// Create `path` with mode 0600 and write `bytes`; refuses to overwrite.
fn write_secret_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Hide the password in a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            if creds.contains(':') {
                format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
            } else {
                url.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(&p, "listen = \"127.0.0.1:9\"\nlisten_port = 3\n").unwrap();
        let err = Config::load(Some(&p), &BTreeMap::<String, String>::new()).unwrap_err();
        assert!(err.to_string().contains("listen_port"), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(&p, "listen = \"127.0.0.1:9\"\nbody_limit = 10\n").unwrap();
        let flags = BTreeMap::from([("listen".to_string(), "127.0.0.1:7".to_string())]);
        let c = Config::load(Some(&p), &flags).unwrap();
        assert_eq!(c.listen, "127.0.0.1:7");
        assert_eq!(c.body_limit, 10);
        assert!(Config::load(Some(&dir.path().join("missing.toml")), &flags).is_err());
    }

    #[test]
    fn master_key_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            data_dir: dir.path().join("data"),
            ..Config::default()
        };
        let a = c.load_master_key().unwrap();
        let b = c.load_master_key().unwrap();
        assert_eq!(*a.to_b64(), *b.to_b64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("data/master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let shown = format!(
            "{:?}",
            Config {
                master_key: Some(a.to_b64().to_string()),
                ..Config::default()
            }
        );
        assert!(!shown.contains(a.to_b64().as_str()));
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let c = Config {
            database_url: Some("postgres://app:s3cret@db/slingshot".into()),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/slingshot"));
    }
}
