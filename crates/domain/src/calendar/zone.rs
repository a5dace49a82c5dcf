//! [`Zone`]: an IANA time zone, for turning instants into local dates and back.

use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use time::{Date, OffsetDateTime};

use super::error::echo;
use super::CalendarError;

const SECONDS_PER_DAY: i64 = 86_400;
/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// A validated IANA time-zone name such as `America/Toronto`,
/// `Europe/Paris` or `UTC`, with the zone's rules (daylight saving time
/// included) from the time-zone database built into the program.
///
/// Names are matched without regard to case and kept in their canonical
/// spelling: `Zone::parse("america/toronto")` is named `America/Toronto`.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone with this IANA name (surrounding spaces are ignored).
    ///
    /// # Errors
    ///
    /// [`CalendarError::UnknownTimeZone`] if the name is not in the
    /// time-zone database.
    pub fn parse(name: &str) -> Result<Zone, CalendarError> {
        let name = name.trim();
        let unknown = || CalendarError::UnknownTimeZone { name: echo(name) };
        if name.is_empty() {
            return Err(unknown());
        }
        let tz = TimeZone::get(name).map_err(|_| unknown())?;
        if tz.is_unknown() {
            return Err(unknown());
        }
        let canonical = tz.iana_name().unwrap_or(name).to_string();
        Ok(Zone {
            name: canonical,
            tz,
        })
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_string(),
            tz: TimeZone::UTC,
        }
    }

    /// The zone's canonical IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The calendar date of the instant `at` in this zone.
    pub fn local_date(&self, at: OffsetDateTime) -> Date {
        let (local, _) = self.local_seconds(at.unix_timestamp());
        date_from_unix_day(local.div_euclid(SECONDS_PER_DAY))
    }

    /// The last whole second of `date` in this zone (23:59:59 local time on
    /// ordinary days), in UTC.
    ///
    /// Daylight saving time is taken into account, including zones that
    /// change their clocks at midnight: it is always one second before the
    /// first instant of the next local day. The next day begins at
    /// `end_of_day(date) + 1 second`.
    ///
    /// Dates at the very ends of the supported range (years -9999 and 9999)
    /// may use the nearest known offset of the zone, and the result is
    /// clamped to the range of [`OffsetDateTime`].
    pub fn end_of_day(&self, date: Date) -> OffsetDateTime {
        let next_day = unix_day(date) + 1;
        let start = date
            .next_day()
            .and_then(|next| self.start_of_day_exact(next))
            .unwrap_or_else(|| {
                // Outside what the database covers: use the zone's offset near
                // that local midnight.
                let local = next_day * SECONDS_PER_DAY;
                local - i64::from(self.offset_seconds(local))
            });
        let last = start - 1;
        OffsetDateTime::from_unix_timestamp(last).unwrap_or_else(|_| {
            if last < 0 {
                time::PrimitiveDateTime::MIN.assume_utc()
            } else {
                time::PrimitiveDateTime::MAX.assume_utc()
            }
        })
    }

    /// The instant `at` as people in this zone read it, to the minute, with
    /// the zone's abbreviation: `2026-12-01 17:00 EST`. Zones without a
    /// customary abbreviation show their offset, as in `2026-12-01 21:00 +04`.
    pub fn display(&self, at: OffsetDateTime) -> String {
        let (local, abbreviation) = self.local_seconds(at.unix_timestamp());
        let date = date_from_unix_day(local.div_euclid(SECONDS_PER_DAY));
        let second_of_day = local.rem_euclid(SECONDS_PER_DAY);
        format!(
            "{date} {:02}:{:02} {abbreviation}",
            second_of_day / 3600,
            second_of_day % 3600 / 60
        )
    }

    /// Local seconds since 1970-01-01T00:00 (as if the local clock were UTC)
    /// for the instant `unix` seconds, and the abbreviation in force then.
    fn local_seconds(&self, unix: i64) -> (i64, String) {
        let info = self.tz.to_offset_info(clamped_timestamp(unix));
        let offset = info.offset().seconds();
        let mut abbreviation = info.abbreviation().to_string();
        if abbreviation.is_empty() {
            abbreviation = format_offset(offset);
        }
        (unix + i64::from(offset), abbreviation)
    }

    /// The zone's UTC offset in seconds at the instant `unix` seconds
    /// (clamped to the range the database covers).
    fn offset_seconds(&self, unix: i64) -> i32 {
        self.tz.to_offset(clamped_timestamp(unix)).seconds()
    }

    /// The first instant (Unix seconds) of `date` in this zone, if the
    /// database covers it. A day whose midnight is skipped by a clock change
    /// starts at the change.
    fn start_of_day_exact(&self, date: Date) -> Option<i64> {
        let month = i8::try_from(u8::from(date.month())).ok()?;
        let day = i8::try_from(date.day()).ok()?;
        let year = i16::try_from(date.year()).ok()?;
        let midnight = jiff::civil::DateTime::new(year, month, day, 0, 0, 0, 0).ok()?;
        // "Compatible": in a gap, the instant the clocks change; in a fold,
        // the earlier of the two midnights.
        let start = self.tz.to_ambiguous_timestamp(midnight).compatible().ok()?;
        Some(start.as_second())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.name).finish()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl FromStr for Zone {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

/// `unix` seconds as a jiff timestamp, moved into jiff's range if outside it.
fn clamped_timestamp(unix: i64) -> Timestamp {
    let clamped = unix.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Days since 1970-01-01 of `date`.
fn unix_day(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// The date `days` after 1970-01-01, clamped to the range of [`Date`].
fn date_from_unix_day(days: i64) -> Date {
    i32::try_from(days + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|julian| Date::from_julian_day(julian).ok())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// An offset in seconds as `+09`, `-03:30` or `+05:45`.
fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if minutes == 0 {
        format!("{sign}{hours:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}")
    }
}
