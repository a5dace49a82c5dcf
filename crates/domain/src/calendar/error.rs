use thiserror::Error;

/// Why a calendar, time zone, holiday list or deadline was refused.
///
/// The messages are written for the people who set up an organization's
/// calendar: they say what was wrong and what is expected instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// Every day of the week was given as a weekend day.
    #[error(
        "the weekend cannot be all seven days: at least one day of the week must be a working day"
    )]
    NoWorkingDays,
    /// A response time longer than [`MAX_BUSINESS_DAYS`](super::MAX_BUSINESS_DAYS).
    #[error("a response time of {requested} business days is too long; the most allowed is {max}")]
    TooManyBusinessDays {
        /// The number of business days asked for.
        requested: u32,
        /// The largest number accepted.
        max: u32,
    },
    /// The result would fall after the last date this system can handle (year 9999).
    #[error("the deadline would fall after the last date this system can handle")]
    DateOutOfRange,
    /// A time-zone name that is not in the IANA time-zone database.
    #[error("unknown time zone '{name}': use a name such as America/Toronto, Europe/Paris or UTC")]
    UnknownTimeZone {
        /// The name given (shortened if very long).
        name: String,
    },
    /// A holiday list entry that is not written as `YYYY-MM-DD`.
    #[error("holiday list, line {line}: '{text}' is not a date written as YYYY-MM-DD (for example 2026-12-25)")]
    BadHolidayDate {
        /// The 1-based line number.
        line: usize,
        /// The text that could not be read (shortened if very long).
        text: String,
    },
    /// A holiday list entry that is written correctly but does not exist,
    /// such as `2027-02-29` or `2026-04-31`.
    #[error("holiday list, line {line}: {text} is not a real date (check the month and day)")]
    NoSuchDate {
        /// The 1-based line number.
        line: usize,
        /// The date as written.
        text: String,
    },
    /// A weekend entry that is not the name of a day of the week.
    #[error("'{text}' is not a day of the week: use names such as sat, sun or Friday, separated by commas")]
    UnknownWeekday {
        /// The text that could not be read (shortened if very long).
        text: String,
    },
}

/// At most this many characters of user input are echoed back in an error.
const ECHO_MAX_CHARS: usize = 40;

/// `text`, shortened to [`ECHO_MAX_CHARS`] characters with a trailing `…`,
/// so that an error message stays readable whatever was pasted.
pub(super) fn echo(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(ECHO_MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}
