//! Conversations (threads) inside a relationship: stage, status, tags, links, follow-ups.

use crate::DomainError;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Where in the relationship's life a conversation belongs.
    Stage, "stage", "research, purchase, support, feedback, other", {
        /// Looking and comparing.
        Research => "research",
        /// Buying.
        Purchase => "purchase",
        /// Getting help after buying.
        Support => "support",
        /// Praise, complaints, ideas.
        Feedback => "feedback",
        /// Anything else.
        Other => "other",
    }
);

string_enum!(
    /// Whose move it is.
    Status, "status", "open, waiting_on_vendor, waiting_on_customer, resolved, closed", {
        /// Newly opened.
        Open => "open",
        /// The vendor owes an answer.
        WaitingOnVendor => "waiting_on_vendor",
        /// The customer owes an answer.
        WaitingOnCustomer => "waiting_on_customer",
        /// Solved.
        Resolved => "resolved",
        /// Done, nothing more expected.
        Closed => "closed",
    }
);

string_enum!(
    /// How two threads are linked.
    LinkKind, "link kind", "follows_from, related, duplicate_of", {
        /// This thread continues the other (a support case after a purchase).
        FollowsFrom => "follows_from",
        /// Related, no order.
        Related => "related",
        /// Same matter as the other.
        DuplicateOf => "duplicate_of",
    }
);

impl LinkKind {
    /// Does this link make the target an ancestor of the source?
    pub fn is_ancestry(self) -> bool {
        matches!(self, Self::FollowsFrom | Self::DuplicateOf)
    }
}

/// A thread subject: 1–200 characters.
pub fn parse_subject(raw: &str) -> Result<String, DomainError> {
    crate::account::parse_name(raw, "subject", 200)
}

/// A tag: 1–40 characters of lowercase letters, digits, '-' or '_'.
pub fn parse_tag(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim().to_lowercase();
    let ok = (1..=40).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(t)
    } else {
        Err(DomainError::InvalidName(
            "tag (letters, digits, - or _)",
            40,
        ))
    }
}

/// A calendar date `YYYY-MM-DD` (proleptic Gregorian, years 1970–9999).
pub fn parse_date(raw: &str) -> Result<String, DomainError> {
    let bad = || DomainError::InvalidName("date (YYYY-MM-DD)", 10);
    let s = raw.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if y < 1970 || d == 0 || d > days {
        return Err(bad());
    }
    Ok(s.to_owned())
}

/// Would linking `from → to` (an ancestry link) make `from` its own ancestor?
/// `ancestors_of(t)` returns the threads `t` already points to with ancestry links.
pub fn link_makes_cycle(
    from: &str,
    to: &str,
    mut ancestors_of: impl FnMut(&str) -> Vec<String>,
) -> bool {
    if from == to {
        return true;
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![to.to_owned()];
    while let Some(t) = stack.pop() {
        if t == from {
            return true;
        }
        if seen.insert(t.clone()) {
            stack.extend(ancestors_of(&t));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn stages_statuses_and_links_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Ok(*s));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Ok(*s));
        }
        assert!(Stage::parse("shopping").is_err());
        assert!(Status::parse("pending").is_err());
        assert!(LinkKind::FollowsFrom.is_ancestry() && !LinkKind::Related.is_ancestry());
    }

    #[test]
    fn dates_are_checked_for_real_calendars() {
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2100-02-29").is_err());
        assert!(parse_date("2000-02-29").is_ok());
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("2026-1-01").is_err());
        assert!(parse_date("tomorrow").is_err());
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(parse_tag(" Warranty "), Ok("warranty".into()));
        assert!(parse_tag("two words").is_err());
        assert!(parse_tag("").is_err());
    }

    #[test]
    fn cycles_through_ancestry_links_are_found() {
        let edges: HashMap<&str, Vec<String>> =
            HashMap::from([("b", vec!["a".to_string()]), ("c", vec!["b".to_string()])]);
        let anc = |t: &str| edges.get(t).cloned().unwrap_or_default();
        assert!(link_makes_cycle("a", "c", anc), "a → c while c → b → a");
        assert!(!link_makes_cycle("d", "c", anc));
        assert!(link_makes_cycle("a", "a", anc));
    }
}
