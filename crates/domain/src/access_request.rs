//! Requests a person sends an organization about their data (access, correction,
//! deletion, portability, objection) and the moves allowed on them:
//! received → (extended, once) → answered | refused | partially refused | withdrawn.

use crate::DomainError;
use serde::{Deserialize, Serialize};

string_enum!(
    /// What the person asks for.
    RequestKind, "request kind", "access, correction, deletion, portability, objection", {
        /// A copy of everything held about them.
        Access => "access",
        /// Correct fields that are wrong.
        Correction => "correction",
        /// Erase what is held.
        Deletion => "deletion",
        /// A machine-readable copy to take elsewhere.
        Portability => "portability",
        /// Stop a use of their data.
        Objection => "objection",
    }
);

string_enum!(
    /// Where a request stands.
    RequestState, "request state", "received, extended, answered, refused, partially_refused, withdrawn", {
        /// Received; the clock runs.
        Received => "received",
        /// Extended once, with a reason and a new due date.
        Extended => "extended",
        /// Answered in full.
        Answered => "answered",
        /// Refused in full, with reasons and recourse.
        Refused => "refused",
        /// Answered in part, refused in part, with reasons and recourse.
        PartiallyRefused => "partially_refused",
        /// Withdrawn by the person.
        Withdrawn => "withdrawn",
    }
);

/// A move on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestMove {
    /// The organization takes more time (once).
    Extend,
    /// The organization answers in full.
    Answer,
    /// The organization refuses in full.
    Refuse,
    /// The organization answers in part and refuses the rest.
    PartiallyRefuse,
    /// The person withdraws the request.
    Withdraw,
}

impl RequestMove {
    fn past(self) -> &'static str {
        match self {
            Self::Extend => "extended",
            Self::Answer => "answered",
            Self::Refuse => "refused",
            Self::PartiallyRefuse => "partially refused",
            Self::Withdraw => "withdrawn",
        }
    }
}

impl RequestState {
    /// Is the organization still to answer (the clock runs)?
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Extended)
    }

    /// The state after `m`, or why the move is not allowed.
    pub fn apply(self, m: RequestMove) -> Result<RequestState, DomainError> {
        match (self, m) {
            (Self::Received, RequestMove::Extend) => Ok(Self::Extended),
            (Self::Extended, RequestMove::Extend) => Err(DomainError::AlreadyExtended),
            (s, RequestMove::Answer) if s.is_open() => Ok(Self::Answered),
            (s, RequestMove::Refuse) if s.is_open() => Ok(Self::Refused),
            (s, RequestMove::PartiallyRefuse) if s.is_open() => Ok(Self::PartiallyRefused),
            (s, RequestMove::Withdraw) if s.is_open() => Ok(Self::Withdrawn),
            (s, m) => Err(DomainError::IllegalMove {
                from: s.as_str(),
                action: m.past(),
            }),
        }
    }
}

/// Longest free text in a request, an answer or a reason.
pub const MAX_REQUEST_TEXT: usize = 20_000;

/// Trimmed text of 1..=[`MAX_REQUEST_TEXT`] characters, or `MissingText(what)`.
pub fn required_text(text: Option<&str>, what: &'static str) -> Result<String, DomainError> {
    let t = text.map(str::trim).unwrap_or_default();
    if t.is_empty() || t.chars().count() > MAX_REQUEST_TEXT {
        return Err(DomainError::MissingText(what));
    }
    Ok(t.to_owned())
}

/// A refusal's written reasons and the person's recourse: both are required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why the organization refuses.
    pub reasons: String,
    /// Where the person can turn (a regulator, an ombudsman, a court) and how.
    pub recourse: String,
}

impl Refusal {
    /// Both texts present and of bounded length.
    pub fn new(reasons: Option<&str>, recourse: Option<&str>) -> Result<Self, DomainError> {
        Ok(Self {
            reasons: required_text(
                reasons,
                "a refusal needs written reasons (field 'reasons')",
            )?,
            recourse: required_text(
                recourse,
                "a refusal needs the person's recourse (field 'recourse'): where they can complain and how",
            )?,
        })
    }
}

/// One request's timing, for an organization's public figures.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Its state.
    pub state: RequestState,
    /// Received (seconds since the epoch).
    pub received_at: i64,
    /// End of the (possibly extended) due day (seconds since the epoch).
    pub due_at: i64,
    /// Answered, refused or withdrawn (seconds since the epoch).
    pub closed_at: Option<i64>,
}

/// How an organization answers requests, as published on its profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// Requests received.
    pub received: u64,
    /// Answered, refused or partially refused.
    pub answered: u64,
    /// Still open.
    pub open: u64,
    /// Open and past due.
    pub overdue: u64,
    /// Median calendar days from receipt to answer (answered requests only).
    pub median_days_to_answer: Option<f64>,
    /// Share answered by the due date, counting open overdue requests as late
    /// (None until there is something to count).
    pub on_time_share: Option<f64>,
}

/// The public figures at `now` (seconds since the epoch). Withdrawn requests count as
/// received but neither on time nor late.
pub fn figures(timings: &[Timing], now: i64) -> Figures {
    let mut days: Vec<f64> = Vec::new();
    let (mut on_time, mut late, mut open, mut overdue) = (0u64, 0u64, 0u64, 0u64);
    for t in timings {
        match (t.state, t.closed_at) {
            (s, _) if s.is_open() => {
                open += 1;
                if now > t.due_at {
                    overdue += 1;
                    late += 1;
                }
            }
            (RequestState::Withdrawn, _) => {}
            (_, Some(closed)) => {
                days.push((closed - t.received_at).max(0) as f64 / 86_400.0);
                if closed <= t.due_at {
                    on_time += 1;
                } else {
                    late += 1;
                }
            }
            (_, None) => {}
        }
    }
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    let counted = on_time + late;
    Figures {
        received: timings.len() as u64,
        answered: days.len() as u64,
        open,
        overdue,
        median_days_to_answer: median,
        on_time_share: (counted > 0).then(|| on_time as f64 / counted as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOVES: [RequestMove; 5] = [
        RequestMove::Extend,
        RequestMove::Answer,
        RequestMove::Refuse,
        RequestMove::PartiallyRefuse,
        RequestMove::Withdraw,
    ];

    #[test]
    fn the_happy_paths() {
        let s = RequestState::Received;
        let e = s.apply(RequestMove::Extend).ok();
        assert_eq!(e, Some(RequestState::Extended));
        for (m, end) in [
            (RequestMove::Answer, RequestState::Answered),
            (RequestMove::Refuse, RequestState::Refused),
            (RequestMove::PartiallyRefuse, RequestState::PartiallyRefused),
            (RequestMove::Withdraw, RequestState::Withdrawn),
        ] {
            assert_eq!(RequestState::Received.apply(m).ok(), Some(end));
            assert_eq!(RequestState::Extended.apply(m).ok(), Some(end));
        }
    }

    #[test]
    fn a_second_extension_is_refused() {
        assert_eq!(
            RequestState::Extended.apply(RequestMove::Extend),
            Err(DomainError::AlreadyExtended)
        );
    }

    #[test]
    fn closed_requests_take_no_moves() {
        for s in [
            RequestState::Answered,
            RequestState::Refused,
            RequestState::PartiallyRefused,
            RequestState::Withdrawn,
        ] {
            assert!(!s.is_open());
            for m in MOVES {
                assert!(
                    matches!(s.apply(m), Err(DomainError::IllegalMove { .. })),
                    "{s:?} {m:?}"
                );
            }
        }
    }

    #[test]
    fn every_move_from_every_state_is_decided() {
        // Exactly the open states accept closing moves; only Received accepts Extend.
        for s in RequestState::ALL {
            for m in MOVES {
                let ok = s.apply(m).is_ok();
                let expected = match m {
                    RequestMove::Extend => *s == RequestState::Received,
                    _ => s.is_open(),
                };
                assert_eq!(ok, expected, "{s:?} {m:?}");
            }
        }
    }

    #[test]
    fn refusals_need_reasons_and_recourse() {
        assert!(Refusal::new(Some("law X s.9"), Some("the Privacy Commissioner")).is_ok());
        assert!(Refusal::new(None, Some("the Privacy Commissioner")).is_err());
        assert!(Refusal::new(Some("  "), Some("x")).is_err());
        let e = Refusal::new(Some("why"), None).err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("recourse")));
        let long = "x".repeat(MAX_REQUEST_TEXT + 1);
        assert!(Refusal::new(Some(&long), Some("y")).is_err());
    }

    #[test]
    fn figures_count_late_open_requests_and_take_the_median() {
        let day = 86_400;
        let t = |state, received_at, due_at, closed_at| Timing {
            state,
            received_at,
            due_at,
            closed_at,
        };
        let now = 100 * day;
        let f = figures(
            &[
                t(RequestState::Answered, 0, 40 * day, Some(10 * day)),
                t(RequestState::Refused, 0, 40 * day, Some(50 * day)),
                t(RequestState::Answered, 0, 40 * day, Some(20 * day)),
                t(RequestState::Received, 0, 90 * day, None),
                t(RequestState::Extended, 50 * day, 120 * day, None),
                t(RequestState::Withdrawn, 0, 40 * day, Some(day)),
            ],
            now,
        );
        assert_eq!((f.received, f.answered, f.open, f.overdue), (6, 3, 2, 1));
        assert_eq!(f.median_days_to_answer, Some(20.0));
        // on time: 2 (10 and 20 days); late: 1 closed + 1 overdue open.
        assert_eq!(f.on_time_share, Some(0.5));
        let empty = figures(&[], now);
        assert_eq!(
            (empty.median_days_to_answer, empty.on_time_share),
            (None, None)
        );
    }

    #[test]
    fn kinds_parse_with_a_clear_error() {
        assert_eq!(
            RequestKind::parse("deletion").ok(),
            Some(RequestKind::Deletion)
        );
        let e = RequestKind::parse("erase").err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("access, correction")));
    }
}
