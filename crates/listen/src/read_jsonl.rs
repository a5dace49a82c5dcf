//! JSON Lines cascades: one `{"cascade": .., "source": .., "time": ..}` object per line.

use std::io::Read;

use serde::Deserialize;

use crate::cascades::Staging;
use crate::error::ListenError;
use crate::read::{for_each_line, Progress, Rows};

#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Int(i64),
}

impl Id {
    fn into_string(self) -> String {
        match self {
            Id::Text(s) => s,
            Id::Int(i) => i.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct Event {
    cascade: Id,
    source: Id,
    time: i64,
}

/// Reads JSON Lines; blank lines are skipped. Errors carry serde's column.
pub(crate) fn read_jsonl<R: Read>(
    reader: R,
    name: &str,
    progress: &dyn Progress,
) -> Result<Staging, ListenError> {
    let mut rows = Rows::default();
    for_each_line(reader, name, progress, |no, line| {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let ev: Event = serde_json::from_slice(line)
            .map_err(|e| ListenError::parse(name, no, e.column().max(1) as u64, e.to_string()))?;
        let source = ev.source.into_string();
        if source.is_empty() {
            return Err(ListenError::parse(name, no, 1, "empty source"));
        }
        rows.push(&ev.cascade.into_string(), &source, ev.time)
    })?;
    Ok(rows.into_staging())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use crate::read::{load_reader, Format, NoProgress};

    #[test]
    fn jsonl_reads_string_and_integer_ids() {
        let text = "{\"cascade\":1,\"source\":\"a\",\"time\":3}\n\n{\"cascade\":1,\"source\":7,\"time\":1}\n";
        let c = load_reader(text.as_bytes(), Format::Jsonl, "t", &NoProgress).unwrap();
        assert_eq!(c.source_names(), &["7", "a"]);
    }

    #[test]
    fn jsonl_missing_time_is_an_error_with_line() {
        let text =
            "{\"cascade\":1,\"source\":\"a\",\"time\":3}\n{\"cascade\":1,\"source\":\"b\"}\n";
        let err = load_reader(text.as_bytes(), Format::Jsonl, "t", &NoProgress).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("t:2:") && msg.contains("time"), "{msg}");
    }
}
