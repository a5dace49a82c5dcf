//! Kantara Consent Receipt v1.1 (`KI-CR-v1.1.0`): writing one from a [`ConsentRecord`], and
//! checking that a JSON document is one.

use super::{ConsentAction, ConsentError, ConsentRecord, FieldKind, LegalBasis, Processing};
use serde_json::{json, Map, Value};

/// The `version` of every Kantara v1.1 receipt.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

/// The JWS `typ` Slingshot uses for a signed receipt (payload: the receipt's JSON).
pub const RECEIPT_JWS_TYP: &str = "consent-receipt+jws";

/// A Unix time as RFC 3339 UTC (`2026-05-01T12:00:00Z`); times out of range are written as
/// `unix time N`.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("unix time {unix_seconds}"))
}

/// The Kantara Consent Receipt v1.1 for `record`, with `public_key` (the signing instance
/// key, base64url) as `publicKey`.
///
/// Mapping choices:
/// - one controller; Slingshot records no contact person, so `contact` repeats the email;
///   `address` is `{"addressCountry": ..}` or `{}`; `phone` is empty when none was given;
/// - one service, with one purpose entry per [`Purpose`](super::Purpose); the first is the
///   primary purpose; `piiCategory` lists the categories of every field, in the order of
///   [`FieldKind::ALL`];
/// - `consentType` is `EXPLICIT` when the basis is consent (a Slingshot grant is an explicit
///   act), `N/A` otherwise, as in the specification's example;
/// - `thirdPartyDisclosure` is true only when the record allows sharing, and then
///   `thirdPartyName` points to the policy (grants do not name third parties);
/// - `sensitive`/`spiCat` come from [`FieldKind::is_sensitive`];
/// - a withdrawal is a receipt of its own: `consentTimestamp` is the withdrawal time,
///   `consentReceiptID` the withdrawal record's id, and every purpose's `termination` reads
///   `withdrawn at <RFC 3339>; withdraws consent record <related id>`. A grant's
///   `termination` is `at <expiry> or when withdrawn in Slingshot` (or
///   `when withdrawn in Slingshot`).
pub fn kantara_receipt(record: &ConsentRecord, public_key: &str) -> Value {
    let categories = |sensitive_only: bool| -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for kind in FieldKind::ALL {
            let covered = record.personal_data.iter().any(|d| d.kind == kind);
            let cat = kind.kantara_category();
            if covered && (!sensitive_only || kind.is_sensitive()) && !out.contains(&cat) {
                out.push(cat);
            }
        }
        out
    };
    let pii_categories = categories(false);
    let consent_type = if record.legal_basis == LegalBasis::Consent {
        "EXPLICIT"
    } else {
        "N/A"
    };
    let termination = match (record.action, record.expiry) {
        (ConsentAction::Withdrawn, _) => format!(
            "withdrawn at {}; withdraws consent record {}",
            rfc3339(record.timestamp),
            record.related_record.as_deref().unwrap_or("(not named)")
        ),
        (ConsentAction::Given, Some(expiry)) => {
            format!("at {} or when withdrawn in Slingshot", rfc3339(expiry))
        }
        (ConsentAction::Given, None) => "when withdrawn in Slingshot".to_owned(),
    };
    let shares = record.processing.contains(&Processing::Share);
    let purposes: Vec<Value> = record
        .purposes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut entry = json!({
                "purpose": p.description(),
                "purposeCategory": [p.kantara_category()],
                "consentType": consent_type,
                "piiCategory": pii_categories,
                "primaryPurpose": i == 0,
                "termination": termination,
                "thirdPartyDisclosure": shares,
            });
            if shares {
                entry["thirdPartyName"] = Value::String(format!(
                    "as named in the policy at {}",
                    record.controller.policy_url
                ));
            }
            entry
        })
        .collect();
    let c = &record.controller;
    let address = match &c.country {
        Some(country) => json!({ "addressCountry": country }),
        None => json!({}),
    };
    json!({
        "version": KANTARA_VERSION,
        "jurisdiction": record.jurisdiction,
        "consentTimestamp": record.timestamp.max(0),
        "collectionMethod": record.collection_method,
        "consentReceiptID": record.record_id,
        "publicKey": public_key,
        "language": record.language,
        "piiPrincipalId": record.data_subject,
        "piiControllers": [{
            "piiController": c.name,
            "onBehalf": false,
            "contact": c.email,
            "address": address,
            "email": c.email,
            "phone": c.phone.as_deref().unwrap_or(""),
        }],
        "policyUrl": c.policy_url,
        "services": [{
            "service": record.service,
            "purposes": purposes,
        }],
        "sensitive": record.is_sensitive(),
        "spiCat": categories(true),
    })
}

/// One purpose of a checked receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPurpose {
    /// The service it belongs to.
    pub service: String,
    /// The purpose text, when given.
    pub purpose: Option<String>,
    /// The Kantara purpose categories.
    pub categories: Vec<String>,
    /// When or how the consent ends.
    pub termination: String,
}

/// What a checked Kantara receipt says, for a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSummary {
    /// `consentReceiptID`.
    pub receipt_id: String,
    /// Every `piiController` name.
    pub controllers: Vec<String>,
    /// `piiPrincipalId`.
    pub principal: String,
    /// Every purpose of every service.
    pub purposes: Vec<ReceiptPurpose>,
    /// `consentTimestamp` (Unix seconds).
    pub timestamp: u64,
    /// `jurisdiction`.
    pub jurisdiction: String,
    /// `policyUrl`.
    pub policy_url: String,
    /// `sensitive`.
    pub sensitive: bool,
}

#[derive(Clone, Copy)]
enum Ty {
    Str,
    UInt,
    Bool,
    Obj,
    StrArray,
    Array,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::UInt => "a non-negative integer",
            Ty::Bool => "a boolean",
            Ty::Obj => "an object",
            Ty::StrArray => "an array of strings",
            Ty::Array => "an array",
        }
    }

    fn fits(self, v: &Value) -> bool {
        match self {
            Ty::Str => v.is_string(),
            Ty::UInt => v.is_u64(),
            Ty::Bool => v.is_boolean(),
            Ty::Obj => v.is_object(),
            Ty::StrArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Ty::Array => v.is_array(),
        }
    }
}

fn bad(msg: String) -> ConsentError {
    ConsentError::InvalidReceipt(msg)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A required field of type `ty`.
fn need<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    key: &str,
    ty: Ty,
) -> Result<&'a Value, ConsentError> {
    let at = join(path, key);
    let v = obj
        .get(key)
        .ok_or_else(|| bad(format!("missing field {at}")))?;
    if ty.fits(v) {
        Ok(v)
    } else {
        Err(bad(format!("field {at} must be {}", ty.name())))
    }
}

/// An optional field that, when present, has type `ty`.
fn may(obj: &Map<String, Value>, path: &str, key: &str, ty: Ty) -> Result<(), ConsentError> {
    match obj.get(key) {
        Some(v) if !ty.fits(v) => Err(bad(format!(
            "field {} must be {}",
            join(path, key),
            ty.name()
        ))),
        _ => Ok(()),
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(str_of).collect())
        .unwrap_or_default()
}

/// Objects of an array field, each with its path.
type Items<'a> = Vec<(String, &'a Map<String, Value>)>;

/// Objects of a non-empty array field, with their paths.
fn items<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Items<'a>, ConsentError> {
    let at = join(path, key);
    let arr = need(obj, path, key, Ty::Array)?
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if arr.is_empty() {
        return Err(bad(format!("field {at} must not be empty")));
    }
    arr.iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("{at}[{i}]");
            v.as_object()
                .map(|o| (p.clone(), o))
                .ok_or_else(|| bad(format!("field {p} must be an object")))
        })
        .collect()
}

/// Check that `doc` is a Kantara Consent Receipt v1.1: `version` is `KI-CR-v1.1.0` and every
/// field the v1.1 JSON schema requires is present with its type, at every level
/// (controllers, services, purposes, the `thirdPartyName` a disclosure needs). Stricter than
/// the schema in one way: a receipt must name at least one controller, service and purpose.
///
/// The error names the field: `missing field piiControllers`,
/// `field services[0].purposes[1].termination must be a string`.
pub fn check_kantara_receipt(doc: &Value) -> Result<ReceiptSummary, ConsentError> {
    let top = doc
        .as_object()
        .ok_or_else(|| bad("a receipt must be a JSON object".to_owned()))?;
    let version = need(top, "", "version", Ty::Str)?;
    if version != KANTARA_VERSION {
        return Err(bad(format!(
            "field version must be \"{KANTARA_VERSION}\", not {version}"
        )));
    }
    let jurisdiction = need(top, "", "jurisdiction", Ty::Str)?;
    let timestamp = need(top, "", "consentTimestamp", Ty::UInt)?;
    need(top, "", "collectionMethod", Ty::Str)?;
    let receipt_id = need(top, "", "consentReceiptID", Ty::Str)?;
    may(top, "", "publicKey", Ty::Str)?;
    may(top, "", "language", Ty::Str)?;
    let principal = need(top, "", "piiPrincipalId", Ty::Str)?;
    let controllers = items(top, "", "piiControllers")?;
    let policy_url = need(top, "", "policyUrl", Ty::Str)?;
    let services = items(top, "", "services")?;
    let sensitive = need(top, "", "sensitive", Ty::Bool)?;
    need(top, "", "spiCat", Ty::StrArray)?;

    let mut controller_names = Vec::new();
    for (p, c) in &controllers {
        controller_names.push(str_of(need(c, p, "piiController", Ty::Str)?));
        need(c, p, "contact", Ty::Str)?;
        need(c, p, "address", Ty::Obj)?;
        need(c, p, "email", Ty::Str)?;
        need(c, p, "phone", Ty::Str)?;
        may(c, p, "onBehalf", Ty::Bool)?;
        may(c, p, "piiControllerUrl", Ty::Str)?;
    }
    let mut purposes = Vec::new();
    for (sp, s) in &services {
        let service = str_of(need(s, sp, "service", Ty::Str)?);
        for (p, x) in items(s, sp, "purposes")? {
            may(x, &p, "purpose", Ty::Str)?;
            need(x, &p, "consentType", Ty::Str)?;
            let categories = need(x, &p, "purposeCategory", Ty::StrArray)?;
            need(x, &p, "piiCategory", Ty::StrArray)?;
            may(x, &p, "primaryPurpose", Ty::Bool)?;
            let termination = need(x, &p, "termination", Ty::Str)?;
            let disclosed = need(x, &p, "thirdPartyDisclosure", Ty::Bool)?;
            may(x, &p, "thirdPartyName", Ty::Str)?;
            if disclosed == &Value::Bool(true) && !x.contains_key("thirdPartyName") {
                return Err(bad(format!(
                    "missing field {p}.thirdPartyName (required when thirdPartyDisclosure is true)"
                )));
            }
            purposes.push(ReceiptPurpose {
                service: service.clone(),
                purpose: x.get("purpose").map(str_of),
                categories: strings(categories),
                termination: str_of(termination),
            });
        }
    }
    Ok(ReceiptSummary {
        receipt_id: str_of(receipt_id),
        controllers: controller_names,
        principal: str_of(principal),
        purposes,
        timestamp: timestamp.as_u64().unwrap_or_default(),
        jurisdiction: str_of(jurisdiction),
        policy_url: str_of(policy_url),
        sensitive: sensitive.as_bool().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{grant, KEY};
    use super::*;

    #[test]
    fn a_grant_becomes_a_receipt() {
        let r = kantara_receipt(&grant(), KEY);
        assert_eq!(r["version"], "KI-CR-v1.1.0");
        assert_eq!(r["publicKey"], KEY);
        assert_eq!(r["consentTimestamp"], 1_790_000_000);
        assert_eq!(r["piiControllers"][0]["address"]["addressCountry"], "NL");
        let p = &r["services"][0]["purposes"];
        assert_eq!(p[0]["purposeCategory"][0], "2 - Contracted Service");
        assert_eq!(p[0]["primaryPurpose"], true);
        assert_eq!(p[1]["primaryPurpose"], false);
        assert_eq!(p[0]["consentType"], "EXPLICIT");
        assert_eq!(
            p[0]["piiCategory"],
            json!(["1 - Biographical", "2 - Contact", "16 - Profile"])
        );
        assert_eq!(
            p[0]["termination"],
            "at 2027-09-21T14:13:20Z or when withdrawn in Slingshot"
        );
        assert_eq!(p[0]["thirdPartyDisclosure"], false);
        assert_eq!(r["sensitive"], true);
        assert_eq!(r["spiCat"], json!(["1 - Biographical"]));
        let s = check_kantara_receipt(&r).unwrap();
        assert_eq!(s.controllers, ["Northwind Outfitters"]);
        assert_eq!(s.principal, "p-7f3a9c");
        assert_eq!(s.purposes.len(), 2);
        assert_eq!(s.timestamp, 1_790_000_000);
    }

    #[test]
    fn a_withdrawal_becomes_a_receipt_that_says_so() {
        let g = grant();
        let w = g.withdrawal("2f1e0c4e-8a55-4c55-9b1f-0d5a4c3b2a10", 1_790_086_400);
        let r = kantara_receipt(&w, KEY);
        check_kantara_receipt(&r).unwrap();
        assert_eq!(
            r["consentReceiptID"],
            "2f1e0c4e-8a55-4c55-9b1f-0d5a4c3b2a10"
        );
        assert_eq!(
            r["services"][0]["purposes"][0]["termination"],
            format!(
                "withdrawn at 2026-09-22T14:13:20Z; withdraws consent record {}",
                g.record_id
            )
        );
    }

    #[test]
    fn sharing_names_the_policy_and_other_bases_are_not_consent() {
        let mut g = grant();
        g.processing.push(Processing::Share);
        g.legal_basis = LegalBasis::LegalObligation;
        g.personal_data.retain(|d| !d.kind.is_sensitive());
        let r = kantara_receipt(&g, KEY);
        let p = &r["services"][0]["purposes"][0];
        assert_eq!(p["thirdPartyDisclosure"], true);
        assert!(p["thirdPartyName"].as_str().unwrap().contains("policy"));
        assert_eq!(p["consentType"], "N/A");
        assert_eq!(r["sensitive"], false);
        assert_eq!(r["spiCat"], json!([]));
        check_kantara_receipt(&r).unwrap();
    }

    #[test]
    fn the_check_names_the_failing_field() {
        let good = kantara_receipt(&grant(), KEY);
        let fails = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            check_kantara_receipt(&v).unwrap_err().to_string()
        };
        assert_eq!(
            fails(&|v| {
                v.as_object_mut().unwrap().remove("piiControllers");
            }),
            "missing field piiControllers"
        );
        assert_eq!(
            fails(&|v| v["version"] = json!("KI-CR-v1.0.0")),
            "field version must be \"KI-CR-v1.1.0\", not \"KI-CR-v1.0.0\""
        );
        assert_eq!(
            fails(&|v| v["consentTimestamp"] = json!(-1)),
            "field consentTimestamp must be a non-negative integer"
        );
        assert_eq!(
            fails(&|v| {
                v["piiControllers"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("phone");
            }),
            "missing field piiControllers[0].phone"
        );
        assert_eq!(
            fails(&|v| v["services"][0]["purposes"][1]["termination"] = json!(3)),
            "field services[0].purposes[1].termination must be a string"
        );
        assert!(fails(&|v| {
            v["services"][0]["purposes"][0]["thirdPartyDisclosure"] = json!(true)
        })
        .contains("thirdPartyName"));
        assert_eq!(
            fails(&|v| v["services"] = json!([])),
            "field services must not be empty"
        );
        assert_eq!(
            check_kantara_receipt(&json!([1])).unwrap_err().to_string(),
            "a receipt must be a JSON object"
        );
    }

    #[test]
    fn times_are_written_in_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MAX), format!("unix time {}", i64::MAX));
    }
}
