//! CSV and TSV cascades: `cascade,source,time` rows.

use std::io::Read;

use crate::cascades::Staging;
use crate::error::ListenError;
use crate::read::{for_each_line, Progress, Rows};

/// Reads delimited rows; blank lines and lines starting with `#` are skipped; a first row
/// `cascade,source,time` is a header.
pub(crate) fn read_delimited<R: Read>(
    reader: R,
    sep: u8,
    name: &str,
    progress: &dyn Progress,
) -> Result<Staging, ListenError> {
    let mut rows = Rows::default();
    let mut seen_data = false;
    for_each_line(reader, name, progress, |no, line| {
        let text = std::str::from_utf8(line)
            .map_err(|e| ListenError::parse(name, no, e.valid_up_to() as u64 + 1, "not UTF-8"))?;
        if text.trim().is_empty() || text.starts_with('#') {
            return Ok(());
        }
        let sep_char = sep as char;
        let mut fields = [(""); 3];
        let mut cols = [0usize; 3];
        let mut count = 0;
        let mut col = 0usize;
        for field in text.split(sep_char) {
            if count < 3 {
                fields[count] = field.trim();
                cols[count] = col;
            }
            count += 1;
            col += field.len() + 1;
        }
        if count != 3 {
            return Err(ListenError::parse(
                name,
                no,
                1,
                format!("expected 3 fields `cascade{sep_char}source{sep_char}time`, found {count}"),
            ));
        }
        if !seen_data {
            seen_data = true;
            if fields[0].eq_ignore_ascii_case("cascade")
                && fields[1].eq_ignore_ascii_case("source")
                && fields[2].eq_ignore_ascii_case("time")
            {
                return Ok(());
            }
        }
        for (i, what) in [(0, "cascade"), (1, "source")] {
            if fields[i].is_empty() {
                return Err(ListenError::parse(
                    name,
                    no,
                    cols[i] as u64 + 1,
                    format!("empty {what}"),
                ));
            }
        }
        let time: i64 = fields[2].parse().map_err(|_| {
            let msg = if fields[2].is_empty() {
                "missing time".to_string()
            } else {
                format!("time `{}` is not an integer", fields[2])
            };
            ListenError::parse(name, no, cols[2] as u64 + 1, msg)
        })?;
        rows.push(fields[0], fields[1], time)
    })?;
    Ok(rows.into_staging())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use crate::read::{load_reader, Format, NoProgress};
    use crate::ListenError;

    #[test]
    fn csv_groups_rows_and_skips_header() {
        let text = "cascade,source,time\nc1,a,5\nc2,b,1\nc1,b,7\n";
        let c = load_reader(text.as_bytes(), Format::Csv, "t.csv", &NoProgress).unwrap();
        assert_eq!(c.n_cascades(), 2);
        assert_eq!(c.n_participations(), 3);
    }

    #[test]
    fn tsv_reads_tabs() {
        let c = load_reader(
            "1\tx\t3\n1\ty\t4\n".as_bytes(),
            Format::Tsv,
            "t",
            &NoProgress,
        )
        .unwrap();
        assert_eq!(c.n_sources(), 2);
    }

    #[test]
    fn csv_bad_time_names_line_and_column() {
        let err = load_reader(
            "c,a,1\nc,b,x1\n".as_bytes(),
            Format::Csv,
            "t.csv",
            &NoProgress,
        )
        .unwrap_err();
        match err {
            ListenError::Parse { line, column, .. } => assert_eq!((line, column), (2, 5)),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn csv_missing_field() {
        let err = load_reader("c,a\n".as_bytes(), Format::Csv, "t.csv", &NoProgress).unwrap_err();
        assert!(err.to_string().contains("t.csv:1:1"), "{err}");
    }
}
