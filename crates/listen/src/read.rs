//! Loading cascades from a path or reader in one of the supported formats.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use rustc_hash::FxHashMap;

use crate::cascades::{Cascades, Staging};
use crate::error::ListenError;

/// Input formats for cascades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One cascade per line, `source time,source time,...` (a trailing comma may follow). Times
    /// are non-negative integers of at most 18 digits, right-padded with `0` to the widest time in
    /// the file. A token of three or more words uses its last two (a leading label is ignored).
    Text,
    /// `cascade,source,time` rows (an optional header `cascade,source,time`; no quoting).
    Csv,
    /// As [`Format::Csv`], separated by tabs.
    Tsv,
    /// One JSON object per line: `{"cascade": "c1", "source": "a", "time": 17}` (ids may be
    /// strings or integers; times integers).
    Jsonl,
}

impl Format {
    /// Guesses the format from a file extension (`.csv`, `.tsv`, `.jsonl`/`.ndjson`; else text).
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Format::Csv,
            Some("tsv") => Format::Tsv,
            Some("jsonl") | Some("ndjson") => Format::Jsonl,
            _ => Format::Text,
        }
    }
}

impl FromStr for Format {
    type Err = ListenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "tsv" => Ok(Format::Tsv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            other => Err(ListenError::InvalidArgument(format!(
                "unknown format {other:?} (expected text, csv, tsv or jsonl)"
            ))),
        }
    }
}

/// Receives progress while a long job runs (bytes read, cascades written). All methods default to
/// doing nothing.
pub trait Progress: Sync {
    /// The job starts; `total` is the expected amount when known.
    fn start(&self, _total: Option<u64>) {}
    /// `amount` more units are done.
    fn advance(&self, _amount: u64) {}
    /// The job has ended.
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Loads cascades from a file.
pub fn load_path(
    path: &Path,
    format: Format,
    progress: &dyn Progress,
) -> Result<Cascades, ListenError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| ListenError::io(&name, e))?;
    let total = file.metadata().ok().map(|m| m.len());
    progress.start(total);
    let result = load_inner(file, format, &name, total, progress);
    progress.finish();
    result
}

/// Loads cascades from any reader; `name` is used in error messages.
pub fn load_reader<R: Read>(
    reader: R,
    format: Format,
    name: &str,
    progress: &dyn Progress,
) -> Result<Cascades, ListenError> {
    progress.start(None);
    let result = load_inner(reader, format, name, None, progress);
    progress.finish();
    result
}

fn load_inner<R: Read>(
    reader: R,
    format: Format,
    name: &str,
    size_hint: Option<u64>,
    progress: &dyn Progress,
) -> Result<Cascades, ListenError> {
    let staging = match format {
        Format::Text => return crate::read_text::read_text(reader, name, size_hint, progress),
        Format::Csv => crate::read_csv::read_delimited(reader, b',', name, progress)?,
        Format::Tsv => crate::read_csv::read_delimited(reader, b'\t', name, progress)?,
        Format::Jsonl => crate::read_jsonl::read_jsonl(reader, name, progress)?,
    };
    staging.finish(name)
}

/// Collects `(cascade, source, time)` rows in any order and groups them by cascade (first
/// appearance order; rows of a cascade keep file order).
#[derive(Default)]
pub(crate) struct Rows {
    cascades: FxHashMap<String, u32>,
    sources: FxHashMap<String, u32>,
    names: Vec<String>,
    cas: Vec<u32>,
    src: Vec<u32>,
    time: Vec<i64>,
}

impl Rows {
    pub fn push(&mut self, cascade: &str, source: &str, time: i64) -> Result<(), ListenError> {
        let n = self.cascades.len();
        let c = match self.cascades.get(cascade) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(n).map_err(|_| ListenError::TooLarge("cascades".into()))?;
                self.cascades.insert(cascade.to_string(), c);
                c
            }
        };
        let s = match self.sources.get(source) {
            Some(&s) => s,
            None => {
                let s = u32::try_from(self.names.len())
                    .map_err(|_| ListenError::TooLarge("sources".into()))?;
                self.sources.insert(source.to_string(), s);
                self.names.push(source.to_string());
                s
            }
        };
        self.cas.push(c);
        self.src.push(s);
        self.time.push(time);
        Ok(())
    }

    pub fn into_staging(self) -> Staging {
        let n = self.cascades.len();
        let mut starts = vec![0u64; n + 1];
        for &c in &self.cas {
            starts[c as usize + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut cursor = starts.clone();
        let total = self.cas.len();
        let mut src = vec![0u32; total];
        let mut time = vec![0i64; total];
        for i in 0..total {
            let c = self.cas[i] as usize;
            let at = cursor[c] as usize;
            cursor[c] += 1;
            src[at] = self.src[i];
            time[at] = self.time[i];
        }
        Staging {
            names: self.names,
            starts,
            src,
            time,
        }
    }
}

/// Reads a whole reader line by line (`\n`-separated, a trailing `\r` removed), calling `f` with the
/// 1-based line number and the line; reports progress in bytes.
pub(crate) fn for_each_line<R: Read>(
    reader: R,
    name: &str,
    progress: &dyn Progress,
    mut f: impl FnMut(u64, &[u8]) -> Result<(), ListenError>,
) -> Result<(), ListenError> {
    use std::io::BufRead;
    let mut r = std::io::BufReader::with_capacity(1 << 20, reader);
    let mut line = Vec::new();
    let mut no = 0u64;
    let mut pending = 0u64;
    loop {
        line.clear();
        let n = r
            .read_until(b'\n', &mut line)
            .map_err(|e| ListenError::io(name, e))?;
        if n == 0 {
            break;
        }
        no += 1;
        pending += n as u64;
        if pending >= 1 << 20 {
            progress.advance(pending);
            pending = 0;
        }
        let mut l = &line[..];
        if let Some(x) = l.strip_suffix(b"\n") {
            l = x;
        }
        if let Some(x) = l.strip_suffix(b"\r") {
            l = x;
        }
        f(no, l)?;
    }
    progress.advance(pending);
    Ok(())
}
