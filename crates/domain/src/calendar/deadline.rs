//! [`Deadline`]: when a request received at some instant must be answered.

use time::{Date, Duration, OffsetDateTime};

use super::{BusinessCalendar, CalendarError, Zone};

/// When a request is due, in the organization's own calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The date of receipt in the organization's time zone.
    pub received_on: Date,
    /// The last day to answer: a business day of the organization.
    pub due_on: Date,
    /// The last whole second of `due_on` in the organization's time zone
    /// (see [`Zone::end_of_day`]), in UTC.
    pub due_at: OffsetDateTime,
}

impl Deadline {
    /// Is the request overdue at `now`: has the day after `due_on` begun in
    /// the organization's time zone? This is `now >= due_at + 1 second`, so
    /// an answer at 23:59:59.5 on the due day is still on time.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        now - self.due_at >= Duration::SECOND
    }
}

/// The deadline of a request received at `received_at`, answerable within
/// `business_days` business days of `calendar`.
///
/// The date of receipt is the date in the **organization's** zone: a request
/// sent at 23:30 on Monday in Vancouver arrives on Tuesday in Toronto. The
/// day of receipt never counts; the due date is the `business_days`-th
/// business day after it (see [`BusinessCalendar::add_business_days`]).
///
/// # Errors
///
/// As [`BusinessCalendar::add_business_days`]: too many business days, or a
/// due date past the last representable date.
pub fn deadline(
    received_at: OffsetDateTime,
    org_zone: &Zone,
    calendar: &BusinessCalendar,
    business_days: u32,
) -> Result<Deadline, CalendarError> {
    let received_on = org_zone.local_date(received_at);
    let due_on = calendar.add_business_days(received_on, business_days)?;
    Ok(Deadline {
        received_on,
        due_on,
        due_at: org_zone.end_of_day(due_on),
    })
}

/// Business days left at `now` before the deadline, counted on the
/// organization's calendar from today's date in its zone.
///
/// - Positive: the number of business days after today up to and including
///   the due date (1 means "due tomorrow", or on the next business day).
/// - `0`: due today.
/// - Negative when overdue ([`Deadline::is_overdue`]): minus the business
///   days since the due date, up to and including today, and at least 1 (a
///   Friday deadline seen on Saturday is -1, and still -1 on Monday).
pub fn business_days_left(
    now: OffsetDateTime,
    deadline: &Deadline,
    org_zone: &Zone,
    calendar: &BusinessCalendar,
) -> i64 {
    let today = org_zone.local_date(now);
    if today <= deadline.due_on {
        calendar.business_days_between(today, deadline.due_on)
    } else {
        -calendar
            .business_days_between(deadline.due_on, today)
            .max(1)
    }
}
