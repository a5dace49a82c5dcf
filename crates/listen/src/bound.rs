//! Data-dependent (online) and a-priori bounds on the optimum (Leskovec et al., KDD 2007).

/// A-priori guarantee of greedy under a cardinality constraint: `1 - 1/e`.
pub const APRIORI_UNIT_COST: f64 = 1.0 - 1.0 / std::f64::consts::E;
/// A-priori guarantee of CELF (better of unit-cost and cost-benefit greedy) under a budget:
/// `(1 - 1/e) / 2`.
pub const APRIORI_BUDGET: f64 = 0.5 * (1.0 - 1.0 / std::f64::consts::E);

/// Sum of the `k` largest `ub[s]` over sources not marked in `skip`.
pub(crate) fn top_k_sum(ub: &[f64], skip: &[bool], k: usize) -> f64 {
    let mut v: Vec<f64> = ub
        .iter()
        .zip(skip)
        .filter(|(&g, &s)| !s && g > 0.0)
        .map(|(&g, _)| g)
        .collect();
    if k == 0 {
        return 0.0;
    }
    if v.len() > k {
        v.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        v.truncate(k);
    }
    v.iter().sum()
}

/// The knapsack bound: the best fractional choice of sources not in `skip` with gains `ub` and
/// `costs` within `budget` (sources sorted by gain per cost, the last one taken in part).
pub(crate) fn knapsack_sum(ub: &[f64], costs: &[f64], skip: &[bool], budget: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = ub
        .iter()
        .zip(costs)
        .zip(skip)
        .filter(|((&g, _), &s)| !s && g > 0.0)
        .map(|((&g, &c), _)| (g, c))
        .collect();
    v.sort_unstable_by(|a, b| (b.0 / b.1).total_cmp(&(a.0 / a.1)));
    let mut left = budget;
    let mut sum = 0.0;
    for (g, c) in v {
        if left <= 0.0 {
            break;
        }
        if c <= left {
            sum += g;
            left -= c;
        } else {
            sum += g * left / c;
            left = 0.0;
        }
    }
    sum
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn top_k_and_knapsack() {
        let ub = [5.0, 1.0, 3.0, 4.0];
        let skip = [false, false, false, true];
        assert_eq!(top_k_sum(&ub, &skip, 2), 8.0);
        assert_eq!(top_k_sum(&ub, &skip, 9), 9.0);
        // ratios: 5/5=1, 1/1=1, 3/1=3 -> take 2 (3), then 5 (cost 5) with 2 left: 2/5 of it.
        let costs = [5.0, 1.0, 1.0, 1.0];
        let k = knapsack_sum(&ub, &costs, &skip, 3.0);
        assert!((k - (3.0 + 2.0)).abs() < 1e-12, "{k}");
    }
}
