//! Flags shared by commands, merged over the file and environment.

use crate::error::CliError;
use clap::Args;
use serde::Serialize;
use slingshot_server::Config;
use std::path::{Path, PathBuf};

/// Where the data lives.
#[derive(Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// Data folder (default ./slingshot-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (env SLINGSHOT_DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Serialize)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_limit: Option<usize>,
}

/// Load the configuration with these flags on top.
pub fn load(
    file: Option<&Path>,
    db: &DbArgs,
    listen: Option<String>,
    public_url: Option<String>,
    body_limit: Option<usize>,
) -> Result<Config, CliError> {
    let o = Overrides {
        data_dir: db.data_dir.clone(),
        database_url: db.database_url.clone(),
        listen,
        public_url,
        body_limit,
    };
    Ok(Config::load(file, &o)?)
}

/// Log to stderr with the configured filter (`RUST_LOG` wins when set).
pub fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
