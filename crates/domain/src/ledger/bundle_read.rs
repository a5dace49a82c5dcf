//! Reading a bundle line by line, from any `BufRead`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::io::{BufRead, Read as _};

use super::bundle_format::{AnyLine, LineKind, LineKindOnly};
use serde_json::Value;

use super::{
    check_id, BundleEntry, BundleHeader, BundleItem, BundleNote, LedgerError, SignedCheckpoint,
    SignedEntry, BUNDLE_FORMAT,
};

/// The longest line a reader accepts (16 MiB); longer lines are reported and skipped.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// What a malformed line was meant to be, as far as can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineHint {
    /// Its `type` is `bundle`.
    Bundle,
    /// Its `type` is `entry`.
    Entry,
    /// Its `type` is `checkpoint`.
    Checkpoint,
    /// Its `type` is `note`.
    Note,
    /// Not valid JSON, or no known `type`.
    Unknown,
}

/// A line that could not be read as a bundle line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: u64,
    /// What the line was meant to be.
    pub hint: LineHint,
    /// Why it was refused (the JSON error names the column).
    pub message: String,
}

/// Reads a bundle one line at a time, reusing one buffer.
///
/// Blank lines are skipped. A line that is not a valid bundle line yields
/// [`BadLine`] and reading goes on; an I/O error ends reading.
pub struct BundleReader<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
}

/// One step of a [`BundleReader`].
pub type ReadStep = Result<(u64, BundleItem), BadLine>;

impl<R: BufRead> BundleReader<R> {
    /// Read from `reader`.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    /// The next line: `Ok(None)` at the end, `Err` on an I/O error.
    pub fn next_item(&mut self) -> Result<Option<ReadStep>, LedgerError> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if self.buf.last() != Some(&b'\n') && self.buf.len() as u64 > MAX_LINE_BYTES {
                self.skip_rest_of_line()?;
                return Ok(Some(Err(BadLine {
                    line: self.line,
                    hint: LineHint::Unknown,
                    message: format!("line is longer than {MAX_LINE_BYTES} bytes"),
                })));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(parse_line(self.line, &self.buf)));
        }
    }

    fn skip_rest_of_line(&mut self) -> Result<(), LedgerError> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE_BYTES)
                .read_until(b'\n', &mut self.buf)?;
            if n == 0 || self.buf.last() == Some(&b'\n') {
                return Ok(());
            }
        }
    }
}

impl<R: BufRead> Iterator for BundleReader<R> {
    type Item = Result<ReadStep, LedgerError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

fn parse_line(line: u64, bytes: &[u8]) -> ReadStep {
    let parsed: AnyLine = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) => {
            let hint = match serde_json::from_slice::<LineKindOnly>(bytes) {
                Ok(LineKindOnly { kind: Some(k) }) => match k.as_str() {
                    Some("bundle") => LineHint::Bundle,
                    Some("entry") => LineHint::Entry,
                    Some("checkpoint") => LineHint::Checkpoint,
                    Some("note") => LineHint::Note,
                    _ => LineHint::Unknown,
                },
                _ => LineHint::Unknown,
            };
            return Err(BadLine {
                line,
                hint,
                message: e.to_string(),
            });
        }
    };
    let bad = |hint, message: &str| BadLine {
        line,
        hint,
        message: message.to_owned(),
    };
    match parsed.kind {
        LineKind::Bundle => {
            let hint = LineHint::Bundle;
            let format = parsed
                .format
                .ok_or_else(|| bad(hint, "missing field `format`"))?;
            if format != BUNDLE_FORMAT {
                return Err(bad(
                    hint,
                    &format!("unsupported format '{format}'; expected '{BUNDLE_FORMAT}'"),
                ));
            }
            let header = BundleHeader {
                relationship: parsed
                    .relationship
                    .ok_or_else(|| bad(hint, "missing field `relationship`"))?,
                keys: parsed
                    .keys
                    .ok_or_else(|| bad(hint, "missing field `keys`"))?,
                tip: parsed.tip,
            };
            Ok((line, BundleItem::Header(header)))
        }
        LineKind::Entry => {
            let hint = LineHint::Entry;
            let entry = SignedEntry {
                header: parsed
                    .header
                    .ok_or_else(|| bad(hint, "missing field `header`"))?,
                hash: parsed
                    .hash
                    .ok_or_else(|| bad(hint, "missing field `hash`"))?,
                signature: parsed
                    .signature
                    .ok_or_else(|| bad(hint, "missing field `signature`"))?,
            };
            let erased = parsed
                .erased
                .ok_or_else(|| bad(hint, "missing field `erased`"))?;
            let file = parsed
                .file
                .map(|f| URL_SAFE_NO_PAD.decode(f))
                .transpose()
                .map_err(|_| bad(hint, "`file` is not unpadded base64url"))?;
            let file_left_out = parsed.file_left_out.unwrap_or(false);
            if file_left_out && file.is_some() {
                return Err(bad(hint, "a file both carried and `file_left_out`"));
            }
            Ok((
                line,
                BundleItem::Entry(BundleEntry {
                    entry,
                    body: parsed.body,
                    erased,
                    file,
                    file_left_out,
                }),
            ))
        }
        LineKind::Note => {
            let hint = LineHint::Note;
            let thread = parsed
                .thread
                .ok_or_else(|| bad(hint, "missing field `thread`"))?;
            check_id(&thread, "a note's thread")
                .map_err(|_| bad(hint, "`thread` is not a thread id"))?;
            let note = BundleNote {
                thread,
                side: parsed
                    .side
                    .ok_or_else(|| bad(hint, "missing field `side`"))?,
                time: parsed
                    .time
                    .ok_or_else(|| bad(hint, "missing field `time`"))?,
                body: parsed
                    .body
                    .filter(Value::is_object)
                    .ok_or_else(|| bad(hint, "`body` must be an object"))?,
            };
            Ok((line, BundleItem::Note(note)))
        }
        LineKind::Checkpoint => {
            let hint = LineHint::Checkpoint;
            let checkpoint = SignedCheckpoint {
                checkpoint: parsed
                    .checkpoint
                    .ok_or_else(|| bad(hint, "missing field `checkpoint`"))?,
                signature: parsed
                    .signature
                    .ok_or_else(|| bad(hint, "missing field `signature`"))?,
            };
            Ok((line, BundleItem::Checkpoint(checkpoint)))
        }
    }
}
