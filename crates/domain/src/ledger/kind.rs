//! Who wrote an entry ([`Side`]) and what it is ([`EntryKind`]).

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::LedgerError;

/// One side of a relationship. Each side has its own Ed25519 key pair (a
/// person's, or the organization's, which signs for all its agents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The person.
    Customer,
    /// The organization or off-platform vendor.
    Vendor,
}

impl Side {
    const EXPECTED: &'static str = "customer, vendor";

    /// The stable name: `customer` or `vendor`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Customer => "customer",
            Side::Vendor => "vendor",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, LedgerError> {
        match s {
            "customer" => Ok(Side::Customer),
            "vendor" => Ok(Side::Vendor),
            _ => Err(LedgerError::UnknownValue {
                kind: "side",
                value: s.to_owned(),
                expected: Self::EXPECTED,
            }),
        }
    }

    /// The other side.
    pub const fn other(self) -> Self {
        match self {
            Side::Customer => Side::Vendor,
            Side::Vendor => Side::Customer,
        }
    }
}

/// What an entry is.
///
/// Every kind except [`EntryKind::Note`] is *shared*: it goes on the
/// relationship's hash chain, which both sides hold and sign. A private note is
/// seen only by its author's side, so it is never on the shared chain (the
/// store keeps it apart); [`check_append`](super::check_append) and the bundle
/// verifier refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A message to the other side.
    Message,
    /// A private note: never on the shared chain.
    Note,
    /// Something that happened: a purchase, a call, a store visit, a delivery.
    Event,
    /// A file (its metadata and content digest are in the body).
    Attachment,
    /// A correction of an earlier entry of the same side; `corrects` names it.
    Correction,
    /// A thread was opened, or its subject, stage, status, tags or links changed.
    Thread,
}

impl EntryKind {
    const EXPECTED: &'static str = "message, note, event, attachment, correction, thread";

    /// Every kind, in a stable order.
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Message,
        EntryKind::Note,
        EntryKind::Event,
        EntryKind::Attachment,
        EntryKind::Correction,
        EntryKind::Thread,
    ];

    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryKind::Message => "message",
            EntryKind::Note => "note",
            EntryKind::Event => "event",
            EntryKind::Attachment => "attachment",
            EntryKind::Correction => "correction",
            EntryKind::Thread => "thread",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, LedgerError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownValue {
                kind: "entry kind",
                value: s.to_owned(),
                expected: Self::EXPECTED,
            })
    }

    /// Whether entries of this kind are on the shared chain (all but notes).
    pub const fn is_shared(self) -> bool {
        !matches!(self, EntryKind::Note)
    }
}

macro_rules! string_enum_traits {
    ($t:ty, $what:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = LedgerError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl de::Visitor<'_> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
                        <$t>::parse(v).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

string_enum_traits!(Side, "a side name");
string_enum_traits!(EntryKind, "an entry kind name");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for side in [Side::Customer, Side::Vendor] {
            assert_eq!(Side::parse(side.as_str()), Ok(side));
            assert_eq!(side.other().other(), side);
        }
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::parse(kind.as_str()), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde_json::from_str::<EntryKind>(&json).unwrap(), kind);
        }
        assert!(!EntryKind::Note.is_shared());
        assert!(EntryKind::Message.is_shared());
    }

    #[test]
    fn unknown_names_are_refused_with_the_list() {
        let err = Side::parse("Customer").unwrap_err();
        assert!(err.to_string().contains("customer, vendor"), "{err}");
        let err = EntryKind::parse("memo").unwrap_err();
        assert!(err.to_string().contains("'memo'"), "{err}");
        assert!(serde_json::from_str::<Side>("\"nobody\"").is_err());
    }
}
