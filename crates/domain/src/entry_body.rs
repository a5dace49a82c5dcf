//! What people write into a conversation, checked and turned into the body JSON whose
//! digest goes on the chain, plus the plain text that search indexes.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Largest text of one entry, in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Something that happened, logged as an event entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// `purchase`, `call`, `visit` or `delivery`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What was bought or delivered.
    #[serde(default)]
    pub item: Option<String>,
    /// Amount as a decimal string (`49.90`).
    #[serde(default)]
    pub amount: Option<String>,
    /// ISO 4217 code (`EUR`).
    #[serde(default)]
    pub currency: Option<String>,
    /// The vendor's order reference.
    #[serde(default)]
    pub order_ref: Option<String>,
    /// The day it happened (YYYY-MM-DD), when that was not today: the entry is dated so.
    #[serde(default)]
    pub on: Option<String>,
}

/// Why an entry's content was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Over [`MAX_TEXT_BYTES`].
    TooLarge,
    /// Invalid content.
    Invalid(DomainError),
}

impl From<DomainError> for BodyError {
    fn from(e: DomainError) -> Self {
        Self::Invalid(e)
    }
}

fn invalid(what: &'static str, max: usize) -> BodyError {
    BodyError::Invalid(DomainError::InvalidName(what, max))
}

fn is_amount(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.len() <= 12
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 4
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(s.contains('.') && frac.is_empty())
}

/// Build the body of a message, note or event (kind's stable name) and its search text.
pub fn build_body(
    kind: &str,
    text: Option<&str>,
    event: Option<&EventInput>,
) -> Result<(Value, String), BodyError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.len() > MAX_TEXT_BYTES) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Map::new();
    if let Some(t) = text {
        body.insert("text".into(), json!(t));
    }
    match kind {
        "message" | "note" | "correction" => {
            if text.is_none() {
                return Err(invalid("text", MAX_TEXT_BYTES));
            }
            if event.is_some() {
                return Err(BodyError::Invalid(DomainError::UnknownValue {
                    kind: "field",
                    value: "event".into(),
                    expected: "an event only on event entries",
                }));
            }
        }
        "event" => {
            let e = event.ok_or_else(|| invalid("event", 0))?;
            let kinds = "purchase, call, visit, delivery";
            if !["purchase", "call", "visit", "delivery"].contains(&e.kind.as_str()) {
                return Err(BodyError::Invalid(DomainError::UnknownValue {
                    kind: "event type",
                    value: e.kind.clone(),
                    expected: kinds,
                }));
            }
            let mut ev = Map::new();
            ev.insert("type".into(), json!(e.kind));
            for (name, v, max) in [("item", &e.item, 200), ("order_ref", &e.order_ref, 100)] {
                if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    if v.chars().count() > max || v.chars().any(char::is_control) {
                        return Err(invalid(
                            if name == "item" {
                                "item"
                            } else {
                                "order reference"
                            },
                            max,
                        ));
                    }
                    ev.insert(name.into(), json!(v));
                }
            }
            if let Some(on) = e.on.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let on = crate::conversation::parse_date(on).map_err(BodyError::Invalid)?;
                ev.insert("on".into(), json!(on));
            }
            if e.kind == "purchase" && !ev.contains_key("item") {
                return Err(invalid("item (what was bought)", 200));
            }
            match (
                e.amount.as_deref().map(str::trim),
                e.currency.as_deref().map(str::trim),
            ) {
                (None | Some(""), None | Some("")) => {}
                (Some(a), Some(c))
                    if is_amount(a)
                        && c.len() == 3
                        && c.bytes().all(|b| b.is_ascii_uppercase()) =>
                {
                    ev.insert("amount".into(), json!(a));
                    ev.insert("currency".into(), json!(c));
                }
                _ => return Err(invalid("amount and currency (like 49.90 and EUR)", 16)),
            }
            body.insert("event".into(), Value::Object(ev));
        }
        other => {
            return Err(BodyError::Invalid(DomainError::UnknownValue {
                kind: "entry kind",
                value: other.to_owned(),
                expected: "message, note, event, correction",
            }))
        }
    }
    let body = Value::Object(body);
    let search = search_text_of(&body);
    Ok((body, search))
}

/// A non-empty string field, trimmed.
fn text_field(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The text an entry is found by in search, read from its body: the text, a mail's subject
/// and sender, an event's item, order reference, amount, currency and type. What
/// [`build_body`] returns with a body, and what an imported bundle's bodies are indexed by.
pub fn search_text_of(body: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(mail) = body.get("mail") {
        parts.extend(
            [
                text_field(mail.get("subject")),
                text_field(mail.get("from")),
            ]
            .into_iter()
            .flatten(),
        );
    }
    parts.extend(text_field(body.get("text")));
    if let Some(event) = body.get("event") {
        for name in ["item", "order_ref", "amount", "currency", "type"] {
            parts.extend(text_field(event.get(name)));
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_need_text_and_events_need_a_known_type() {
        let (b, s) = build_body("message", Some(" Hello there "), None).unwrap();
        assert_eq!(b, json!({"text": "Hello there"}));
        assert_eq!(s, "Hello there");
        assert!(build_body("message", Some("  "), None).is_err());
        assert!(build_body("gossip", Some("x"), None).is_err());
        let ev = EventInput {
            kind: "party".into(),
            ..Default::default()
        };
        assert!(build_body("event", None, Some(&ev)).is_err());
    }

    #[test]
    fn search_text_is_read_back_from_any_body() {
        let ev = EventInput {
            kind: "purchase".into(),
            item: Some("Trail bike".into()),
            amount: Some("899.00".into()),
            currency: Some("EUR".into()),
            order_ref: Some("CB-2211".into()),
            on: None,
        };
        let (b, s) = build_body("event", Some("Paid in store"), Some(&ev)).unwrap();
        assert_eq!(s, "Paid in store Trail bike CB-2211 899.00 EUR purchase");
        assert_eq!(search_text_of(&b), s);
        let mail = json!({"text": "Your order shipped", "mail": {"subject": "Order 7", "from": "shop@example.com"}});
        assert_eq!(
            search_text_of(&mail),
            "Order 7 shop@example.com Your order shipped"
        );
        assert_eq!(search_text_of(&json!({"text": "  "})), "");
        assert_eq!(search_text_of(&json!([1, 2])), "");
    }

    #[test]
    fn purchases_carry_item_amount_and_currency() {
        let ev = EventInput {
            kind: "purchase".into(),
            item: Some("Trail bike".into()),
            amount: Some("1299.00".into()),
            currency: Some("EUR".into()),
            order_ref: Some("NW-1042".into()),
            on: None,
        };
        let (b, s) = build_body("event", Some("Bought in store"), Some(&ev)).unwrap();
        assert_eq!(b["event"]["amount"], "1299.00");
        assert!(s.contains("Trail bike") && s.contains("NW-1042"));
        for bad in ["12,50", "1.", "abc", "-3"] {
            let ev = EventInput {
                amount: Some(bad.into()),
                currency: Some("EUR".into()),
                ..ev.clone()
            };
            assert!(build_body("event", None, Some(&ev)).is_err(), "{bad}");
        }
        let no_item = EventInput {
            kind: "purchase".into(),
            ..Default::default()
        };
        assert!(build_body("event", None, Some(&no_item)).is_err());
        let eur = EventInput {
            currency: Some("eur".into()),
            ..ev
        };
        assert!(build_body("event", None, Some(&eur)).is_err());
    }

    #[test]
    fn oversized_text_is_refused() {
        let big = "x".repeat(MAX_TEXT_BYTES + 1);
        assert_eq!(
            build_body("message", Some(&big), None),
            Err(BodyError::TooLarge)
        );
    }

    #[test]
    fn an_event_may_say_the_day_it_happened() {
        let ev = |on: &str| EventInput {
            kind: "call".into(),
            on: Some(on.into()),
            ..Default::default()
        };
        let (b, _) = build_body("event", None, Some(&ev(" 2025-03-01 "))).unwrap();
        assert_eq!(b["event"]["on"], "2025-03-01");
        for bad in ["2025-02-30", "01/03/2025", "yesterday"] {
            assert!(build_body("event", None, Some(&ev(bad))).is_err(), "{bad}");
        }
        let (b, _) = build_body("event", None, Some(&ev(""))).unwrap();
        assert!(b["event"].get("on").is_none());
    }
}
