//! `slingshot verify RECEIPT`: consent receipts (compact JWS over a Kantara v1.1 receipt)
//! checked by the built binary, and each kind of failure named.
//!
//! With `SLINGSHOT_RECEIPT_JWS_OUT=path`, the valid receipt is also written to `path` (for
//! `interop/validate_consent_receipt.py`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Value};
use slingshot_credentials::{
    generate_signing_key, jwk_of, jwks, public_key_b64, sign_compact, sign_compact_with_header,
    SigningKey,
};
use slingshot_domain::consent::{
    kantara_receipt, ConsentAction, ConsentRecord, Controller, FieldKind, LegalBasis,
    PersonalDatum, Processing, Purpose, COLLECTION_METHOD, CONSENT_RECORD_SCHEMA, RECEIPT_JWS_TYP,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn record() -> ConsentRecord {
    ConsentRecord {
        record_id: "7d9f2c1a-3b4e-4f60-8a71-92b3c4d5e6f7".into(),
        schema_version: CONSENT_RECORD_SCHEMA.into(),
        timestamp: 1_790_000_000,
        action: ConsentAction::Given,
        data_subject: "p-7f3a9c".into(),
        controller: Controller {
            name: "Northwind Outfitters".into(),
            email: "privacy@northwind.example".into(),
            phone: None,
            country: Some("NL".into()),
            policy_url: "https://northwind.example/privacy".into(),
        },
        service: "Northwind online shop".into(),
        jurisdiction: "NL".into(),
        purposes: vec![Purpose::ServiceProvision, Purpose::Delivery],
        personal_data: vec![
            PersonalDatum {
                kind: FieldKind::Name,
                label: "Full name".into(),
            },
            PersonalDatum {
                kind: FieldKind::PostalAddress,
                label: "Home address".into(),
            },
        ],
        processing: vec![Processing::Collect, Processing::Store, Processing::Use],
        legal_basis: LegalBasis::Consent,
        expiry: None,
        notice_url: "https://slingshot.example/grants/g-81".into(),
        collection_method: COLLECTION_METHOD.into(),
        related_record: Some("g-81".into()),
        language: "en".into(),
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    key: SigningKey,
    receipt: Value,
}

impl Fixture {
    fn new() -> Self {
        let key = generate_signing_key();
        let receipt = kantara_receipt(&record(), &public_key_b64(&key));
        Self {
            dir: tempfile::tempdir().unwrap(),
            key,
            receipt,
        }
    }

    fn sign(&self, payload: &Value) -> String {
        sign_compact(
            &self.key,
            "instance-1",
            RECEIPT_JWS_TYP,
            payload.to_string().as_bytes(),
        )
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn trust(&self) -> String {
        public_key_b64(&self.key)
    }
}

fn verify(file: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slingshot"))
        .arg("verify")
        .arg(file)
        .args(extra)
        .env_remove("SLINGSHOT_CONFIG")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The run failed with exit status 1 and said `what`.
fn fails_with(o: &Output, what: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    assert!(text(o).contains(what), "expected {what:?} in: {}", text(o));
}

fn replace_part(token: &str, i: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[i] = part;
    parts.join(".")
}

#[test]
fn a_valid_receipt_verifies_with_a_trusted_key_or_the_jwks() {
    let f = Fixture::new();
    let token = f.sign(&f.receipt);
    let file = f.write("receipt.jws", &format!("{token}\n"));
    if let Some(out) = std::env::var_os("SLINGSHOT_RECEIPT_JWS_OUT") {
        std::fs::write(out, &token).unwrap();
    }

    let o = verify(&file, &["--trust-key", &f.trust()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("consent receipt OK"), "{out}");
    assert!(
        out.contains("7d9f2c1a-3b4e-4f60-8a71-92b3c4d5e6f7"),
        "{out}"
    );
    assert!(out.contains("Northwind Outfitters"), "{out}");
    assert!(out.contains("p-7f3a9c"), "{out}");
    assert!(out.contains("2 - Contracted Service"), "{out}");
    assert!(out.contains("3 - Delivery"), "{out}");
    assert!(out.contains("2026-09-21T14:13:20Z"), "{out}");

    let set = jwks([("instance-1", &f.key.verifying_key())]);
    let jwks_file = f.write("jwks.json", &set.to_string());
    let o = verify(&file, &["--jwks", jwks_file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("signed by key instance-1"),
        "{}",
        text(&o)
    );
}

#[test]
fn without_a_trusted_key_a_receipt_is_refused() {
    let f = Fixture::new();
    let file = f.write("receipt.jws", &f.sign(&f.receipt));
    fails_with(&verify(&file, &[]), "--trust-key");
    fails_with(&verify(&file, &[]), "--jwks");
}

#[test]
fn an_altered_payload_fails_the_signature() {
    let f = Fixture::new();
    let token = f.sign(&f.receipt);
    let mut altered = f.receipt.clone();
    altered["piiPrincipalId"] = json!("someone-else");
    let forged = replace_part(&token, 1, &B64.encode(altered.to_string()));
    let file = f.write("receipt.jws", &forged);
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "signature: does not match",
    );
    // One character is no base64url.
    let file = f.write("bad-payload.jws", &replace_part(&token, 1, "a"));
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "payload: not base64url",
    );
}

#[test]
fn an_altered_header_fails() {
    let f = Fixture::new();
    let token = f.sign(&f.receipt);
    let header = String::from_utf8(B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    let retyped = header.replace(RECEIPT_JWS_TYP, "JWT");
    assert_ne!(header, retyped);
    let file = f.write(
        "retyped.jws",
        &replace_part(&token, 0, &B64.encode(&retyped)),
    );
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "signature: does not match",
    );
    let hs = sign_compact_with_header(&f.key, r#"{"alg":"HS256"}"#, b"{}");
    let file = f.write("hs.jws", &hs);
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "header: alg is HS256, not EdDSA",
    );
}

#[test]
fn a_receipt_signed_by_another_key_fails() {
    let f = Fixture::new();
    let other = Fixture::new();
    let file = f.write("receipt.jws", &other.sign(&f.receipt));
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "signature: does not match",
    );
    // A JWKS without the receipt's key id.
    let set = json!({ "keys": [jwk_of(&f.key.verifying_key(), "instance-2")] });
    let jwks_file = f.write("jwks.json", &set.to_string());
    fails_with(
        &verify(&file, &["--jwks", jwks_file.to_str().unwrap()]),
        "key: unknown key id 'instance-1'",
    );
}

#[test]
fn a_signed_payload_that_is_not_a_kantara_receipt_fails() {
    let f = Fixture::new();
    let file = f.write("hello.jws", &f.sign(&json!({ "hello": "world" })));
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "payload: missing field version",
    );
    let mut partial = f.receipt.clone();
    partial.as_object_mut().unwrap().remove("piiControllers");
    let file = f.write("partial.jws", &f.sign(&partial));
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "payload: missing field piiControllers",
    );
    let not_json = sign_compact(&f.key, "instance-1", RECEIPT_JWS_TYP, b"plain text");
    let file = f.write("text.jws", &not_json);
    fails_with(
        &verify(&file, &["--trust-key", &f.trust()]),
        "payload: not JSON",
    );
}
