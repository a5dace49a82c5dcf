//! Due dates counted by hand on printed calendars (weekdays checked with
//! `date -d YYYY-MM-DD +%a`). Each comment shows the count: the running total
//! of business days after the day of receipt.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use time::macros::{date, datetime};
use time::{Date, Weekday};

use super::*;

fn sat_sun(holidays: &[Date], observed: bool) -> BusinessCalendar {
    BusinessCalendar::new(
        &[Weekday::Saturday, Weekday::Sunday],
        holidays.iter().copied(),
        observed,
    )
    .unwrap()
}

/// Canada's federal statutory holidays from 2026 to March 2027.
fn canada_federal() -> BusinessCalendar {
    let text = "\
        2026-01-01 # New Year's Day (Thu)\n\
        2026-04-03 # Good Friday\n\
        2026-04-06 # Easter Monday\n\
        2026-05-18 # Victoria Day\n\
        2026-07-01 # Canada Day (Wed)\n\
        2026-09-07 # Labour Day\n\
        2026-09-30 # National Day for Truth and Reconciliation (Wed)\n\
        2026-10-12 # Thanksgiving\n\
        2026-11-11 # Remembrance Day (Wed)\n\
        2026-12-25 # Christmas Day (Fri)\n\
        2026-12-26 # Boxing Day (Sat: observed Mon 2026-12-28)\n\
        2027-01-01 # New Year's Day (Fri)\n\
        2027-03-26 # Good Friday\n\
        2027-03-29 # Easter Monday\n";
    BusinessCalendar::new(
        &parse_weekend("sat,sun").unwrap(),
        parse_holidays(text).unwrap(),
        true,
    )
    .unwrap()
}

#[test]
fn thirty_days_from_a_monday_no_holidays() {
    // Received Mon 2026-01-05.
    // Jan  6- 9 Tue-Fri  4
    // Jan 12-16          9
    // Jan 19-23         14
    // Jan 26-30         19
    // Feb  2- 6         24
    // Feb  9-13         29
    // Feb 16 Mon        30
    let cal = BusinessCalendar::standard();
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 05), 30).unwrap(),
        date!(2026 - 02 - 16)
    );
    assert_eq!(
        cal.business_days_between(date!(2026 - 01 - 05), date!(2026 - 02 - 16)),
        30
    );
}

#[test]
fn thirty_days_from_a_friday() {
    // Received Fri 2026-01-09.
    // Jan 12-16  5 | Jan 19-23 10 | Jan 26-30 15
    // Feb  2- 6 20 | Feb  9-13 25 | Feb 16-20 30  -> Fri Feb 20
    let cal = BusinessCalendar::standard();
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 09), 30).unwrap(),
        date!(2026 - 02 - 20)
    );
}

#[test]
fn weekend_receipt_counts_from_monday() {
    // Received Sat 2026-01-10 or Sun 2026-01-11: the same count as from
    // Fri 2026-01-09, since Sat and Sun are not business days.
    let cal = BusinessCalendar::standard();
    for received in [date!(2026 - 01 - 10), date!(2026 - 01 - 11)] {
        assert_eq!(
            cal.add_business_days(received, 30).unwrap(),
            date!(2026 - 02 - 20)
        );
        // One business day after a weekend day is the Monday.
        assert_eq!(
            cal.add_business_days(received, 1).unwrap(),
            date!(2026 - 01 - 12)
        );
        // Zero business days: the next business day.
        assert_eq!(
            cal.add_business_days(received, 0).unwrap(),
            date!(2026 - 01 - 12)
        );
    }
    // Zero business days from a business day is that day.
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 09), 0).unwrap(),
        date!(2026 - 01 - 09)
    );
}

#[test]
fn christmas_and_new_year_2026_canada() {
    // 2026-12-25 Fri Christmas, 2026-12-26 Sat Boxing Day -> observed
    // Mon 2026-12-28, 2027-01-01 Fri New Year's Day.
    let cal = canada_federal();
    assert_eq!(
        cal.observed_days().collect::<Vec<_>>(),
        [date!(2026 - 12 - 28)]
    );
    assert!(!cal.is_business_day(date!(2026 - 12 - 25)));
    assert!(!cal.is_business_day(date!(2026 - 12 - 28)));
    assert!(cal.is_business_day(date!(2026 - 12 - 29)));
    assert!(!cal.is_business_day(date!(2027 - 01 - 01)));

    // Received Tue 2026-12-01.
    // Dec  2- 4  3 | Dec  7-11  8 | Dec 14-18 13
    // Dec 21-24 17 (25 off) | Dec 28 off | Dec 29-31 20 | Jan 1 off
    // Jan  4- 8 25 | Jan 11-15 30  -> Fri 2027-01-15
    assert_eq!(
        cal.add_business_days(date!(2026 - 12 - 01), 30).unwrap(),
        date!(2027 - 01 - 15)
    );

    // Received Fri 2026-12-18.
    // Dec 21-24  4 | Dec 28 off | Dec 29-31  7 | Jan 1 off
    // Jan  4- 8 12 | Jan 11-15 17 | Jan 18-22 22 | Jan 25-29 27
    // Feb  1- 3 30  -> Wed 2027-02-03
    assert_eq!(
        cal.add_business_days(date!(2026 - 12 - 18), 30).unwrap(),
        date!(2027 - 02 - 03)
    );

    // Without the observed rule, Mon Dec 28 is a working day:
    // Dec 2-24 17 | Dec 28-31 21 | Jan 4-8 26 | Jan 11-14 30 -> Thu Jan 14.
    let unobserved =
        BusinessCalendar::new(&[Weekday::Saturday, Weekday::Sunday], cal.holidays(), false)
            .unwrap();
    assert!(unobserved.is_business_day(date!(2026 - 12 - 28)));
    assert_eq!(
        unobserved
            .add_business_days(date!(2026 - 12 - 01), 30)
            .unwrap(),
        date!(2027 - 01 - 14)
    );
}

#[test]
fn christmas_2027_both_days_on_the_weekend() {
    // 2027-12-25 Sat and 2027-12-26 Sun: observed Mon 27 and Tue 28.
    let cal = sat_sun(&[date!(2027 - 12 - 25), date!(2027 - 12 - 26)], true);
    assert_eq!(
        cal.observed_days().collect::<Vec<_>>(),
        [date!(2027 - 12 - 27), date!(2027 - 12 - 28)]
    );
    // Received Fri 2027-12-24: Dec 27, 28 off; Dec 29 Wed 1, Dec 30 2, Dec 31 3.
    assert_eq!(
        cal.add_business_days(date!(2027 - 12 - 24), 3).unwrap(),
        date!(2027 - 12 - 31)
    );
}

#[test]
fn year_end() {
    // Received Wed 2026-12-30, New Year's Day off.
    // Dec 31 Thu 1 | Jan 1 off | Jan 4-7 Mon-Thu 5  -> Thu 2027-01-07
    let cal = sat_sun(&[date!(2027 - 01 - 01)], true);
    assert_eq!(
        cal.add_business_days(date!(2026 - 12 - 30), 5).unwrap(),
        date!(2027 - 01 - 07)
    );
    assert_eq!(
        cal.business_days_between(date!(2026 - 12 - 30), date!(2027 - 01 - 07)),
        5
    );
    assert_eq!(
        cal.business_days_between(date!(2027 - 01 - 07), date!(2026 - 12 - 30)),
        -5
    );
    // Whole of 2026 (Jan 1 2026 is a Thu): 365 days = 52 weeks + 1 day;
    // 52 * 5 = 260, plus the extra day Thu 2026-12-31 = 261.
    assert_eq!(
        BusinessCalendar::standard()
            .business_days_between(date!(2025 - 12 - 31), date!(2026 - 12 - 31)),
        261
    );
}

#[test]
fn leap_year_february_2028() {
    // Received Mon 2028-02-14, no holidays.
    // Feb 15-18 4 | Feb 21-25 9 | Feb 28, 29 11 | Mar 1-3 14
    // Mar 6-10 19 | Mar 13-17 24 | Mar 20-24 29 | Mar 27 Mon 30
    let cal = BusinessCalendar::standard();
    assert_eq!(
        cal.add_business_days(date!(2028 - 02 - 14), 30).unwrap(),
        date!(2028 - 03 - 27)
    );
    // Tue 2028-02-29 is a business day, the day after Mon Feb 28.
    assert_eq!(
        cal.add_business_days(date!(2028 - 02 - 28), 1).unwrap(),
        date!(2028 - 02 - 29)
    );
    // 2027 is not a leap year: Fri 2027-02-26 + 1 = Mon 2027-03-01.
    assert_eq!(
        cal.add_business_days(date!(2027 - 02 - 26), 1).unwrap(),
        date!(2027 - 03 - 01)
    );
    // Feb 2 .. Mar 1 2028: Feb 2-4 3 | 7-11 8 | 14-18 13 | 21-25 18 |
    // Feb 28, 29 20 | Mar 1 21.
    assert_eq!(
        cal.business_days_between(date!(2028 - 02 - 01), date!(2028 - 03 - 01)),
        21
    );
    // Feb 29 as a holiday: Fri 2028-02-25 + 5 = Feb 28 1 | Feb 29 off |
    // Mar 1-3 4 | Mar 6 5.
    let cal = sat_sun(&[date!(2028 - 02 - 29)], true);
    assert_eq!(
        cal.add_business_days(date!(2028 - 02 - 25), 5).unwrap(),
        date!(2028 - 03 - 06)
    );
}

#[test]
fn friday_saturday_weekend() {
    // Work Sun-Thu. Received Thu 2026-01-01.
    // Jan 4- 8 Sun-Thu 5 | Jan 11-15 10 | Jan 18-22 15 | Jan 25-29 20
    // Feb 1- 5 25 | Feb 8-12 30  -> Thu 2026-02-12
    let cal = BusinessCalendar::new(&parse_weekend("fri, sat").unwrap(), [], true).unwrap();
    assert_eq!(cal.weekend(), [Weekday::Friday, Weekday::Saturday]);
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 01), 30).unwrap(),
        date!(2026 - 02 - 12)
    );
    // Received Fri 2026-01-02 (weekend): the same 30th day.
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 02), 30).unwrap(),
        date!(2026 - 02 - 12)
    );
    // Thu 2026-01-08 + 1 = Sun 2026-01-11.
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 08), 1).unwrap(),
        date!(2026 - 01 - 11)
    );
    assert!(cal.is_business_day(date!(2026 - 01 - 11))); // Sunday
    assert!(!cal.is_business_day(date!(2026 - 01 - 09))); // Friday

    // A holiday on Friday 2026-01-09 is observed on Sun 2026-01-11:
    // Thu Jan 8 + 1 = Mon Jan 12.
    let cal = BusinessCalendar::new(
        &[Weekday::Friday, Weekday::Saturday],
        [date!(2026 - 01 - 09)],
        true,
    )
    .unwrap();
    assert_eq!(
        cal.observed_days().collect::<Vec<_>>(),
        [date!(2026 - 01 - 11)]
    );
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 08), 1).unwrap(),
        date!(2026 - 01 - 12)
    );
}

#[test]
fn sunday_holiday_observed_or_not() {
    // Canada Day, Sun 2029-07-01. Received Fri 2029-06-29, 5 business days.
    // Observed:     Jul 2 off | Jul 3-6 Tue-Fri 4 | Jul 9 Mon 5
    // Not observed: Jul 2-6 Mon-Fri 5
    let observed = sat_sun(&[date!(2029 - 07 - 01)], true);
    let not_observed = sat_sun(&[date!(2029 - 07 - 01)], false);
    assert!(observed.observes_weekend_holidays());
    assert!(!not_observed.observes_weekend_holidays());
    assert!(!observed.is_business_day(date!(2029 - 07 - 02)));
    assert!(not_observed.is_business_day(date!(2029 - 07 - 02)));
    assert_eq!(
        observed
            .add_business_days(date!(2029 - 06 - 29), 5)
            .unwrap(),
        date!(2029 - 07 - 09)
    );
    assert_eq!(
        not_observed
            .add_business_days(date!(2029 - 06 - 29), 5)
            .unwrap(),
        date!(2029 - 07 - 06)
    );
    // A substitute skips a holiday on the Monday: Sun 2029-07-01 and
    // Mon 2029-07-02 both holidays -> observed Tue 2029-07-03.
    let cal = sat_sun(&[date!(2029 - 07 - 01), date!(2029 - 07 - 02)], true);
    assert_eq!(
        cal.observed_days().collect::<Vec<_>>(),
        [date!(2029 - 07 - 03)]
    );
}

#[test]
fn duplicate_holidays_count_once() {
    let with_repeats = sat_sun(
        &[
            date!(2026 - 12 - 25),
            date!(2027 - 01 - 01),
            date!(2026 - 12 - 25),
            date!(2026 - 12 - 26),
            date!(2026 - 12 - 25),
            date!(2026 - 12 - 26),
        ],
        true,
    );
    let plain = sat_sun(
        &[
            date!(2026 - 12 - 25),
            date!(2026 - 12 - 26),
            date!(2027 - 01 - 01),
        ],
        true,
    );
    assert_eq!(with_repeats, plain);
    assert_eq!(with_repeats.holidays().count(), 3);
    // A repeated Saturday holiday gets one substitute, not two.
    assert_eq!(
        with_repeats.observed_days().collect::<Vec<_>>(),
        [date!(2026 - 12 - 28)]
    );
    assert_eq!(
        with_repeats
            .add_business_days(date!(2026 - 12 - 01), 30)
            .unwrap(),
        date!(2027 - 01 - 15)
    );
}

#[test]
fn deadline_tokyo_organization_los_angeles_sender() {
    // Sent Thu 2026-01-08 23:30 PST (UTC-8) = Fri 2026-01-09 07:30 UTC =
    // Fri 2026-01-09 16:30 JST: received on Friday in Tokyo.
    // Japanese holidays: Mon Jan 12 (Coming of Age Day), Wed Feb 11
    // (National Foundation Day), Mon Feb 23 (Emperor's Birthday).
    // Jan 12 off | Jan 13-16 4 | Jan 19-23 9 | Jan 26-30 14 | Feb 2-6 19
    // Feb 9, 10 21 | Feb 11 off | Feb 12, 13 23 | Feb 16-20 28 | Feb 23 off
    // Feb 24, 25 30  -> Wed 2026-02-25, ends 23:59:59 JST = 14:59:59 UTC.
    let tokyo = Zone::parse("Asia/Tokyo").unwrap();
    let los_angeles = Zone::parse("America/Los_Angeles").unwrap();
    let cal = sat_sun(
        &parse_holidays("2026-01-12\n2026-02-11\n2026-02-23").unwrap(),
        true,
    );
    let sent = datetime!(2026-01-08 23:30 -8);
    assert_eq!(los_angeles.local_date(sent), date!(2026 - 01 - 08));
    let due = deadline(sent, &tokyo, &cal, DEFAULT_RESPONSE_BUSINESS_DAYS).unwrap();
    assert_eq!(
        due,
        Deadline {
            received_on: date!(2026 - 01 - 09),
            due_on: date!(2026 - 02 - 25),
            due_at: datetime!(2026-02-25 14:59:59 UTC),
        }
    );
    assert_eq!(tokyo.display(due.due_at), "2026-02-25 23:59 JST");
    assert_eq!(los_angeles.display(due.due_at), "2026-02-25 06:59 PST");
}

#[test]
fn deadline_west_coast_sender_toronto_organization() {
    // Mon 2026-11-30 23:30 UTC-8 (Los Angeles) = Tue 2026-12-01 02:30 EST:
    // received Tuesday.
    // With the Canadian holidays: Fri 2027-01-15 (see above), ending
    // 23:59:59 EST = 2027-01-16 04:59:59 UTC.
    let toronto = Zone::parse("America/Toronto").unwrap();
    let due = deadline(
        datetime!(2026-11-30 23:30 -8),
        &toronto,
        &canada_federal(),
        30,
    )
    .unwrap();
    assert_eq!(due.received_on, date!(2026 - 12 - 01));
    assert_eq!(due.due_on, date!(2027 - 01 - 15));
    assert_eq!(due.due_at, datetime!(2027-01-16 04:59:59 UTC));
}

#[test]
fn deadline_received_in_a_dst_change_week() {
    // Toronto, received Fri 2026-03-06 10:00 EST; clocks go forward Sun Mar 8.
    // Mar 9-13 5 | Mar 16-20 10  -> Fri 2026-03-20, 23:59:59 EDT (UTC-4)
    // = 2026-03-21 03:59:59 UTC.
    let toronto = Zone::parse("America/Toronto").unwrap();
    let cal = BusinessCalendar::standard();
    let due = deadline(datetime!(2026-03-06 15:00 UTC), &toronto, &cal, 10).unwrap();
    assert_eq!(due.received_on, date!(2026 - 03 - 06));
    assert_eq!(due.due_on, date!(2026 - 03 - 20));
    assert_eq!(due.due_at, datetime!(2026-03-21 03:59:59 UTC));
    assert_eq!(toronto.display(due.due_at), "2026-03-20 23:59 EDT");

    // Received Fri 2026-10-30 in Toronto; clocks go back Sun Nov 1.
    // Nov 2-6 5 -> Fri 2026-11-06, 23:59:59 EST = 2026-11-07 04:59:59 UTC.
    let due = deadline(datetime!(2026-10-30 14:00 UTC), &toronto, &cal, 5).unwrap();
    assert_eq!(due.due_on, date!(2026 - 11 - 06));
    assert_eq!(due.due_at, datetime!(2026-11-07 04:59:59 UTC));
}

#[test]
fn overdue_and_business_days_left() {
    // Due Fri 2027-01-15 in Toronto (EST, UTC-5).
    let toronto = Zone::parse("America/Toronto").unwrap();
    let cal = canada_federal();
    let due = deadline(datetime!(2026-12-01 15:00 UTC), &toronto, &cal, 30).unwrap();
    assert_eq!(due.due_on, date!(2027 - 01 - 15));
    let left = |now| business_days_left(now, &due, &toronto, &cal);

    // Received Tue Dec 1: 30 business days left on the day of receipt.
    assert_eq!(left(datetime!(2026-12-01 15:00 UTC)), 30);
    // Wed Jan 13 10:00 EST: Jan 14, 15 left.
    assert_eq!(left(datetime!(2027-01-13 15:00 UTC)), 2);
    // Fri Jan 15, 23:59:59 EST: due today, not overdue.
    let last = datetime!(2027-01-16 04:59:59 UTC);
    assert_eq!(left(last), 0);
    assert!(!due.is_overdue(last));
    assert!(!due.is_overdue(datetime!(2027-01-16 04:59:59.999 UTC)));
    // Sat Jan 16 00:00 EST: overdue, -1 through Monday, -2 on Tuesday.
    let next_day = datetime!(2027-01-16 05:00 UTC);
    assert!(due.is_overdue(next_day));
    assert_eq!(left(next_day), -1);
    assert_eq!(left(datetime!(2027-01-18 15:00 UTC)), -1);
    assert_eq!(left(datetime!(2027-01-19 15:00 UTC)), -2);
    // Still Friday evening in Los Angeles, but past midnight in Toronto.
    assert!(due.is_overdue(datetime!(2027-01-15 21:30 -8)));
}

#[test]
fn limits() {
    let cal = BusinessCalendar::standard();
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 05), MAX_BUSINESS_DAYS + 1),
        Err(CalendarError::TooManyBusinessDays {
            requested: 3651,
            max: 3650
        })
    );
    // 3650 = 730 weeks of 5 days: Mon 2026-01-05 + 730 weeks (5110 days) = Mon 2040-01-02.
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 05), MAX_BUSINESS_DAYS)
            .unwrap(),
        date!(2040 - 01 - 02)
    );
    // The last representable date is Fri 9999-12-31.
    assert_eq!(Date::MAX, date!(9999 - 12 - 31));
    assert_eq!(
        cal.add_business_days(date!(9999 - 12 - 30), 1).unwrap(),
        Date::MAX
    );
    assert_eq!(
        cal.add_business_days(date!(9999 - 12 - 30), 2),
        Err(CalendarError::DateOutOfRange)
    );
    assert_eq!(
        cal.add_business_days(date!(9999 - 01 - 01), 3650),
        Err(CalendarError::DateOutOfRange)
    );
    let cal = sat_sun(&[Date::MAX], true);
    assert_eq!(
        cal.add_business_days(date!(9999 - 12 - 30), 0).unwrap(),
        date!(9999 - 12 - 30)
    );
    assert_eq!(
        cal.add_business_days(date!(9999 - 12 - 30), 1),
        Err(CalendarError::DateOutOfRange)
    );
    // A holiday on the very last Saturday has no room for a substitute.
    let cal = sat_sun(&[date!(9999 - 12 - 25)], true);
    assert_eq!(cal.observed_days().count(), 1); // Mon 9999-12-27
    let far = Zone::utc().end_of_day(Date::MAX);
    assert_eq!(far, datetime!(9999-12-31 23:59:59 UTC));
}

#[test]
fn calendar_construction() {
    let all = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    let err = BusinessCalendar::new(&all, [], true).unwrap_err();
    assert_eq!(err, CalendarError::NoWorkingDays);
    assert_eq!(
        err.to_string(),
        "the weekend cannot be all seven days: at least one day of the week must be a working day"
    );
    // Six days off (with a repeat) leaves Wednesday.
    let cal = BusinessCalendar::new(
        &[all[0], all[1], all[3], all[4], all[5], all[6], all[6]],
        [],
        true,
    )
    .unwrap();
    assert_eq!(cal.weekend().len(), 6);
    // Wed 2026-01-07 + 2 = Wed 2026-01-21.
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 07), 2).unwrap(),
        date!(2026 - 01 - 21)
    );
    // No weekend: every day counts. Thu 2026-01-01 + 30 = Sat 2026-01-31.
    let cal = BusinessCalendar::new(&[], [], true).unwrap();
    assert!(cal.weekend().is_empty());
    assert_eq!(
        cal.add_business_days(date!(2026 - 01 - 01), 30).unwrap(),
        date!(2026 - 01 - 31)
    );
    // standard() and Default.
    let standard = BusinessCalendar::standard();
    assert_eq!(standard, BusinessCalendar::default());
    assert_eq!(standard.weekend(), [Weekday::Saturday, Weekday::Sunday]);
    assert_eq!(standard.holidays().count(), 0);
    assert!(standard.observes_weekend_holidays());
    assert_eq!(
        standard,
        BusinessCalendar::new(&[Weekday::Sunday, Weekday::Saturday], [], true).unwrap()
    );
}
