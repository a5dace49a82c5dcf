//! Receipts checked against the Kantara v1.1 JSON schema and example in the shared folder
//! (`$SLINGSHOT_SHARED_DIR`, else `../../../shared` from this crate). When the folder is
//! missing these tests are skipped, except under `CI`, where they fail.
//!
//! With `SLINGSHOT_RECEIPT_OUT=path`, the grant's receipt is written to `path` and its
//! withdrawal's to `path.withdrawal.json`, for `interop/validate_consent_receipt.py`.

use super::tests_support::{grant, KEY};
use super::*;
use serde_json::Value;
use std::path::PathBuf;

fn receipt_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("SLINGSHOT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("interop/consent-receipt");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the shared folder {} is missing (set SLINGSHOT_SHARED_DIR)",
        dir.display()
    );
    eprintln!("skipped: {} is missing", dir.display());
    None
}

/// The schema, its `//` comment lines removed.
fn schema(dir: &std::path::Path) -> Value {
    let text =
        std::fs::read_to_string(dir.join("kantara-consent-receipt-v1_1-schema.json")).unwrap();
    let json: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).unwrap()
}

fn example(dir: &std::path::Path) -> Value {
    let text =
        std::fs::read_to_string(dir.join("kantara-consent-receipt-v1_1-example.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn type_fits(ty: &str, v: &Value) -> bool {
    match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        other => panic!("the schema uses type {other}, unknown to this test"),
    }
}

/// The draft-04 keywords this schema uses: type, required, properties, items, enum,
/// minimum, oneOf. Problems are pushed as `path: what`.
fn validate(schema: &Value, v: &Value, path: &str, problems: &mut Vec<String>) {
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        if !type_fits(ty, v) {
            problems.push(format!("{path}: not of type {ty}"));
            return;
        }
    }
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = key.as_str().unwrap();
        if v.get(key).is_none() {
            problems.push(format!("{path}: missing required {key}"));
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        v.as_object(),
    ) {
        for (key, sub) in props {
            if let Some(x) = obj.get(key) {
                validate(sub, x, &format!("{path}.{key}"), problems);
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(items, x, &format!("{path}[{i}]"), problems);
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(v) {
            problems.push(format!("{path}: not one of {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            problems.push(format!("{path}: below {min}"));
        }
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = branches
            .iter()
            .filter(|b| {
                let mut p = Vec::new();
                validate(b, v, path, &mut p);
                p.is_empty()
            })
            .count();
        if passing != 1 {
            problems.push(format!("{path}: {passing} oneOf branches match, not 1"));
        }
    }
}

fn problems(schema: &Value, v: &Value) -> Vec<String> {
    let mut p = Vec::new();
    validate(schema, v, "$", &mut p);
    p
}

/// Every `required` key of the schema that is reachable in `doc`, as JSON pointers.
fn required_pointers(schema: &Value, doc: &Value, at: &str, out: &mut Vec<String>) {
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push(format!("{at}/{}", key.as_str().unwrap()));
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        doc.as_object(),
    ) {
        for (key, sub) in props {
            if let Some(x) = obj.get(key) {
                required_pointers(sub, x, &format!("{at}/{key}"), out);
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), doc.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            required_pointers(items, x, &format!("{at}/{i}"), out);
        }
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(key);
}

fn receipts() -> Vec<(&'static str, Value)> {
    let g = grant();
    let w = g.withdrawal("2f1e0c4e-8a55-4c55-9b1f-0d5a4c3b2a10", g.timestamp + 86_400);
    let mut shared = grant();
    shared.processing.push(Processing::Share);
    vec![
        ("grant", kantara_receipt(&g, KEY)),
        ("withdrawal", kantara_receipt(&w, KEY)),
        ("grant with sharing", kantara_receipt(&shared, KEY)),
    ]
}

#[test]
fn the_schema_and_example_agree_with_this_validator() {
    let Some(dir) = receipt_dir() else { return };
    let (schema, example) = (schema(&dir), example(&dir));
    assert_eq!(problems(&schema, &example), Vec::<String>::new());
    let s = check_kantara_receipt(&example).unwrap();
    assert_eq!(s.controllers, ["Ankh-Morpork Times"]);
    assert_eq!(s.purposes.len(), 4);
    // The validator is not a yes-man.
    let mut broken = example.clone();
    broken["consentTimestamp"] = serde_json::json!("yesterday");
    assert_eq!(problems(&schema, &broken).len(), 1);
}

#[test]
fn produced_receipts_validate_against_the_schema() {
    let Some(dir) = receipt_dir() else { return };
    let schema = schema(&dir);
    for (what, receipt) in receipts() {
        assert_eq!(
            problems(&schema, &receipt),
            Vec::<String>::new(),
            "{what}: {receipt:#}"
        );
        check_kantara_receipt(&receipt).unwrap();
    }
}

#[test]
fn every_required_field_is_present_and_checked() {
    let Some(dir) = receipt_dir() else { return };
    let schema = schema(&dir);
    for (what, receipt) in receipts() {
        let mut pointers = Vec::new();
        required_pointers(&schema, &receipt, "", &mut pointers);
        // 11 top-level, 5 for the controller, 2 for the service, 5 per purpose.
        let n_purposes = receipt["services"][0]["purposes"].as_array().unwrap().len();
        assert!(
            pointers.len() >= 18 + 5 * n_purposes,
            "{what}: {pointers:?}"
        );
        for p in pointers {
            assert!(receipt.pointer(&p).is_some(), "{what}: {p} is missing");
            let mut cut = receipt.clone();
            remove(&mut cut, &p);
            assert!(
                !problems(&schema, &cut).is_empty(),
                "{what}: schema misses {p}"
            );
            let e = check_kantara_receipt(&cut).unwrap_err().to_string();
            let field = p.rsplit('/').next().unwrap();
            assert!(e.contains(field), "{what}: without {p} the check said {e}");
        }
    }
}

#[test]
fn write_receipts_for_the_python_validator() {
    let Some(out) = std::env::var_os("SLINGSHOT_RECEIPT_OUT") else {
        return;
    };
    let out = PathBuf::from(out);
    let all = receipts();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
    std::fs::write(&out, pretty(&all[0].1)).unwrap();
    let mut w = out.clone().into_os_string();
    w.push(".withdrawal.json");
    std::fs::write(w, pretty(&all[1].1)).unwrap();
}
