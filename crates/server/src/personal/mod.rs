//! Personal data under the customer's control: grants and their signed consent receipts,
//! granted reads (logged), proffered terms, and access requests on the organization's
//! business-day clock. The API and the pages call these; the rules live in the domain.

pub mod consent;
pub mod export;
pub mod requests;
pub mod terms;
pub mod vault;

use crate::{AppState, Result};
use slingshot_domain::ledger::{KeyId, SigningKey};

/// Owner name of the instance's own signing key (receipts).
pub const INSTANCE_KEY_OWNER: &str = "instance";

/// The instance's signing key and its id (created on first use).
pub async fn instance_key(state: &AppState) -> Result<(SigningKey, String)> {
    let key = state.keys.key_for(&state.store, INSTANCE_KEY_OWNER).await?;
    let kid = KeyId::of(&key.verifying_key()).to_string();
    Ok((key, kid))
}

/// Microseconds since the epoch → seconds.
pub(crate) fn secs(us: i64) -> i64 {
    us.div_euclid(1_000_000)
}

/// Microseconds since the epoch → a UTC time.
pub(crate) fn utc(us: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs(us)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A UTC time → microseconds since the epoch.
pub(crate) fn micros(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}
