//! Costs per source, for budgeted selection.
//!
//! The costs file has one `source,cost` line per source (an optional header `source,cost`; blank
//! lines and lines starting with `#` are skipped). Costs are positive numbers, e.g. a source's
//! number of posts or the minutes it takes to read. Every source in the cascades needs a cost;
//! lines naming sources that occur in no cascade are ignored.

use std::io::Read;
use std::path::Path;

use crate::cascades::Cascades;
use crate::error::ListenError;
use crate::read::{for_each_line, NoProgress};

/// Reads a costs file into a cost per source id of `data`.
pub fn read_costs(path: &Path, data: &Cascades) -> Result<Vec<f64>, ListenError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| ListenError::io(&name, e))?;
    parse_costs(file, &name, data)
}

/// Reads costs from any reader; `name` is used in error messages.
pub fn parse_costs<R: Read>(
    reader: R,
    name: &str,
    data: &Cascades,
) -> Result<Vec<f64>, ListenError> {
    let index = data.name_index();
    let mut costs = vec![f64::NAN; data.n_sources()];
    let mut first = true;
    for_each_line(reader, name, &NoProgress, |no, line| {
        let text = String::from_utf8_lossy(line);
        let t = text.trim();
        if t.is_empty() || t.starts_with('#') {
            return Ok(());
        }
        let Some((source, cost)) = t.rsplit_once(',') else {
            return Err(ListenError::parse(name, no, 1, "expected `source,cost`"));
        };
        let col = source.len() as u64 + 2;
        let (source, cost) = (source.trim(), cost.trim());
        if std::mem::take(&mut first)
            && source.eq_ignore_ascii_case("source")
            && cost.eq_ignore_ascii_case("cost")
        {
            return Ok(());
        }
        let c: f64 = cost.parse().map_err(|_| {
            ListenError::parse(name, no, col, format!("cost `{cost}` is not a number"))
        })?;
        if !(c.is_finite() && c > 0.0) {
            return Err(ListenError::parse(
                name,
                no,
                col,
                format!("cost {cost} of {source:?} must be positive"),
            ));
        }
        if let Some(&id) = index.get(source) {
            if !costs[id as usize].is_nan() {
                return Err(ListenError::parse(
                    name,
                    no,
                    1,
                    format!("source {source:?} has a second cost"),
                ));
            }
            costs[id as usize] = c;
        }
        Ok(())
    })?;
    let missing: Vec<&str> = costs
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_nan())
        .map(|(i, _)| data.names[i].as_str())
        .collect();
    if let Some(first) = missing.first() {
        return Err(ListenError::InvalidArgument(format!(
            "{name}: {} of {} sources have no cost, e.g. {first:?}",
            missing.len(),
            data.n_sources()
        )));
    }
    Ok(costs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn data() -> Cascades {
        Cascades::from_events(vec![vec![("a", 0), ("b", 1)]]).unwrap()
    }

    #[test]
    fn reads_costs_with_header_and_comments() {
        let c = parse_costs(
            "source,cost\n# x\nb,2.5\na,1\nzz,3\n".as_bytes(),
            "c",
            &data(),
        )
        .unwrap();
        assert_eq!(c, vec![1.0, 2.5]);
    }

    #[test]
    fn zero_negative_missing_and_bad_costs() {
        for text in [
            "a,0\nb,1\n",
            "a,-1\nb,1\n",
            "a,x\nb,1\n",
            "a,1\n",
            "a,1\na,2\nb,1\n",
            "a\n",
        ] {
            assert!(
                parse_costs(text.as_bytes(), "c", &data()).is_err(),
                "{text}"
            );
        }
        let e = parse_costs("a,1\nb,0\n".as_bytes(), "c", &data()).unwrap_err();
        assert!(e.to_string().starts_with("c:2:3:"), "{e}");
    }
}
