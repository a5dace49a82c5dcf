//! The `listen` subcommands as a standalone program, for trying the engine without the
//! `slingshot` binary: `cargo run --release -p slingshot-listen --features cli --example listen --
//! select --cascades FILE --objective dt --k 100`.

use clap::Parser;

/// Choose the sources to watch (CELF outbreak detection).
#[derive(Debug, Parser)]
#[command(name = "listen")]
struct Cli {
    #[command(flatten)]
    listen: slingshot_listen::cli::ListenArgs,
}

fn main() -> std::process::ExitCode {
    match slingshot_listen::cli::run(Cli::parse().listen) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
