//! Writing a bundle to any `std::io::Write`.

use std::io::Write;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::bundle_format::{CheckpointLineOut, EntryLineOut, HeaderLineOut, NoteLineOut};
use super::{BundleHeader, BundleNote, LedgerError, SignedCheckpoint, SignedEntry, BUNDLE_FORMAT};

/// An entry's body as exported.
#[derive(Debug, Clone, Copy)]
pub enum EntryBody<'a> {
    /// The body as stored.
    Present(&'a Value),
    /// The body was erased on request: written as `"body":null,"erased":true`.
    Erased,
}

/// Writes a bundle: the header line when created, then entries, then checkpoints.
///
/// Lines are written as given; checking the chain is the verifier's job. The
/// writer only refuses an entry after a checkpoint. Wrap `out` in a
/// `BufWriter` when it is a file or socket.
pub struct BundleWriter<W: Write> {
    out: W,
    entries: u64,
    notes: u64,
    checkpoints: u64,
}

impl<W: Write> BundleWriter<W> {
    /// Start a bundle: writes the header line.
    pub fn new(mut out: W, header: &BundleHeader) -> Result<Self, LedgerError> {
        write_line(
            &mut out,
            &HeaderLineOut {
                kind: "bundle",
                format: BUNDLE_FORMAT,
                header,
            },
        )?;
        Ok(Self {
            out,
            entries: 0,
            notes: 0,
            checkpoints: 0,
        })
    }

    /// Write an entry line.
    pub fn write_entry(
        &mut self,
        entry: &SignedEntry,
        body: EntryBody<'_>,
    ) -> Result<(), LedgerError> {
        self.write_entry_with_file(entry, body, None)
    }

    /// Write an entry line carrying an attachment's file.
    pub fn write_entry_with_file(
        &mut self,
        entry: &SignedEntry,
        body: EntryBody<'_>,
        file: Option<&[u8]>,
    ) -> Result<(), LedgerError> {
        self.entry_line(entry, body, file, false)
    }

    /// Write an attachment entry whose file the exporter holds but leaves out
    /// (`"file_left_out":true`).
    pub fn write_entry_leaving_out_file(
        &mut self,
        entry: &SignedEntry,
        body: EntryBody<'_>,
    ) -> Result<(), LedgerError> {
        self.entry_line(entry, body, None, true)
    }

    fn entry_line(
        &mut self,
        entry: &SignedEntry,
        body: EntryBody<'_>,
        file: Option<&[u8]>,
        file_left_out: bool,
    ) -> Result<(), LedgerError> {
        if self.checkpoints > 0 || self.notes > 0 {
            return Err(LedgerError::BundleOrder(
                "entries come before notes and checkpoints",
            ));
        }
        let (body, erased) = match body {
            EntryBody::Present(v) => (Some(v), false),
            EntryBody::Erased => (None, true),
        };
        write_line(
            &mut self.out,
            &EntryLineOut {
                kind: "entry",
                header: &entry.header,
                hash: entry.hash,
                signature: entry.signature,
                body,
                erased,
                file: file.map(|f| URL_SAFE_NO_PAD.encode(f)),
                file_left_out,
            },
        )?;
        self.entries += 1;
        Ok(())
    }

    /// Write one of the exporting side's private notes (after the entries, before the
    /// checkpoints).
    pub fn write_note(&mut self, note: &BundleNote) -> Result<(), LedgerError> {
        if self.checkpoints > 0 {
            return Err(LedgerError::BundleOrder("notes come before checkpoints"));
        }
        write_line(&mut self.out, &NoteLineOut { kind: "note", note })?;
        self.notes += 1;
        Ok(())
    }

    /// Write a checkpoint line (after all entries).
    pub fn write_checkpoint(&mut self, checkpoint: &SignedCheckpoint) -> Result<(), LedgerError> {
        write_line(
            &mut self.out,
            &CheckpointLineOut {
                kind: "checkpoint",
                checkpoint: &checkpoint.checkpoint,
                signature: checkpoint.signature,
            },
        )?;
        self.checkpoints += 1;
        Ok(())
    }

    /// How many entry lines were written.
    pub fn entries_written(&self) -> u64 {
        self.entries
    }

    /// The output written so far (a `Vec<u8>`'s length tells the bundle's size).
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The output, to take what was written so far (an export sent in chunks).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Flush and hand back the output.
    pub fn finish(mut self) -> Result<W, LedgerError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_line<W: Write, T: serde::Serialize>(out: &mut W, line: &T) -> Result<(), LedgerError> {
    serde_json::to_writer(&mut *out, line).map_err(|e| {
        if e.is_io() {
            LedgerError::Io(e.to_string())
        } else {
            LedgerError::Encode(e.to_string())
        }
    })?;
    out.write_all(b"\n")?;
    Ok(())
}
