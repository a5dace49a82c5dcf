//! Consent: what a person grants an organization, and the terms they proffer.
//!
//! - [`Purpose`] and [`FieldKind`]: fixed lists, mapped to W3C DPV and to the Kantara
//!   Consent Receipt v1.1 categories;
//! - [`ConsentRecord`]: one grant or withdrawal, with the fields of ISO/IEC TS 27560;
//! - [`kantara_receipt`] writes a Kantara v1.1 receipt for a record (the server signs it as
//!   a compact JWS), and [`check_kantara_receipt`] checks one (`slingshot verify`);
//! - [`Term`], [`TermResponse`] and [`TermsRecord`]: terms the customer proffers, in the
//!   manner of IEEE 7012.
//!
//! Types and rules only: no I/O.

mod error;
mod field;
mod kantara;
mod purpose;
mod record;
mod terms;

#[cfg(test)]
mod tests_schema;
#[cfg(test)]
mod tests_support;

pub use error::ConsentError;
pub use field::FieldKind;
pub use kantara::{
    check_kantara_receipt, kantara_receipt, rfc3339, ReceiptPurpose, ReceiptSummary,
    KANTARA_VERSION, RECEIPT_JWS_TYP,
};
pub use purpose::Purpose;
pub use record::{
    ConsentAction, ConsentRecord, Controller, LegalBasis, PersonalDatum, Processing,
    COLLECTION_METHOD, CONSENT_RECORD_SCHEMA,
};
pub use terms::{check_response, Term, TermResponse, TermsRecord, TERMS_LIST_VERSION};

/// Find the value of `all` whose stable name is `s`.
fn parse_one<T: Copy>(
    s: &str,
    kind: &'static str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, ConsentError> {
    all.iter()
        .copied()
        .find(|x| name(*x) == s)
        .ok_or_else(|| ConsentError::UnknownValue {
            kind,
            value: s.to_owned(),
            expected: all.iter().map(|x| name(*x)).collect::<Vec<_>>().join(", "),
        })
}
