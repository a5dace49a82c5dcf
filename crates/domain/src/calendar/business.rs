//! [`BusinessCalendar`]: which days are working days, and counting them.

use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Included};

use time::{Date, Duration, Weekday};

use super::{CalendarError, MAX_BUSINESS_DAYS};

/// The seven days of the week, Monday first.
const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// A mask with all seven weekday bits set.
const ALL_DAYS: u8 = 0b111_1111;

/// The bit of `day` in a weekend mask (Monday is bit 0).
fn bit(day: Weekday) -> u8 {
    1 << day.number_days_from_monday()
}

/// An organization's working calendar: its weekly days off, its holidays, and
/// whether a holiday that falls on a weekend day gives a day off in lieu.
///
/// A day is a *business day* when it is not a weekend day, not a holiday and
/// not an observed substitute for a holiday (see [`BusinessCalendar::new`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessCalendar {
    /// Bit `i` set: the day `i` days after Monday is a weekend day.
    weekend: u8,
    /// The holidays as given, sorted and without duplicates.
    holidays: BTreeSet<Date>,
    observe_weekend_holidays: bool,
    /// Observed substitutes for holidays that fall on weekend days.
    observed: BTreeSet<Date>,
    /// Every day off that is not a weekend day: holidays on working weekdays
    /// plus `observed`. With `weekend`, this alone decides business days.
    days_off: BTreeSet<Date>,
}

impl Default for BusinessCalendar {
    /// The same as [`BusinessCalendar::standard`].
    fn default() -> Self {
        Self::standard()
    }
}

impl BusinessCalendar {
    /// A calendar with the given weekly days off and holidays.
    ///
    /// `weekend` lists the days off every week (Saturday and Sunday in most
    /// places; Friday and Saturday in some). It may be empty, and repeats are
    /// ignored, but it may not hold all seven days.
    ///
    /// `holidays` are dates off; order and repeats do not matter.
    ///
    /// With `observe_weekend_holidays`, a holiday that falls on a weekend day
    /// also gives the next day that is neither a weekend day, a holiday nor
    /// already a substitute for an earlier holiday (the "observed" rule of
    /// Canada, the UK and the US). So when 25 and 26 December are Saturday and
    /// Sunday, Monday 27 and Tuesday 28 are both off. Jurisdictions that move
    /// a Saturday holiday back to the Friday list that Friday as a holiday
    /// and turn this off.
    ///
    /// # Errors
    ///
    /// [`CalendarError::NoWorkingDays`] if all seven days are weekend days.
    pub fn new(
        weekend: &[Weekday],
        holidays: impl IntoIterator<Item = Date>,
        observe_weekend_holidays: bool,
    ) -> Result<Self, CalendarError> {
        let weekend = weekend.iter().fold(0u8, |mask, &day| mask | bit(day));
        if weekend == ALL_DAYS {
            return Err(CalendarError::NoWorkingDays);
        }
        let holidays: BTreeSet<Date> = holidays.into_iter().collect();
        let is_weekend = |d: Date| weekend & bit(d.weekday()) != 0;

        let mut days_off: BTreeSet<Date> = holidays
            .iter()
            .copied()
            .filter(|&d| !is_weekend(d))
            .collect();
        let mut observed = BTreeSet::new();
        if observe_weekend_holidays {
            // Holidays are visited in order, and each substitute comes after
            // the one before it (every day between was already not free), so
            // each search starts after the last substitute: linear overall.
            let mut last: Option<Date> = None;
            for &holiday in holidays.iter().filter(|&&d| is_weekend(d)) {
                let mut day = match last {
                    Some(prev) if prev > holiday => prev,
                    _ => holiday,
                };
                // A substitute past the last representable date is dropped.
                while let Some(next) = day.next_day() {
                    day = next;
                    if !is_weekend(day) && !holidays.contains(&day) {
                        observed.insert(day);
                        days_off.insert(day);
                        last = Some(day);
                        break;
                    }
                }
            }
        }
        Ok(Self {
            weekend,
            holidays,
            observe_weekend_holidays,
            observed,
            days_off,
        })
    }

    /// Saturday and Sunday off, no holidays, weekend holidays observed.
    pub fn standard() -> Self {
        Self {
            weekend: bit(Weekday::Saturday) | bit(Weekday::Sunday),
            holidays: BTreeSet::new(),
            observe_weekend_holidays: true,
            observed: BTreeSet::new(),
            days_off: BTreeSet::new(),
        }
    }

    /// Is `d` one of the weekly days off?
    pub fn is_weekend_day(&self, d: Date) -> bool {
        self.weekend & bit(d.weekday()) != 0
    }

    /// Is `d` a working day: not a weekend day, not a holiday, and not an
    /// observed substitute for a holiday?
    pub fn is_business_day(&self, d: Date) -> bool {
        !self.is_weekend_day(d) && !self.days_off.contains(&d)
    }

    /// The `n`-th business day strictly after `from`: the day of receipt
    /// never counts, whatever day it is.
    ///
    /// With `n = 0`, `from` itself if it is a business day, else the next
    /// business day.
    ///
    /// # Errors
    ///
    /// [`CalendarError::TooManyBusinessDays`] if `n` is over
    /// [`MAX_BUSINESS_DAYS`]; [`CalendarError::DateOutOfRange`] if the result
    /// would be after the last representable date.
    pub fn add_business_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        if n > MAX_BUSINESS_DAYS {
            return Err(CalendarError::TooManyBusinessDays {
                requested: n,
                max: MAX_BUSINESS_DAYS,
            });
        }
        if n == 0 {
            let mut day = from;
            while !self.is_business_day(day) {
                day = day.next_day().ok_or(CalendarError::DateOutOfRange)?;
            }
            return Ok(day);
        }

        let per_week = i64::from(self.working_days_per_week());
        let mut day = from;
        // Business days still to find strictly after `day`; always >= 1.
        let mut remaining = i64::from(n);
        // Jump whole weeks while they cannot overshoot: a jump of `weeks`
        // weeks holds at most `weeks * per_week <= remaining - 1` business
        // days, so the answer lies strictly after the jump's end.
        loop {
            let weeks = (remaining - 1) / per_week;
            if weeks == 0 {
                break;
            }
            let next = day
                .checked_add(Duration::weeks(weeks))
                .ok_or(CalendarError::DateOutOfRange)?;
            remaining -= self.count_after(day, next);
            day = next;
        }
        loop {
            day = day.next_day().ok_or(CalendarError::DateOutOfRange)?;
            if self.is_business_day(day) {
                remaining -= 1;
                if remaining == 0 {
                    return Ok(day);
                }
            }
        }
    }

    /// The number of business days `d` with `a < d <= b`; negative (the
    /// count for `b < d <= a`) when `b` is before `a`.
    pub fn business_days_between(&self, a: Date, b: Date) -> i64 {
        if a <= b {
            self.count_after(a, b)
        } else {
            -self.count_after(b, a)
        }
    }

    /// The weekly days off, Monday first.
    pub fn weekend(&self) -> Vec<Weekday> {
        WEEK.into_iter()
            .filter(|&day| self.weekend & bit(day) != 0)
            .collect()
    }

    /// The holidays as given, in date order, without repeats.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether a holiday on a weekend day gives the next free day off.
    pub fn observes_weekend_holidays(&self) -> bool {
        self.observe_weekend_holidays
    }

    /// The days off given in lieu of holidays that fall on weekend days, in
    /// date order (empty unless weekend holidays are observed).
    pub fn observed_days(&self) -> impl Iterator<Item = Date> + '_ {
        self.observed.iter().copied()
    }

    /// How many days of the week are working days (1 to 7).
    fn working_days_per_week(&self) -> u32 {
        7 - self.weekend.count_ones()
    }

    /// Business days `d` with `a < d <= b`, for `a <= b`.
    fn count_after(&self, a: Date, b: Date) -> i64 {
        let days = i64::from(b.to_julian_day()) - i64::from(a.to_julian_day());
        let mut count = days / 7 * i64::from(self.working_days_per_week());
        // The weekday pattern repeats every week, so the leftover days can be
        // taken as the first ones after `a`.
        let start = a.weekday();
        for k in 1..=(days % 7) as u8 {
            if self.weekend & bit(start.nth_next(k)) == 0 {
                count += 1;
            }
        }
        // `days_off` holds no weekend days, so each one removes a working day.
        let off = self.days_off.range((Excluded(a), Included(b))).count();
        count - i64::try_from(off).unwrap_or(i64::MAX)
    }
}
