//! Business-day arithmetic for the deadlines of data-access requests.
//!
//! A request is due a number of business days after the day it was received
//! (30 by default), on the organization's calendar: its weekly days off, its
//! holidays, and its time zone. The day of receipt is the date in the
//! organization's zone and never counts itself.
//!
//! ```
//! use slingshot_domain::calendar::{
//!     deadline, parse_holidays, parse_weekend, BusinessCalendar, Zone,
//!     DEFAULT_RESPONSE_BUSINESS_DAYS,
//! };
//! use time::macros::{date, datetime};
//!
//! let calendar = BusinessCalendar::new(
//!     &parse_weekend("sat, sun")?,
//!     parse_holidays("2026-12-25 # Christmas\n2026-12-26 # Boxing Day\n2027-01-01\n")?,
//!     true, // Boxing Day is a Saturday in 2026: Monday 28 December is off
//! )?;
//! let toronto = Zone::parse("America/Toronto")?;
//! // Sent at 23:30 on Monday 30 November in Los Angeles: Tuesday in Toronto.
//! let sent = datetime!(2026-11-30 23:30 -8);
//! let due = deadline(sent, &toronto, &calendar, DEFAULT_RESPONSE_BUSINESS_DAYS)?;
//! assert_eq!(due.received_on, date!(2026 - 12 - 01));
//! assert_eq!(due.due_on, date!(2027 - 01 - 15));
//! assert_eq!(toronto.display(due.due_at), "2027-01-15 23:59 EST");
//! # Ok::<(), slingshot_domain::calendar::CalendarError>(())
//! ```

mod business;
mod deadline;
mod error;
mod parse;
mod zone;

#[cfg(test)]
mod tests_hand;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_zone;

pub use business::BusinessCalendar;
pub use deadline::{business_days_left, deadline, Deadline};
pub use error::CalendarError;
pub use parse::{format_holidays, format_weekend, parse_holidays, parse_weekend};
pub use zone::Zone;

/// The response time when an organization has not set its own.
pub const DEFAULT_RESPONSE_BUSINESS_DAYS: u32 = 30;

/// The longest response time accepted, in business days (about 14 years of
/// five-day weeks): a guard against typing errors, not a legal limit.
pub const MAX_BUSINESS_DAYS: u32 = 3650;
