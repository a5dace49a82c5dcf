//! `slingshot export`, `slingshot import` and `slingshot verify`: relationship bundles out,
//! in, and checked offline.

use crate::error::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use slingshot_domain::ledger::{
    public_key_from_base64url, verify_bundle_with, Side, VerifyOptions,
};
use slingshot_server::bundle_export::Export;
use slingshot_server::{AppState, Config};
use slingshot_store::Store;
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::Path;
use std::time::Instant;

/// Whose copy of a relationship `slingshot export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Copy {
    /// The shared history only (what the vendor's own export carries).
    Vendor,
    /// With the customer's private notes and follow-up dates.
    Customer,
}

/// Write `copy`'s bundle of a relationship to `out` (or stdout), a chunk at a time. A file
/// is written beside `out` and renamed into place once whole.
pub async fn export(
    config: Config,
    store: Store,
    relationship: &str,
    out: Option<&Path>,
    copy: Copy,
) -> Result<(), CliError> {
    let master = config.load_master_key()?;
    let state = AppState::new(store.clone(), config, master);
    let rel = store.relationship_by_id(relationship).await?;
    let side = match copy {
        Copy::Vendor => Side::Vendor,
        Copy::Customer => Side::Customer,
    };
    let bundle = Export::prepare(&state, &rel, side).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<slingshot_server::bundle_export::Chunk>(2);
    // A regular file is written beside its name and renamed into place once whole; a
    // device or pipe (`-o /dev/stdout`) is written directly.
    let partial = match out {
        Some(p) if !p.metadata().is_ok_and(|m| !m.is_file()) => {
            let mut name = p.as_os_str().to_owned();
            name.push(".partial");
            Some(std::path::PathBuf::from(name))
        }
        _ => None,
    };
    let mut sink: Box<dyn Write> = match partial.as_deref().or(out) {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout()),
    };
    // `rx` moves in: when a write fails it is dropped, and the export stops sending.
    let write = async move {
        while let Some(Ok(chunk)) = rx.recv().await {
            sink.write_all(&chunk)?;
        }
        sink.flush()
    };
    let (done, written) = tokio::join!(bundle.write_to(tx), write);
    let result = done
        .map_err(CliError::from)
        .and_then(|d| written.map(|()| d).map_err(CliError::from))
        .and_then(|d| match (out, &partial) {
            (Some(p), Some(tmp)) => std::fs::rename(tmp, p).map(|()| d).map_err(CliError::from),
            _ => Ok(d),
        });
    let done = match result {
        Ok(d) => d,
        Err(e) => {
            if let Some(p) = &partial {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
    };
    if let Some(p) = out {
        eprintln!(
            "wrote {} ({} entries, {} bytes)",
            p.display(),
            done.entries,
            done.bytes
        );
    }
    if !done.files_left_out.is_empty() {
        let seqs: Vec<String> = done.files_left_out.iter().map(u64::to_string).collect();
        eprintln!(
            "left out the files of entries {} (with them the bundle would be larger than import_limit)",
            seqs.join(", ")
        );
    }
    Ok(())
}

/// Verify the bundle at `path` and store it as one of `person`'s relationships.
pub async fn import(
    config: Config,
    store: Store,
    path: &Path,
    person: &str,
) -> Result<(), CliError> {
    let bytes = std::fs::read(path)?;
    let user = store.user_by_handle(person).await?;
    let master = config.load_master_key()?;
    let state = AppState::new(store.clone(), config, master);
    let done = slingshot_server::ledger::import_bundle(&state, &user.id, &bytes).await?;
    let id = done.relationship_id;
    let rel = store.relationship_by_id(&id).await?;
    let threads = store.threads_in(&user.id, &id).await?.len();
    println!(
        "imported relationship {id} ({}) for {person}: {} chain entries, {threads} conversations",
        rel.vendor_name, rel.head_seq
    );
    if !done.files_left_out.is_empty() {
        let seqs: Vec<String> = done.files_left_out.iter().map(u64::to_string).collect();
        println!(
            "the files of entries {} were not brought (left out by the exporter, or larger than this instance's attachment_limit)",
            seqs.join(", ")
        );
    }
    Ok(())
}

/// Counts bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// Verify a bundle offline; `Ok(false)` when it does not verify.
pub fn verify(file: &Path, trusted: &[String]) -> Result<bool, CliError> {
    let f = std::fs::File::open(file)?;
    let len = f.metadata()?.len();
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style);
    }
    let mut options = VerifyOptions::default();
    if !trusted.is_empty() {
        let keys = trusted
            .iter()
            .map(|k| {
                public_key_from_base64url(k)
                    .map_err(|e| CliError::Usage(format!("--trust-key {k}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        options.trusted_keys = Some(keys);
    }
    let start = Instant::now();
    let report = verify_bundle_with(
        BufReader::with_capacity(
            1 << 20,
            Counting {
                inner: f,
                bar: bar.clone(),
            },
        ),
        &options,
    )
    .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!("{report}");
    eprintln!(
        "checked {} entries in {:.3} s ({:.0} entries/s)",
        report.entries,
        secs,
        report.entries as f64 / secs.max(1e-9)
    );
    Ok(report.is_valid())
}
