//! Bundle round trips and named failures.

use super::tests_support::*;
use super::*;

#[test]
fn round_trip_verifies() {
    let chain = Chain::sample(30);
    let report = verify(&chain.bundle());
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.entries, 30);
    assert_eq!(report.checkpoints, chain.checkpoints.len() as u64);
    assert_eq!(report.tip.map(|t| t.sequence), Some(30));
    assert_eq!(report.relationship.as_deref(), Some(chain.relationship.as_str()));
}
