//! Entry and checkpoint times: RFC 3339 in UTC, one spelling.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::LedgerError;

/// A time written as RFC 3339 in UTC with a `Z` suffix:
/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, 1–9 fraction digits.
///
/// Only the shape and field ranges are checked (the domain crate has no
/// calendar); offsets other than `Z`, lower-case `t`/`z` and spaces are
/// refused so that a time has one spelling inside a hashed header.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LedgerTime(String);

impl LedgerTime {
    /// Parse an RFC 3339 UTC time.
    pub fn parse(s: &str) -> Result<Self, LedgerError> {
        if is_rfc3339_utc(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(LedgerError::Malformed {
                what: "a time",
                expected: "RFC 3339 in UTC, like 2026-11-25T12:45:12Z or 2026-11-25T12:45:12.123Z",
            })
        }
    }

    /// The time as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_rfc3339_utc(b: &[u8]) -> bool {
    fn num(b: &[u8], at: usize, len: usize) -> Option<u32> {
        let digits = b.get(at..at + len)?;
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    }
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    let fields = (|| {
        let (year, month, day) = (num(b, 0, 4)?, num(b, 5, 2)?, num(b, 8, 2)?);
        let (hour, minute, second) = (num(b, 11, 2)?, num(b, 14, 2)?, num(b, 17, 2)?);
        Some((year, month, day, hour, minute, second))
    })();
    let Some((year, month, day, hour, minute, second)) = fields else {
        return false;
    };
    let shape = sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':');
    // A day the month has; a leap second only as a day's last.
    let ranges = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour <= 23
        && minute <= 59
        && (second <= 59 || (second == 60 && hour == 23 && minute == 59));
    let tail = match b.get(19..) {
        Some([b'Z']) => true,
        Some([b'.', rest @ .., b'Z']) => {
            (1..=9).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    shape && ranges && tail
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for LedgerTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LedgerTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if is_rfc3339_utc(s.as_bytes()) {
            Ok(Self(s))
        } else {
            Self::parse(&s).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_utc_rfc3339() {
        for ok in [
            "2026-11-25T12:45:12Z",
            "2026-11-25T12:45:12.1Z",
            "2026-11-25T12:45:12.123456789Z",
            "2016-12-31T23:59:60Z",
            "2024-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2026-04-30T23:59:59Z",
        ] {
            assert!(LedgerTime::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_spellings() {
        for bad in [
            "",
            "2026-11-25",
            "2026-11-25 12:45:12Z",
            "2026-11-25t12:45:12z",
            "2026-11-25T12:45:12+00:00",
            "2026-11-25T12:45:12.Z",
            "2026-11-25T12:45:12.1234567890Z",
            "2026-13-25T12:45:12Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T12:45:12ZZ",
            "२०२६-11-25T12:45:12Z",
            "2026-02-29T12:00:00Z",
            "2026-02-31T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-11-25T12:45:60Z",
        ] {
            assert!(LedgerTime::parse(bad).is_err(), "{bad}");
        }
    }
}
