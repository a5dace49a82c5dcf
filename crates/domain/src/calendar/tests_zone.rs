//! Time zones: names, local dates, the end of a day across clock changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use time::macros::{date, datetime};
use time::Duration;

use super::*;

#[test]
fn names_are_validated_and_canonical() {
    let toronto = Zone::parse("America/Toronto").unwrap();
    assert_eq!(toronto.name(), "America/Toronto");
    assert_eq!(toronto.to_string(), "America/Toronto");
    assert_eq!(format!("{toronto:?}"), "Zone(\"America/Toronto\")");
    assert_eq!(Zone::parse(" america/toronto ").unwrap(), toronto);
    assert_eq!(
        "Europe/Paris".parse::<Zone>().unwrap().name(),
        "Europe/Paris"
    );
    assert_eq!(Zone::parse("UTC").unwrap(), Zone::utc());
    assert_eq!(Zone::parse("utc").unwrap().name(), "UTC");
    assert_eq!(Zone::utc().name(), "UTC");
}

#[test]
fn unknown_names_are_refused() {
    for name in [
        "",
        "   ",
        "Mars/Olympus_Mons",
        "America/Toront",
        "Etc/Unknown",
        "+05:00",
        "../../etc/passwd",
    ] {
        let err = Zone::parse(name).unwrap_err();
        assert_eq!(
            err,
            CalendarError::UnknownTimeZone {
                name: name.trim().into()
            },
            "{name:?}"
        );
    }
    assert_eq!(
        Zone::parse("Mars/Olympus_Mons").unwrap_err().to_string(),
        "unknown time zone 'Mars/Olympus_Mons': use a name such as America/Toronto, \
         Europe/Paris or UTC"
    );
}

#[test]
fn local_dates() {
    let los_angeles = Zone::parse("America/Los_Angeles").unwrap();
    let toronto = Zone::parse("America/Toronto").unwrap();
    let tokyo = Zone::parse("Asia/Tokyo").unwrap();
    // 23:30 Monday in Los Angeles (PST) is 02:30 Tuesday in Toronto, 16:30
    // in Tokyo.
    let at = datetime!(2026-11-30 23:30 -8);
    assert_eq!(los_angeles.local_date(at), date!(2026 - 11 - 30));
    assert_eq!(toronto.local_date(at), date!(2026 - 12 - 01));
    assert_eq!(tokyo.local_date(at), date!(2026 - 12 - 01));
    assert_eq!(Zone::utc().local_date(at), date!(2026 - 12 - 01));
    // The offset the instant was written with does not matter.
    assert_eq!(
        toronto.local_date(datetime!(2026-12-01 07:30 UTC)),
        date!(2026 - 12 - 01)
    );
    // Before 1970.
    assert_eq!(
        toronto.local_date(datetime!(1960-01-01 04:59:59 UTC)),
        date!(1959 - 12 - 31)
    );
    // Half-hour zones: India is UTC+5:30.
    let kolkata = Zone::parse("Asia/Kolkata").unwrap();
    assert_eq!(
        kolkata.local_date(datetime!(2026-06-30 18:29:59 UTC)),
        date!(2026 - 06 - 30)
    );
    assert_eq!(
        kolkata.local_date(datetime!(2026-06-30 18:30 UTC)),
        date!(2026 - 07 - 01)
    );
}

#[test]
fn end_of_day_toronto_dst_starts_2026_03_08() {
    // Clocks go from 02:00 EST to 03:00 EDT on Sun 2026-03-08: a 23-hour day.
    let toronto = Zone::parse("America/Toronto").unwrap();
    let sat = toronto.end_of_day(date!(2026 - 03 - 07));
    let sun = toronto.end_of_day(date!(2026 - 03 - 08));
    assert_eq!(sat, datetime!(2026-03-08 04:59:59 UTC)); // 23:59:59 EST
    assert_eq!(sun, datetime!(2026-03-09 03:59:59 UTC)); // 23:59:59 EDT
    assert_eq!(sun - sat, Duration::hours(23));
    assert_eq!(toronto.display(sat), "2026-03-07 23:59 EST");
    assert_eq!(toronto.display(sun), "2026-03-08 23:59 EDT");
    assert_eq!(
        toronto.local_date(sun + Duration::SECOND),
        date!(2026 - 03 - 09)
    );
}

#[test]
fn end_of_day_toronto_dst_ends_2026_11_01() {
    // Clocks go from 02:00 EDT back to 01:00 EST on Sun 2026-11-01: 25 hours.
    let toronto = Zone::parse("America/Toronto").unwrap();
    let sat = toronto.end_of_day(date!(2026 - 10 - 31));
    let sun = toronto.end_of_day(date!(2026 - 11 - 01));
    assert_eq!(sat, datetime!(2026-11-01 03:59:59 UTC)); // 23:59:59 EDT
    assert_eq!(sun, datetime!(2026-11-02 04:59:59 UTC)); // 23:59:59 EST
    assert_eq!(sun - sat, Duration::hours(25));
    assert_eq!(toronto.display(sat), "2026-10-31 23:59 EDT");
    assert_eq!(toronto.display(sun), "2026-11-01 23:59 EST");
    // 01:30 happens twice that night; both are on Nov 1.
    assert_eq!(
        toronto.display(datetime!(2026-11-01 05:30 UTC)),
        "2026-11-01 01:30 EDT"
    );
    assert_eq!(
        toronto.display(datetime!(2026-11-01 06:30 UTC)),
        "2026-11-01 01:30 EST"
    );
}

#[test]
fn end_of_day_when_clocks_change_at_midnight() {
    // Chile changes its clocks at midnight (tz rules: Sep Sun>=2 and
    // Apr Sun>=2, at 04:00 and 03:00 UTC).
    let santiago = Zone::parse("America/Santiago").unwrap();
    // Sun 2026-09-06 starts at 01:00 -03: midnight does not exist. Saturday
    // ends at 23:59:59 -04.
    let sat = santiago.end_of_day(date!(2026 - 09 - 05));
    assert_eq!(sat, datetime!(2026-09-06 03:59:59 UTC));
    assert_eq!(santiago.local_date(sat), date!(2026 - 09 - 05));
    assert_eq!(
        santiago.local_date(sat + Duration::SECOND),
        date!(2026 - 09 - 06)
    );
    assert_eq!(
        santiago.display(sat + Duration::SECOND),
        "2026-09-06 01:00 -03"
    );
    // On Sun 2026-04-05 at 00:00 -03 the clocks go back to Sat 23:00 -04:
    // Saturday's last hour happens twice, and Saturday ends after the second.
    let sat = santiago.end_of_day(date!(2026 - 04 - 04));
    assert_eq!(sat, datetime!(2026-04-05 03:59:59 UTC));
    assert_eq!(
        santiago.local_date(datetime!(2026-04-05 02:30 UTC)),
        date!(2026 - 04 - 04)
    );
    assert_eq!(
        santiago.local_date(datetime!(2026-04-05 03:30 UTC)),
        date!(2026 - 04 - 04)
    );
    assert_eq!(
        santiago.local_date(datetime!(2026-04-05 04:00 UTC)),
        date!(2026 - 04 - 05)
    );
}

#[test]
fn a_day_that_never_happened() {
    // Samoa skipped Fri 2011-12-30, moving from UTC-10 to UTC+14.
    let apia = Zone::parse("Pacific/Apia").unwrap();
    let thu = apia.end_of_day(date!(2011 - 12 - 29));
    assert_eq!(thu, datetime!(2011-12-30 09:59:59 UTC));
    assert_eq!(apia.end_of_day(date!(2011 - 12 - 30)), thu);
    assert_eq!(
        apia.local_date(thu + Duration::SECOND),
        date!(2011 - 12 - 31)
    );
}

#[test]
fn display_is_local_time_with_an_abbreviation() {
    let toronto = Zone::parse("America/Toronto").unwrap();
    assert_eq!(
        toronto.display(datetime!(2026-12-01 22:00 UTC)),
        "2026-12-01 17:00 EST"
    );
    assert_eq!(
        toronto.display(datetime!(2026-07-01 16:45:59 UTC)),
        "2026-07-01 12:45 EDT"
    );
    assert_eq!(
        Zone::utc().display(datetime!(2026-12-01 22:00 +2)),
        "2026-12-01 20:00 UTC"
    );
    assert_eq!(
        Zone::parse("Europe/Paris")
            .unwrap()
            .display(datetime!(2026-12-01 22:00 UTC)),
        "2026-12-01 23:00 CET"
    );
    assert_eq!(
        Zone::parse("Asia/Kathmandu")
            .unwrap()
            .display(datetime!(2026-12-01 00:00 UTC)),
        "2026-12-01 05:45 +0545"
    );
}

#[test]
fn the_ends_of_time() {
    // Instants outside the database's range still give an answer.
    let toronto = Zone::parse("America/Toronto").unwrap();
    let max = time::PrimitiveDateTime::MAX.assume_utc();
    let min = time::PrimitiveDateTime::MIN.assume_utc();
    assert_eq!(toronto.local_date(max), date!(9999 - 12 - 31));
    assert_eq!(toronto.local_date(min), time::Date::MIN);
    assert_eq!(
        Zone::parse("Asia/Tokyo").unwrap().local_date(max),
        time::Date::MAX
    );
    // The last second of 9999-12-31 in Toronto is after the last instant
    // `OffsetDateTime` can hold (without its `large-dates` feature): clamped.
    let last = toronto.end_of_day(time::Date::MAX);
    assert!(last >= datetime!(9999-12-31 23:59:59 UTC));
    assert_eq!(toronto.local_date(last), time::Date::MAX);
}
