//! Checks on profile fields before they are stored.

use crate::{Result, ServerError};
use slingshot_domain::consent::FieldKind;

/// Longest label.
pub const MAX_LABEL: usize = 100;
/// Longest value.
pub const MAX_VALUE: usize = 2_000;

/// A checked (kind, label, value): the label defaults to the kind's name; a birthdate is
/// a real `YYYY-MM-DD` date; an e-mail has an `@`.
pub fn check_field(
    kind: &str,
    label: Option<&str>,
    value: &str,
) -> Result<(FieldKind, String, String)> {
    let k = FieldKind::parse(kind)?;
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or(k.label())
        .to_owned();
    let value = check_value(k, value)?;
    if label.chars().count() > MAX_LABEL {
        return Err(ServerError::Invalid(
            "invalid_field",
            format!("a label is at most {MAX_LABEL} characters"),
        ));
    }
    Ok((k, label, value))
}

/// A checked value for a field of kind `k`.
pub fn check_value(k: FieldKind, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > MAX_VALUE {
        return Err(ServerError::Invalid(
            "invalid_field",
            format!("a value is 1 to {MAX_VALUE} characters"),
        ));
    }
    match k {
        FieldKind::Birthdate if slingshot_domain::conversation::parse_date(v).is_err() => {
            Err(ServerError::Invalid(
                "invalid_field",
                "a birthdate is a date written YYYY-MM-DD".into(),
            ))
        }
        FieldKind::Email if !v.contains('@') || v.contains(char::is_whitespace) => {
            Err(ServerError::Invalid(
                "invalid_field",
                "an e-mail address has the form name@domain".into(),
            ))
        }
        _ => Ok(v.to_owned()),
    }
}
