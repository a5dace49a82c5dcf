//! `slingshot admin create`: make an instance administrator.

use crate::error::CliError;
use crate::settings::{self, DbArgs};
use clap::Subcommand;
use slingshot_domain::{DisplayName, Handle, Password};
use slingshot_store::{Store, StoreError};
use std::io::BufRead;
use std::path::Path;

/// Administration commands.
#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an administrator account, or make an existing account one. The password is
    /// read from SLINGSHOT_ADMIN_PASSWORD or, when unset, from the first line of stdin.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// The account's handle.
        handle: String,
        /// Display name (default: the handle).
        #[arg(long)]
        name: Option<String>,
    },
}

/// Run an admin command.
pub async fn run(cmd: AdminCommand, file: Option<&Path>) -> Result<(), CliError> {
    let AdminCommand::Create { db, handle, name } = cmd;
    let config = settings::load(file, &db, None, None, None)?;
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let store = Store::open(&config.database_url()).await?;
    let handle = Handle::parse(&handle)?;
    match store.user_by_handle(handle.as_str()).await {
        Ok(u) => {
            store.set_admin(&u.id).await?;
            println!("{} is now an instance administrator", u.handle);
            return Ok(());
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let raw = match std::env::var("SLINGSHOT_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password for {} (one line on stdin):", handle.as_str());
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let password = Password::new(&raw, handle.as_str())?;
    let name = DisplayName::parse(name.as_deref().unwrap_or(handle.as_str()))?;
    let hash = slingshot_server::secrets::hash_password(password.expose().to_owned()).await?;
    let u = store
        .create_user(&handle, &name, &hash, true, false, "cli")
        .await?;
    println!("created instance administrator {}", u.handle);
    Ok(())
}
