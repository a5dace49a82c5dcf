//! Property tests against a slow, obviously-correct model that walks the
//! calendar one day at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use time::macros::date;
use time::{Date, Duration, OffsetDateTime, Weekday};

use super::*;

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// The slow model: the rules of [`BusinessCalendar::new`], one day at a time.
struct Model {
    weekend: Vec<Weekday>,
    holidays: BTreeSet<Date>,
    substitutes: BTreeSet<Date>,
}

impl Model {
    fn new(weekend: &[Weekday], holidays: &[Date], observe: bool) -> Model {
        let holidays: BTreeSet<Date> = holidays.iter().copied().collect();
        let is_weekend = |d: Date| weekend.contains(&d.weekday());
        let mut substitutes = BTreeSet::new();
        if observe {
            for &h in holidays.iter().filter(|&&h| is_weekend(h)) {
                let mut d = h.next_day().unwrap();
                while is_weekend(d) || holidays.contains(&d) || substitutes.contains(&d) {
                    d = d.next_day().unwrap();
                }
                substitutes.insert(d);
            }
        }
        Model {
            weekend: weekend.to_vec(),
            holidays,
            substitutes,
        }
    }

    fn is_business_day(&self, d: Date) -> bool {
        !self.weekend.contains(&d.weekday())
            && !self.holidays.contains(&d)
            && !self.substitutes.contains(&d)
    }

    fn add(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        if n == 0 {
            while !self.is_business_day(d) {
                d = d.next_day().unwrap();
            }
            return d;
        }
        let mut found = 0;
        loop {
            d = d.next_day().unwrap();
            if self.is_business_day(d) {
                found += 1;
                if found == n {
                    return d;
                }
            }
        }
    }

    fn between(&self, a: Date, b: Date) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0;
        let mut d = lo;
        while d < hi {
            d = d.next_day().unwrap();
            if self.is_business_day(d) {
                count += 1;
            }
        }
        sign * count
    }
}

const BASE: Date = date!(2024 - 01 - 01);

fn day(offset: u32) -> Date {
    BASE + Duration::days(i64::from(offset))
}

/// Any weekend but all seven days.
fn weekend() -> impl Strategy<Value = Vec<Weekday>> {
    (0u8..0b111_1111).prop_map(|mask| {
        WEEK.into_iter()
            .filter(|d| mask & (1 << d.number_days_from_monday()) != 0)
            .collect()
    })
}

/// Up to 40 holidays in 2024-2029, with runs and repeats likely.
fn holidays() -> impl Strategy<Value = Vec<Date>> {
    prop::collection::vec(
        prop_oneof![
            (0u32..2192).prop_map(day),
            // Clustered around the new year of 2026, to make runs.
            (725u32..745).prop_map(day),
        ],
        0..40,
    )
}

fn calendar() -> impl Strategy<Value = (Vec<Weekday>, Vec<Date>, bool)> {
    (weekend(), holidays(), any::<bool>())
}

fn build(weekend: &[Weekday], holidays: &[Date], observe: bool) -> (BusinessCalendar, Model) {
    (
        BusinessCalendar::new(weekend, holidays.iter().copied(), observe).unwrap(),
        Model::new(weekend, holidays, observe),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn business_day_iff_not_weekend_holiday_or_substitute(
        (weekend, holidays, observe) in calendar(),
        start in 0u32..2000,
    ) {
        let (cal, model) = build(&weekend, &holidays, observe);
        for offset in start..start + 200 {
            let d = day(offset);
            prop_assert_eq!(cal.is_business_day(d), model.is_business_day(d), "{}", d);
            prop_assert_eq!(cal.is_weekend_day(d), weekend.contains(&d.weekday()));
        }
        prop_assert_eq!(cal.observed_days().collect::<BTreeSet<_>>(), model.substitutes.clone());
        // Each holiday on a weekend day gives exactly one substitute (when
        // observed), and a substitute is never a weekend day or a holiday.
        let on_weekend = model.holidays.iter().filter(|h| weekend.contains(&h.weekday())).count();
        prop_assert_eq!(cal.observed_days().count(), if observe { on_weekend } else { 0 });
        for s in cal.observed_days() {
            prop_assert!(!weekend.contains(&s.weekday()));
            prop_assert!(!model.holidays.contains(&s));
        }
        prop_assert_eq!(cal.holidays().collect::<BTreeSet<_>>(), model.holidays.clone());
        prop_assert_eq!(cal.observes_weekend_holidays(), observe);
    }

    #[test]
    fn add_matches_the_model(
        (weekend, holidays, observe) in calendar(),
        from in 0u32..2192,
        n in 0u32..200,
    ) {
        let (cal, model) = build(&weekend, &holidays, observe);
        let from = day(from);
        let due = cal.add_business_days(from, n).unwrap();
        prop_assert_eq!(due, model.add(from, n));
        prop_assert!(cal.is_business_day(due));
        if n >= 1 {
            prop_assert!(due > from);
            prop_assert_eq!(cal.business_days_between(from, due), i64::from(n));
            // The day before the due date is still short of n.
            prop_assert_eq!(cal.business_days_between(from, due.previous_day().unwrap()), i64::from(n) - 1);
        } else {
            prop_assert!(due >= from);
        }
    }

    #[test]
    fn add_is_monotone_and_composes(
        (weekend, holidays, observe) in calendar(),
        from in 0u32..2192,
        a in 1u32..120,
        b in 1u32..120,
    ) {
        let (cal, _) = build(&weekend, &holidays, observe);
        let from = day(from);
        let after_a = cal.add_business_days(from, a).unwrap();
        let after_a_plus_1 = cal.add_business_days(from, a + 1).unwrap();
        prop_assert!(after_a < after_a_plus_1);
        prop_assert!(cal.add_business_days(from, 0).unwrap() <= cal.add_business_days(from, 1).unwrap());
        prop_assert_eq!(
            cal.add_business_days(after_a, b).unwrap(),
            cal.add_business_days(from, a + b).unwrap()
        );
    }

    #[test]
    fn between_matches_the_model_and_adds_up(
        (weekend, holidays, observe) in calendar(),
        a in 0u32..2192,
        b in 0u32..2192,
        c in 0u32..2192,
    ) {
        let (cal, model) = build(&weekend, &holidays, observe);
        let (a, b, c) = (day(a), day(b), day(c));
        prop_assert_eq!(cal.business_days_between(a, b), model.between(a, b));
        prop_assert_eq!(cal.business_days_between(a, b), -cal.business_days_between(b, a));
        prop_assert_eq!(cal.business_days_between(a, a), 0);
        prop_assert_eq!(
            cal.business_days_between(a, b) + cal.business_days_between(b, c),
            cal.business_days_between(a, c)
        );
    }

    #[test]
    fn weekend_and_holiday_text_round_trips(
        (weekend, holidays, _) in calendar(),
    ) {
        prop_assert_eq!(parse_weekend(&format_weekend(&weekend)).unwrap(), weekend.clone());
        let upper = format_weekend(&weekend).to_uppercase().replace(',', ", ");
        prop_assert_eq!(parse_weekend(&upper).unwrap(), weekend);
        let sorted: Vec<Date> = holidays.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        prop_assert_eq!(parse_holidays(&format_holidays(holidays.iter().copied())).unwrap(), sorted);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Long response times exercise the whole-week jumps.
    #[test]
    fn long_adds_match_the_model(
        (weekend, holidays, observe) in calendar(),
        from in 0u32..2192,
        n in 0u32..=MAX_BUSINESS_DAYS,
    ) {
        let (cal, model) = build(&weekend, &holidays, observe);
        let from = day(from);
        prop_assert_eq!(cal.add_business_days(from, n).unwrap(), model.add(from, n));
    }
}

const ZONES: [&str; 10] = [
    "UTC",
    "America/Toronto",
    "America/Los_Angeles",
    "America/Santiago",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Apia",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn local_date_agrees_with_the_zone_rules(
        zone in prop::sample::select(&ZONES[..]),
        // 1900 to 2200.
        unix in -2_208_988_800i64..7_258_118_400,
    ) {
        let zone = Zone::parse(zone).unwrap();
        let at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
        let tz = jiff::tz::TimeZone::get(zone.name()).unwrap();
        let civil = tz.to_datetime(jiff::Timestamp::from_second(unix).unwrap());
        let local = zone.local_date(at);
        prop_assert_eq!(
            (local.year(), u8::from(local.month()), local.day()),
            (i32::from(civil.year()), u8::try_from(civil.month()).unwrap(), u8::try_from(civil.day()).unwrap())
        );
        let shown = zone.display(at);
        let expected = format!("{local} {:02}:{:02} ", civil.hour(), civil.minute());
        prop_assert!(shown.starts_with(&expected), "{} vs {}", shown, expected);
    }

    #[test]
    fn end_of_day_is_the_last_second_of_the_day(
        zone in prop::sample::select(&ZONES[..]),
        offset in 0u32..80_000,
    ) {
        // 1900-01-01 to about 2119.
        let zone = Zone::parse(zone).unwrap();
        let date = date!(1900 - 01 - 01) + Duration::days(i64::from(offset));
        let end = zone.end_of_day(date);
        prop_assert_eq!(end.offset(), time::UtcOffset::UTC);
        prop_assert_eq!(end.nanosecond(), 0);
        // Still `date` (or, for a day the zone skipped, before it), and the
        // next second is after it.
        prop_assert!(zone.local_date(end) <= date);
        prop_assert!(zone.local_date(end + Duration::SECOND) > date);
        if zone.name() != "Pacific/Apia" {
            prop_assert_eq!(zone.local_date(end), date);
        }
        // The next day ends later.
        prop_assert!(zone.end_of_day(date.next_day().unwrap()) > end);
    }

    #[test]
    fn deadline_is_consistent(
        (weekend, holidays, observe) in calendar(),
        zone in prop::sample::select(&ZONES[..]),
        // 2024-01-01 to 2030-01-01.
        unix in 1_704_067_200i64..1_893_456_000,
        n in 0u32..60,
        later in 0i64..(120 * 86_400),
    ) {
        let (cal, _) = build(&weekend, &holidays, observe);
        let zone = Zone::parse(zone).unwrap();
        let received = OffsetDateTime::from_unix_timestamp(unix).unwrap();
        let due = deadline(received, &zone, &cal, n).unwrap();
        prop_assert_eq!(due.received_on, zone.local_date(received));
        prop_assert_eq!(due.due_on, cal.add_business_days(due.received_on, n).unwrap());
        prop_assert_eq!(due.due_at, zone.end_of_day(due.due_on));
        prop_assert!(!due.is_overdue(received));
        let now = received + Duration::seconds(later);
        let left = business_days_left(now, &due, &zone, &cal);
        prop_assert_eq!(due.is_overdue(now), left < 0);
        prop_assert_eq!(due.is_overdue(now), zone.local_date(now) > due.due_on);
        if n >= 1 {
            prop_assert_eq!(business_days_left(received, &due, &zone, &cal), i64::from(n));
        }
    }
}
