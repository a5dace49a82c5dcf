//! What a person records about a vendor: its name, website, mail domain and notes.

use crate::DomainError;

/// Longest vendor name, in characters.
pub const MAX_VENDOR_NAME: usize = 120;
/// Longest website, in characters.
pub const MAX_WEBSITE: usize = 300;
/// Longest notes, in characters.
pub const MAX_NOTES: usize = 10_000;

/// Check a vendor's details as given (before trimming). The name may be empty only when
/// the vendor is an organization here (its own name is used); the mail domain, when
/// given, must be a domain name with at least two labels, so that mail import never
/// attaches a whole top-level domain (`com`) to one relationship.
pub fn check_vendor(
    name: &str,
    is_org: bool,
    website: &str,
    domain: &str,
    notes: &str,
) -> Result<(), DomainError> {
    let name = name.trim();
    if (name.is_empty() && !is_org)
        || name.chars().count() > MAX_VENDOR_NAME
        || name.chars().any(char::is_control)
    {
        return Err(DomainError::InvalidName("vendor name", MAX_VENDOR_NAME));
    }
    let website = website.trim();
    if website.chars().count() > MAX_WEBSITE
        || website.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(DomainError::InvalidName("vendor website", MAX_WEBSITE));
    }
    let domain = domain.trim();
    if !domain.is_empty() && !is_domain_name(domain) {
        return Err(DomainError::UnknownValue {
            kind: "vendor domain",
            value: domain.chars().take(80).collect(),
            expected: "a mail domain such as shop.example",
        });
    }
    if notes.chars().count() > MAX_NOTES || notes.contains('\0') {
        return Err(DomainError::InvalidName("notes", MAX_NOTES));
    }
    Ok(())
}

/// Letters, digits and hyphens in two or more labels of 1–63 characters, 253 in all;
/// no label starts or ends with a hyphen.
pub fn is_domain_name(d: &str) -> bool {
    let labels: Vec<&str> = d.split('.').collect();
    d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_details_are_checked() {
        assert!(check_vendor(
            "Corner Bikes",
            false,
            "https://cornerbikes.example",
            "cornerbikes.example",
            ""
        )
        .is_ok());
        assert!(
            check_vendor("", true, "", "", "").is_ok(),
            "an organization names itself"
        );
        assert!(check_vendor(" ", false, "", "", "").is_err());
        assert!(check_vendor(&"x".repeat(121), false, "", "", "").is_err());
        assert!(check_vendor("a\0b", false, "", "", "").is_err());
        assert!(check_vendor("Shop", false, "https://x.example/a b", "", "").is_err());
        assert!(check_vendor("Shop", false, &"w".repeat(301), "", "").is_err());
        for bad in [
            "com",
            "shop..example",
            "-shop.example",
            "shop.example/x",
            "shöp.example",
            "a\0.example",
        ] {
            assert!(check_vendor("Shop", false, "", bad, "").is_err(), "{bad}");
        }
        assert!(check_vendor("Shop", false, "", "Mail.Shop-1.example", "").is_ok());
        assert!(check_vendor("Shop", false, "", "", &"n".repeat(10_001)).is_err());
        assert!(check_vendor("Shop", false, "", "", "a\0").is_err());
    }
}
