//! A fast path for RFC 8785 canonical JSON of entry headers and bodies.
//!
//! `serde_jcs` is the reference: it buffers every key and value and writes
//! through boxed writers, which costs several µs per header — too slow for
//! verifying 50,000 entries/s. This writer produces the same bytes; where it
//! cannot (it returns `None`), callers fall back to `serde_jcs`. Property
//! tests check it byte for byte against `serde_jcs`.

use serde_json::{Map, Value};

use super::{Checkpoint, Digest, EntryHeader, KeyId, CHECKPOINT_STATEMENT, MAX_SEQUENCE};

/// Canonical JSON of a header, or `None` to fall back (sequence above 2^53 − 1).
pub(crate) fn header_json(h: &EntryHeader, out: &mut Vec<u8>) -> Option<()> {
    if h.sequence > MAX_SEQUENCE {
        return None;
    }
    // Keys in UTF-16 code unit order (all ASCII, so byte order).
    out.extend_from_slice(b"{\"author_key_id\":\"");
    key_id(&h.author_key_id, out);
    out.extend_from_slice(b"\",\"author_side\":\"");
    out.extend_from_slice(h.author_side.as_str().as_bytes());
    out.extend_from_slice(b"\",\"body_digest\":");
    digest(&h.body_digest, out);
    if let Some(c) = &h.corrects {
        out.extend_from_slice(b",\"corrects\":");
        digest(c, out);
    }
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(h.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"prev_hash\":");
    digest(&h.prev_hash, out);
    out.extend_from_slice(b",\"relationship\":");
    string(&h.relationship, out);
    out.extend_from_slice(b",\"sequence\":");
    decimal(h.sequence, out);
    out.extend_from_slice(b",\"thread\":");
    string(&h.thread, out);
    out.extend_from_slice(b",\"time\":");
    string(h.time.as_str(), out);
    out.push(b'}');
    Some(())
}

/// Canonical JSON of a checkpoint's signed statement (its fields plus
/// `"type":"slingshot-checkpoint/1"`), or `None` to fall back.
pub(crate) fn checkpoint_json(c: &Checkpoint, out: &mut Vec<u8>) -> Option<()> {
    if c.sequence > MAX_SEQUENCE {
        return None;
    }
    out.extend_from_slice(b"{\"hash\":");
    digest(&c.hash, out);
    out.extend_from_slice(b",\"key_id\":\"");
    key_id(&c.key_id, out);
    out.extend_from_slice(b"\",\"relationship\":");
    string(&c.relationship, out);
    out.extend_from_slice(b",\"sequence\":");
    decimal(c.sequence, out);
    out.extend_from_slice(b",\"side\":\"");
    out.extend_from_slice(c.side.as_str().as_bytes());
    out.extend_from_slice(b"\",\"time\":");
    string(c.time.as_str(), out);
    out.extend_from_slice(b",\"type\":");
    string(CHECKPOINT_STATEMENT, out);
    out.push(b'}');
    Some(())
}

/// Canonical JSON of a value, or `None` to fall back.
pub(crate) fn value_json(v: &Value, out: &mut Vec<u8>) -> Option<()> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            const LIMIT: u64 = 1 << 53;
            if let Some(u) = n.as_u64().filter(|u| *u <= LIMIT) {
                decimal(u, out);
            } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= LIMIT) {
                if i < 0 {
                    out.push(b'-');
                }
                decimal(i.unsigned_abs(), out);
            } else {
                // Every other number is an IEEE 754 double in RFC 8785.
                number(n.as_f64()?, out)?;
            }
        }
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value_json(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => object(map, out)?,
    }
    Some(())
}

/// A double the way ECMAScript's `Number.prototype.toString` writes it
/// (RFC 8785 §3.2.2.3), by `ryu-js`, the formatter `serde_jcs` uses: the
/// shortest digits that round-trip, ties between two such digit strings going
/// to the even one (Rust's `{:e}` breaks some ties the other way), plain
/// notation for decimal exponents −6 < n ≤ 21 and `d.ddde±x` otherwise; −0 is
/// `0`.
fn number(f: f64, out: &mut Vec<u8>) -> Option<()> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        out.push(b'0');
        return Some(());
    }
    out.extend_from_slice(ryu_js::Buffer::new().format_finite(f).as_bytes());
    Some(())
}

fn object(map: &Map<String, Value>, out: &mut Vec<u8>) -> Option<()> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    // serde_json's map is ordered by UTF-8 bytes (code points); RFC 8785
    // orders by UTF-16 code units. They differ only when a key holds a
    // character above U+FFFF, so compare as UTF-16 only then.
    entries.sort_by(|a, b| {
        if a.0.is_ascii() || b.0.is_ascii() {
            a.0.as_bytes().cmp(b.0.as_bytes())
        } else {
            a.0.encode_utf16().cmp(b.0.encode_utf16())
        }
    });
    out.push(b'{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(k, out);
        out.push(b':');
        value_json(v, out)?;
    }
    out.push(b'}');
    Some(())
}

/// An unsigned integer in decimal, without allocating.
fn decimal(mut n: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(at..).unwrap_or_default());
}

fn key_id(id: &KeyId, out: &mut Vec<u8>) {
    let mut buf = [0u8; 24];
    out.extend_from_slice(id.encode(&mut buf).as_bytes());
}

fn digest(d: &Digest, out: &mut Vec<u8>) {
    let mut buf = [0u8; 64];
    out.push(b'"');
    out.extend_from_slice(d.encode(&mut buf).as_bytes());
    out.push(b'"');
}

/// A string with RFC 8785 escaping: `"` and `\`, the five short control
/// escapes, other controls as lower-case `\u00xx`; everything else as is.
fn string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => &[],
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}
