//! Property tests: the fast canonical writer matches `serde_jcs`, and any
//! single alteration of a bundle is detected at the right entry.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

use super::canonical_fast::{header_json, value_json};
use super::tests_support::*;
use super::*;

/// `cases` cases, and no regression files outside this module's folder.
fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            cases
        },
        failure_persistence: None,
        ..default
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (any::<i32>(), -30i32..30).prop_map(|(m, e)| Value::from(f64::from(m) * 10f64.powi(e))),
        (1u64..1000, 1i32..26).prop_map(|(m, e)| Value::from(m as f64 * 10f64.powi(e))),
        (1u64..1000, 1i32..12).prop_map(|(m, e)| Value::from(m as f64 / 10f64.powi(e))),
        any::<String>().prop_map(Value::String),
        "[a-z€😀\u{fb33}\u{80}\r]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![any::<String>(), "[a-z€😀\u{fb33}\u{80}\r1]{0,3}".boxed()],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

prop_compose! {
    fn arb_header()(
        relationship in any::<String>(),
        sequence in prop_oneof![1u64..1000, Just(MAX_SEQUENCE), Just(MAX_SEQUENCE + 1), Just(u64::MAX)],
        prev in any::<[u8; 32]>(),
        vendor in any::<bool>(),
        key in any::<[u8; 16]>(),
        kind in 0usize..6,
        thread in any::<String>(),
        digest in any::<[u8; 32]>(),
        corrects in proptest::option::of(any::<[u8; 32]>()),
    ) -> EntryHeader {
        EntryHeader {
            relationship,
            sequence,
            prev_hash: Digest::from_bytes(prev),
            author_side: if vendor { Side::Vendor } else { Side::Customer },
            author_key_id: KeyId::from_bytes(key),
            kind: EntryKind::ALL[kind],
            thread,
            time: LedgerTime::parse("2026-11-25T12:00:00.5Z").unwrap(),
            body_digest: Digest::from_bytes(digest),
            corrects: corrects.map(Digest::from_bytes),
        }
    }
}

/// A tie between two shortest digit strings goes to the even one, as
/// ECMAScript's `Number.prototype.toString` (and Node) write it; found by the
/// property test below.
#[test]
fn a_tie_between_shortest_digits_goes_to_the_even_one() {
    let mut fast = Vec::new();
    value_json(&serde_json::json!([1249904624921306.2]), &mut fast).unwrap();
    assert_eq!(String::from_utf8(fast).unwrap(), "[1249904624921306.2]");
}

/// Doubles at the edges of ECMAScript's notation switches.
#[test]
fn numbers_at_the_notation_edges_match_serde_jcs() {
    let edges = [
        1e21,
        1e20,
        9.999999999999999e20,
        1e-6,
        1e-7,
        1.5e-7,
        0.000001,
        123e-20,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        -0.0,
        0.1 + 0.2,
        1.0 / 3.0,
        2f64.powi(53) + 2.0,
        -2f64.powi(60),
        4.35,
        0.5,
        100.0,
        1e300,
        // Two 17-digit strings round-trip to this double (…306.2 and …306.3 are
        // equally near …306.25); ECMAScript takes the even one.
        1249904624921306.2,
    ];
    for f in edges {
        let v = Value::from(f);
        let mut fast = Vec::new();
        value_json(&v, &mut fast).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            String::from_utf8(serde_jcs::to_vec(&v).unwrap()).unwrap(),
            "{f:e}"
        );
    }
    let big = json!([
        9007199254740993u64,
        -9007199254740993i64,
        u64::MAX,
        i64::MIN
    ]);
    let mut fast = Vec::new();
    value_json(&big, &mut fast).unwrap();
    assert_eq!(fast, serde_jcs::to_vec(&big).unwrap());
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn fast_canonical_json_matches_serde_jcs_for_values(v in arb_json()) {
        let mut fast = Vec::new();
        prop_assert!(value_json(&v, &mut fast).is_some());
        prop_assert_eq!(
            String::from_utf8(fast).unwrap(),
            String::from_utf8(serde_jcs::to_vec(&v).unwrap()).unwrap()
        );
        prop_assert_eq!(body_digest(&v).unwrap(), Digest::of(&serde_jcs::to_vec(&v).unwrap()));
    }

    #[test]
    fn fast_canonical_json_matches_serde_jcs_for_headers(h in arb_header()) {
        let mut fast = Vec::new();
        if header_json(&h, &mut fast).is_some() {
            prop_assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(serde_jcs::to_vec(&h).unwrap()).unwrap()
            );
        } else {
            prop_assert!(h.sequence > MAX_SEQUENCE);
        }
        prop_assert_eq!(h.hash().unwrap(), Digest::of(&serde_jcs::to_vec(&h).unwrap()));
    }

    #[test]
    fn fast_checkpoint_digest_matches_serde_jcs(h in arb_header(), hash in any::<[u8; 32]>()) {
        let c = Checkpoint {
            relationship: h.relationship,
            sequence: h.sequence,
            hash: Digest::from_bytes(hash),
            side: h.author_side,
            key_id: h.author_key_id,
            time: h.time,
        };
        prop_assert_eq!(c.digest().unwrap(), c.digest_reference().unwrap());
    }
}

/// One change to one entry of a bundle.
#[derive(Debug, Clone)]
enum Alteration {
    /// Change a header field; with `rehash`, also update the line's `hash`.
    Field {
        field: usize,
        rehash: bool,
    },
    Body,
    Hash,
    Signature {
        byte: usize,
    },
    Remove,
    SwapWithNext,
    Duplicate,
    /// Re-sign with a key not in the bundle, naming it in the header.
    ResignUnknownKey,
    /// Re-sign with another key while still naming the author's key.
    ResignSameKeyId,
    /// Re-sign as the other side (its key and id), keeping the author side.
    ResignOtherSide,
}

const FIELDS: [&str; 10] = [
    "relationship",
    "sequence",
    "prev_hash",
    "author_side",
    "author_key_id",
    "kind",
    "thread",
    "time",
    "body_digest",
    "corrects",
];

fn arb_alteration() -> impl Strategy<Value = Alteration> {
    prop_oneof![
        (0..FIELDS.len(), any::<bool>())
            .prop_map(|(field, rehash)| Alteration::Field { field, rehash }),
        Just(Alteration::Body),
        Just(Alteration::Hash),
        (0usize..64).prop_map(|byte| Alteration::Signature { byte }),
        Just(Alteration::Remove),
        Just(Alteration::SwapWithNext),
        Just(Alteration::Duplicate),
        Just(Alteration::ResignUnknownKey),
        Just(Alteration::ResignSameKeyId),
        Just(Alteration::ResignOtherSide),
    ]
}

fn stranger() -> SigningKey {
    SigningKey::from_bytes(&[99; 32])
}

/// Recompute the line's hash from its (altered) header, and re-sign it with `key` if given.
fn rehash(line: &mut Value, key: Option<&SigningKey>) {
    let header: EntryHeader = serde_json::from_value(line["header"].clone()).unwrap();
    let hash = header.hash().unwrap();
    line["hash"] = json!(hash);
    if let Some(key) = key {
        line["signature"] = json!(signature_to_base64url(&sign_digest(key, &hash)));
    }
}

fn alter_field(chain: &Chain, line: &mut Value, field: &str) {
    let h = &mut line["header"];
    match field {
        "relationship" | "thread" => {
            let s = format!("{}x", h[field].as_str().unwrap());
            h[field] = json!(s);
        }
        "sequence" => h[field] = json!(h[field].as_u64().unwrap() + 1),
        "prev_hash" | "body_digest" => h[field] = json!(Digest::of(b"something else")),
        "author_side" => {
            let side = Side::parse(h[field].as_str().unwrap()).unwrap();
            h[field] = json!(side.other());
        }
        "author_key_id" => {
            let side = Side::parse(h["author_side"].as_str().unwrap()).unwrap();
            h[field] = json!(KeyId::of(&chain.key(side.other()).verifying_key()));
        }
        "kind" => {
            let kind = EntryKind::parse(h[field].as_str().unwrap()).unwrap();
            let next =
                EntryKind::ALL[(EntryKind::ALL.iter().position(|k| *k == kind).unwrap() + 1) % 6];
            h[field] = json!(next);
        }
        "time" => h[field] = json!("2030-01-01T00:00:00Z"),
        "corrects" => {
            let obj = h.as_object_mut().unwrap();
            if obj.remove("corrects").is_none() {
                obj.insert("corrects".into(), json!(Digest::of(b"not an entry")));
            }
        }
        other => panic!("unknown field {other}"),
    }
}

/// Apply `alt` to entry `i` (0-based) and return the sequence number the
/// verifier must name first.
fn apply(chain: &Chain, lines: &mut Vec<Value>, i: usize, alt: &Alteration) -> u64 {
    let at = i + 1; // line 0 is the bundle header
    let seq = i as u64 + 1;
    let author = chain.entries[i].0.header.author_side;
    match alt {
        Alteration::Field { field, rehash: re } => {
            alter_field(chain, &mut lines[at], FIELDS[*field]);
            if *re {
                rehash(&mut lines[at], None);
            }
        }
        Alteration::Body => {
            if lines[at]["erased"] == json!(true) {
                lines[at]["body"] = json!({"text": "resurrected"});
            } else {
                lines[at]["body"]["text"] = json!("changed after the fact");
            }
        }
        Alteration::Hash => lines[at]["hash"] = json!(Digest::of(b"forged")),
        Alteration::Signature { byte } => {
            let mut sig = signature_from_base64url(lines[at]["signature"].as_str().unwrap())
                .unwrap()
                .to_bytes();
            sig[*byte] ^= 0x01;
            lines[at]["signature"] = json!(signature_to_base64url(&Signature::from_bytes(&sig)));
        }
        Alteration::Remove => {
            lines.remove(at);
        }
        Alteration::SwapWithNext => lines.swap(at, at + 1),
        Alteration::Duplicate => {
            let copy = lines[at].clone();
            lines.insert(at + 1, copy);
            return seq + 1;
        }
        Alteration::ResignUnknownKey => {
            lines[at]["header"]["author_key_id"] = json!(KeyId::of(&stranger().verifying_key()));
            rehash(&mut lines[at], Some(&stranger()));
        }
        Alteration::ResignSameKeyId => rehash(&mut lines[at], Some(&stranger())),
        Alteration::ResignOtherSide => {
            let other = chain.key(author.other());
            lines[at]["header"]["author_key_id"] = json!(KeyId::of(&other.verifying_key()));
            rehash(&mut lines[at], Some(other));
        }
    }
    seq
}

// Signatures are slow in unoptimised test builds: these case counts keep
// the suite to seconds; raise PROPTEST_CASES to search harder.
proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_single_alteration_is_detected_at_the_right_entry(
        n in 2usize..12,
        which in any::<Index>(),
        erase in prop::collection::vec(any::<bool>(), 16),
        alt in arb_alteration(),
    ) {
        let mut chain = sample(n);
        for (i, e) in erase.iter().enumerate().take(n) {
            chain.erased[i] = *e && i % 2 == 1;
        }
        let bundle = chain.bundle();
        let mut lines = lines(&bundle);
        let last = if matches!(alt, Alteration::SwapWithNext) { n - 1 } else { n };
        let i = which.index(last);
        let expected = apply(&chain, &mut lines, i, &alt);
        let report = verify(&join(&lines));
        prop_assert!(!report.is_valid(), "{alt:?} at entry {} not detected", i + 1);
        let first = report.first_failure().unwrap();
        prop_assert_eq!(first.sequence, Some(expected), "{:?} at entry {}: {}", alt, i + 1, report);
        match alt {
            Alteration::Remove => {}
            Alteration::Duplicate => prop_assert_eq!(first.line, i as u64 + 3, "{}", report),
            _ => prop_assert_eq!(first.line, i as u64 + 2, "{:?}: {}", alt, report),
        }
    }

}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn erasing_any_bodies_keeps_the_bundle_valid(
        n in 1usize..20,
        erase in prop::collection::vec(any::<bool>(), 20),
    ) {
        let mut chain = sample(n);
        for (i, e) in erase.iter().enumerate().take(n) {
            chain.erased[i] = *e;
        }
        let report = verify(&chain.bundle());
        prop_assert!(report.is_valid(), "{}", report);
        prop_assert_eq!(report.erased, erase.iter().take(n).filter(|e| **e).count() as u64);
    }

    #[test]
    fn any_checkpoint_alteration_is_detected(
        n in 2usize..16,
        which in any::<Index>(),
        field in 0usize..6,
    ) {
        let chain = sample(n);
        let bundle = chain.bundle();
        let mut lines = lines(&bundle);
        let at = 1 + n + which.index(chain.checkpoints.len());
        let c = &mut lines[at]["checkpoint"];
        match field {
            0 => c["sequence"] = json!(c["sequence"].as_u64().unwrap() + 1),
            1 => c["hash"] = json!(Digest::of(b"x")),
            2 => c["time"] = json!("2031-01-01T00:00:00Z"),
            3 => c["relationship"] = json!("another-relationship"),
            4 => {
                let side = Side::parse(c["side"].as_str().unwrap()).unwrap();
                c["side"] = json!(side.other());
            }
            _ => {
                let mut sig = signature_from_base64url(lines[at]["signature"].as_str().unwrap())
                    .unwrap()
                    .to_bytes();
                sig[10] ^= 0x40;
                lines[at]["signature"] = json!(signature_to_base64url(&Signature::from_bytes(&sig)));
            }
        }
        let report = verify(&join(&lines));
        prop_assert!(!report.is_valid(), "checkpoint field {} not detected", field);
        let first = report.first_failure().unwrap();
        prop_assert_eq!(first.line, at as u64 + 1, "{}", report);
        prop_assert_eq!(first.item, FailedItem::Checkpoint);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let report = verify(&bytes);
        prop_assert!(!report.is_valid());
    }

    #[test]
    fn never_panics_on_cut_or_spliced_bundles(cut in any::<Index>(), junk in "[ -~\n]{0,40}") {
        let bundle = sample(6).bundle();
        let at = cut.index(bundle.len());
        let mut spliced = bundle[..at].to_vec();
        spliced.extend_from_slice(junk.as_bytes());
        spliced.extend_from_slice(&bundle[at..]);
        let _ = verify(&spliced);
        let _ = verify(&bundle[..at]);
    }
}
