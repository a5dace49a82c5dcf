//! `slingshot`: the one binary. `serve`, `migrate`, `backup`, `demo`, `admin`, `listen`.

mod admin;
mod error;
mod ledger_cmd;
mod receipt_cmd;
mod settings;

use clap::{Parser, Subcommand};
use error::CliError;
use settings::DbArgs;
use slingshot_server::{AppState, Config};
use slingshot_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// mimalloc: on the append benchmark glibc's malloc and free took 12 % of the server's
/// CPU; with mimalloc an append costs about 11 % less CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Slingshot: your side of every customer relationship.
#[derive(Parser)]
#[command(name = "slingshot", version, about)]
struct Cli {
    /// Configuration file (default: ./slingshot.toml when it exists).
    #[arg(long, global = true, env = "SLINGSHOT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (creates and migrates the database on first run).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Public address of this server, used in links.
        #[arg(long)]
        public_url: Option<String>,
        /// Largest request body in bytes (default 1 MiB).
        #[arg(long)]
        body_limit: Option<usize>,
        /// Fill an empty database with the demo world first.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a consistent copy of a live SQLite database to FILE.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// Where to write the copy (must not exist).
        file: PathBuf,
    },
    /// Fill an empty database with the demo world.
    Demo {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Instance administration.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Write a relationship's bundle (entries, bodies, checkpoints, public keys) as JSON Lines.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The relationship's id.
        relationship: String,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Whose copy: `vendor` (the default) carries the shared history only; `customer`
        /// also carries the customer's private notes and follow-up dates, for handing the
        /// customer their own copy. A vendor's private notes never leave.
        #[arg(long, value_enum, default_value_t = ledger_cmd::Copy::Vendor)]
        side: ledger_cmd::Copy,
    },
    /// Import a relationship bundle (from `export`, here or on another instance) as one
    /// of a person's relationships: it is verified first, and stored whole or not at all.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The bundle file.
        file: PathBuf,
        /// The person (handle) whose relationship it becomes.
        #[arg(long)]
        person: String,
    },
    /// Check a bundle, or a consent receipt (a compact JWS), offline: says which entry or
    /// part fails and why. Exit status 1 when it fails.
    Verify {
        /// The bundle file, or a consent receipt file.
        file: PathBuf,
        /// Only accept signatures by these public keys (base64url), to catch a bundle
        /// re-signed with other keys. A receipt needs this or --jwks.
        #[arg(long = "trust-key", allow_hyphen_values = true)]
        trust_keys: Vec<String>,
        /// Trust the keys of this JWK Set (the server's /.well-known/jwks.json) for a receipt.
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// Choose the few sources to watch so that you hear of a story first (CELF).
    Listen(slingshot_listen::cli::ListenArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open(config: &Config) -> Result<Store, CliError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    Ok(Store::open(&config.database_url()).await?)
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve {
            db,
            listen,
            public_url,
            body_limit,
            demo,
        } => {
            let started = Instant::now();
            let config = settings::load(file, &db, listen, public_url, body_limit)?;
            settings::init_logging(&config.log);
            let store = open(&config).await?;
            let master = config.load_master_key()?;
            let listen = config.listen.clone();
            let database = slingshot_server::config::redact_url(&config.database_url());
            let state = AppState::new(store.clone(), config, master);
            if demo {
                seed_demo(&state).await?;
            }
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            let addr = listener.local_addr()?;
            let ready_ms = started.elapsed().as_millis() as u64;
            tracing::info!(%database, ready_ms, "Slingshot listening on http://{addr}");
            println!("Slingshot is ready at http://{addr} ({ready_ms} ms)");
            slingshot_server::serve(listener, state, slingshot_server::shutdown_signal()).await?;
            store.close().await;
            Ok(())
        }
        Command::Migrate { db } => {
            let config = settings::load(file, &db, None, None, None)?;
            let store = Store::connect(&config.database_url()).await;
            let store = match store {
                Ok(s) => s,
                Err(_) if config.database_url.is_none() => {
                    std::fs::create_dir_all(&config.data_dir)?;
                    Store::connect(&config.database_url()).await?
                }
                Err(e) => return Err(e.into()),
            };
            let n = store.migrate().await?;
            println!("database is up to date ({n} migration(s) applied)");
            Ok(())
        }
        Command::Backup { db, file: out } => {
            let config = settings::load(file, &db, None, None, None)?;
            if out.exists() {
                return Err(CliError::Usage(format!(
                    "{} already exists; choose a new file",
                    out.display()
                )));
            }
            let store = Store::open(&config.database_url()).await?;
            let path = out
                .to_str()
                .ok_or_else(|| CliError::Usage("the backup path must be valid UTF-8".into()))?;
            store.backup_sqlite(path).await?;
            println!("backup written to {}", out.display());
            Ok(())
        }
        Command::Demo { db } => {
            let config = settings::load(file, &db, None, None, None)?;
            let store = open(&config).await?;
            let master = config.load_master_key()?;
            let state = AppState::new(store, config, master);
            if !seed_demo(&state).await? {
                return Err(CliError::Usage(
                    "the database already has accounts; the demo needs an empty one".into(),
                ));
            }
            Ok(())
        }
        Command::Admin { command } => admin::run(command, file).await,
        Command::Export {
            db,
            relationship,
            out,
            side,
        } => {
            let config = settings::load(file, &db, None, None, None)?;
            let store = Store::open(&config.database_url()).await?;
            ledger_cmd::export(config, store, &relationship, out.as_deref(), side).await
        }
        Command::Import {
            db,
            file: bundle,
            person,
        } => {
            let config = settings::load(file, &db, None, None, None)?;
            let store = Store::open(&config.database_url()).await?;
            ledger_cmd::import(config, store, &bundle, &person).await
        }
        Command::Verify {
            file: bundle,
            trust_keys,
            jwks,
        } => {
            if let Some(token) = receipt_cmd::read_receipt(&bundle)? {
                return receipt_cmd::verify(&token, &trust_keys, jwks.as_deref());
            }
            if jwks.is_some() {
                return Err(CliError::Usage(
                    "--jwks applies to consent receipts; for a bundle use --trust-key".into(),
                ));
            }
            let ok = tokio::task::spawn_blocking(move || ledger_cmd::verify(&bundle, &trust_keys))
                .await
                .map_err(|e| CliError::Usage(format!("verify stopped: {e}")))??;
            if ok {
                Ok(())
            } else {
                Err(CliError::Failed("the bundle does not verify".into()))
            }
        }
        Command::Listen(args) => {
            // CPU-bound: run it off the async workers.
            let r = tokio::task::spawn_blocking(move || slingshot_listen::cli::run(args)).await;
            r.map_err(|e| CliError::Usage(format!("listen stopped: {e}")))?
                .map_err(CliError::from)
        }
    }
}

/// Seed the demo world; false when the database was not empty.
async fn seed_demo(state: &AppState) -> Result<bool, CliError> {
    match slingshot_server::demo::seed(state).await? {
        Some(s) => {
            println!(
                "Demo world created: people {} (password \"{}\"; alice is the instance administrator), organizations: {}.",
                s.people.join(", "),
                slingshot_server::demo::DEMO_PASSWORD,
                s.orgs.join(", ")
            );
            Ok(true)
        }
        None => Ok(false),
    }
}
