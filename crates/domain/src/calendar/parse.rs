//! Reading and writing holiday lists and weekends as text.

use time::{Date, Month, Weekday};

use super::error::echo;
use super::CalendarError;

/// Read a holiday list: dates written `YYYY-MM-DD`, one per line or several
/// on a line separated by commas. Anything after a `#` is a comment, on a
/// line of its own or after the dates; blank lines are ignored.
///
/// ```text
/// # Canada, federal
/// 2026-12-25  # Christmas Day
/// 2026-12-26, 2027-01-01
/// ```
///
/// The dates come back in order, without repeats.
///
/// # Errors
///
/// [`CalendarError::BadHolidayDate`] for text that is not written as a date
/// and [`CalendarError::NoSuchDate`] for a date that does not exist (such as
/// `2027-02-29`), each with the 1-based line number and the text.
pub fn parse_holidays(text: &str) -> Result<Vec<Date>, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut dates = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let content = line.split_once('#').map_or(line, |(before, _)| before);
        for item in content.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            dates.push(parse_date(item, line_number)?);
        }
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

/// Write dates as a holiday list, one `YYYY-MM-DD` per line, that
/// [`parse_holidays`] reads back.
pub fn format_holidays(dates: impl IntoIterator<Item = Date>) -> String {
    dates.into_iter().map(|d| format!("{d}\n")).collect()
}

/// Read the days of a weekend: names separated by commas or spaces, such as
/// `sat,sun` or `Fri, Sat`. Three-letter and full English names are accepted,
/// in any case. The days come back Monday first, without repeats; empty text
/// means no weekend at all.
///
/// # Errors
///
/// [`CalendarError::UnknownWeekday`] naming the first word that is not a day.
pub fn parse_weekend(text: &str) -> Result<Vec<Weekday>, CalendarError> {
    let mut days = Vec::new();
    for word in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let day = weekday_named(word)
            .ok_or_else(|| CalendarError::UnknownWeekday { text: echo(word) })?;
        days.push(day);
    }
    days.sort_unstable_by_key(|d| d.number_days_from_monday());
    days.dedup();
    Ok(days)
}

/// Write weekend days as [`parse_weekend`] reads them: `sat,sun`, Monday
/// first, without repeats.
pub fn format_weekend(days: &[Weekday]) -> String {
    let mut days = days.to_vec();
    days.sort_unstable_by_key(|d| d.number_days_from_monday());
    days.dedup();
    days.iter()
        .map(|&d| short_name(d))
        .collect::<Vec<_>>()
        .join(",")
}

/// A date written exactly `YYYY-MM-DD`.
fn parse_date(item: &str, line: usize) -> Result<Date, CalendarError> {
    let bad = || CalendarError::BadHolidayDate {
        line,
        text: echo(item),
    };
    let bytes = item.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    // The shape check makes these slices ASCII digits.
    let number = |range: std::ops::Range<usize>| item[range].parse::<u16>().map_err(|_| bad());
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let no_such = || CalendarError::NoSuchDate {
        line,
        text: item.to_string(),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(no_such)?;
    let day = u8::try_from(day).map_err(|_| no_such())?;
    Date::from_calendar_date(i32::from(year), month, day).map_err(|_| no_such())
}

/// The weekday called `word` (three-letter or full English name, any case).
fn weekday_named(word: &str) -> Option<Weekday> {
    let day = match word.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    };
    Some(day)
}

/// The three-letter lower-case name of `day`.
fn short_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use time::macros::date;
    use time::Weekday::*;

    use super::*;

    #[test]
    fn holidays_one_per_line_with_comments() {
        let text = "# Canada, federal, 2026-2027\n\
                    2026-12-25   # Christmas Day\n\
                    \n\
                    2026-12-26 # Boxing Day (a Saturday)\n\
                    2027-01-01\n";
        assert_eq!(
            parse_holidays(text).unwrap(),
            vec![
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 26),
                date!(2027 - 01 - 01)
            ]
        );
    }

    #[test]
    fn holidays_comma_separated_sorted_and_deduplicated() {
        let text = "2027-01-01, 2026-12-25,2026-12-25 ,\r\n2026-12-25,2026-12-26 # twice\r\n";
        assert_eq!(
            parse_holidays(text).unwrap(),
            vec![
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 26),
                date!(2027 - 01 - 01)
            ]
        );
    }

    #[test]
    fn holidays_empty_text_comments_only_and_bom() {
        assert_eq!(parse_holidays("").unwrap(), vec![]);
        assert_eq!(parse_holidays("# nothing yet\n\n   \n").unwrap(), vec![]);
        assert_eq!(
            parse_holidays("\u{feff}2028-02-29\n").unwrap(),
            vec![date!(2028 - 02 - 29)]
        );
    }

    #[test]
    fn holiday_errors_name_the_line_and_the_text() {
        let err = parse_holidays("2026-12-25\n# ok\n2026-12-26, 26/12/2026\n").unwrap_err();
        assert_eq!(
            err,
            CalendarError::BadHolidayDate {
                line: 3,
                text: "26/12/2026".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "holiday list, line 3: '26/12/2026' is not a date written as YYYY-MM-DD \
             (for example 2026-12-25)"
        );

        // A name after the date must be a comment.
        let err = parse_holidays("2026-12-25 Christmas\n").unwrap_err();
        assert_eq!(
            err,
            CalendarError::BadHolidayDate {
                line: 1,
                text: "2026-12-25 Christmas".into()
            }
        );

        for (text, bad) in [
            ("2026-1-5", "2026-1-5"),
            ("20261225", "20261225"),
            ("2026-12-25x", "2026-12-25x"),
            ("+2026-12-25", "+2026-12-25"),
            ("２０２６-12-25", "２０２６-12-25"),
        ] {
            assert_eq!(
                parse_holidays(&format!("\n{text}")).unwrap_err(),
                CalendarError::BadHolidayDate {
                    line: 2,
                    text: bad.into()
                },
                "{text}"
            );
        }
    }

    #[test]
    fn holiday_dates_that_do_not_exist() {
        for (text, line) in [
            ("2027-02-29", 1), // 2027 is not a leap year
            ("2026-04-31", 1),
            ("2026-13-01", 1),
            ("2026-00-10", 1),
            ("2026-12-00", 1),
            ("2028-02-29\n2100-02-29", 2), // 2100 is not a leap year; 2028 is
        ] {
            let err = parse_holidays(text).unwrap_err();
            let bad = text.lines().last().unwrap();
            assert_eq!(
                err,
                CalendarError::NoSuchDate {
                    line,
                    text: bad.into()
                }
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "holiday list, line {line}: {bad} is not a real date (check the month and day)"
                )
            );
        }
    }

    #[test]
    fn very_long_bad_text_is_shortened_in_the_error() {
        let long = "x".repeat(500);
        let err = parse_holidays(&long).unwrap_err();
        let CalendarError::BadHolidayDate { line, text } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*line, 1);
        assert_eq!(text.chars().count(), 41);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn weekends() {
        assert_eq!(parse_weekend("sat,sun").unwrap(), vec![Saturday, Sunday]);
        assert_eq!(parse_weekend("Fri, SAT").unwrap(), vec![Friday, Saturday]);
        assert_eq!(
            parse_weekend("sunday saturday").unwrap(),
            vec![Saturday, Sunday]
        );
        assert_eq!(parse_weekend(" Sun,,sun, ").unwrap(), vec![Sunday]);
        assert_eq!(parse_weekend("").unwrap(), vec![]);
        assert_eq!(
            parse_weekend("mon,tue,wed,thu,fri,sat,sun").unwrap(),
            vec![Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday]
        );
        assert_eq!(
            parse_weekend("MONDAY,Tuesday,wednesday,thursday,friday").unwrap(),
            vec![Monday, Tuesday, Wednesday, Thursday, Friday]
        );
    }

    #[test]
    fn weekend_errors_name_the_bad_word() {
        let err = parse_weekend("sat, sund").unwrap_err();
        assert_eq!(
            err,
            CalendarError::UnknownWeekday {
                text: "sund".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "'sund' is not a day of the week: use names such as sat, sun or Friday, \
             separated by commas"
        );
        assert_eq!(
            parse_weekend("sa;su").unwrap_err(),
            CalendarError::UnknownWeekday {
                text: "sa;su".into()
            }
        );
        assert_eq!(
            parse_weekend("samedi").unwrap_err(),
            CalendarError::UnknownWeekday {
                text: "samedi".into()
            }
        );
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(format_weekend(&[Sunday, Saturday, Sunday]), "sat,sun");
        assert_eq!(format_weekend(&[]), "");
        let dates = [date!(2026 - 12 - 25), date!(2027 - 01 - 01)];
        let text = format_holidays(dates);
        assert_eq!(text, "2026-12-25\n2027-01-01\n");
        assert_eq!(parse_holidays(&text).unwrap(), dates);
    }
}
