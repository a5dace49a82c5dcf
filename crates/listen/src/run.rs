//! What every selection algorithm shares: the constraint, the rule, and the record of a run.

use crate::bound::{knapsack_sum, top_k_sum};

/// The constraint: choose `k` sources, or sources whose costs add up to at most a budget.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Limit<'a> {
    Count(usize),
    Budget { costs: &'a [f64], budget: f64 },
}

impl Limit<'_> {
    pub fn cost(&self, s: usize) -> f64 {
        match self {
            Limit::Count(_) => 1.0,
            Limit::Budget { costs, .. } => costs[s],
        }
    }

    /// The capacity: k or the budget.
    pub fn capacity(&self) -> f64 {
        match self {
            Limit::Count(k) => *k as f64,
            Limit::Budget { budget, .. } => *budget,
        }
    }

    /// Sources that can never be chosen (cost above the budget).
    pub fn too_expensive(&self, n: usize) -> Vec<bool> {
        let cap = self.capacity();
        (0..n).map(|s| self.cost(s) > cap).collect()
    }

    /// Best possible further gain given upper bounds `ub` on the marginal gains of the sources
    /// not in `skip`: the `k` largest, or the fractional knapsack within the budget.
    pub fn bound_from(&self, ub: &[f64], skip: &[bool]) -> f64 {
        match self {
            Limit::Count(k) => top_k_sum(ub, skip, *k),
            Limit::Budget { costs, budget } => knapsack_sum(ub, costs, skip, *budget),
        }
    }
}

/// Whether the online bound is recomputed after pick number `step` (0-based): after each of the
/// first 1,024 picks, then after every 2nd, 4th, … (about 512 per doubling), so that long runs
/// do not spend quadratic time on bounds. Between recomputations the last bound is reported: a
/// bound on the optimum stays one.
pub(crate) fn bound_due(step: usize) -> bool {
    step < 1024 || step & ((1usize << (step.ilog2() - 9)) - 1) == 0
}

/// How candidates are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// By marginal gain.
    UnitCost,
    /// By marginal gain per unit of cost.
    CostBenefit,
}

impl Rule {
    pub fn key(self, gain: f64, cost: f64) -> f64 {
        match self {
            Rule::UnitCost => gain,
            Rule::CostBenefit => gain / cost,
        }
    }
}

/// One chosen source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pick {
    pub src: u32,
    pub gain: f64,
    pub value: f64,
    pub cost: f64,
    /// Online bound on OPT after this pick.
    pub bound: f64,
}

/// The record of one greedy run.
#[derive(Debug)]
pub(crate) struct Run {
    pub rule: Rule,
    pub picks: Vec<Pick>,
    pub value: f64,
    pub evaluations: u64,
    /// Bound on OPT before any pick.
    pub initial_bound: f64,
    /// Per cascade: its value under the chosen set.
    pub cur: crate::objective::Cur,
    /// Per source: chosen, or never affordable.
    pub skip: Vec<bool>,
    /// Per source: an upper bound on its marginal gain given the chosen set (its last computed
    /// gain).
    pub ub: Vec<f64>,
}

impl Run {
    /// The smallest bound seen in this run.
    pub fn best_bound(&self) -> f64 {
        self.picks
            .iter()
            .map(|p| p.bound)
            .fold(self.initial_bound, f64::min)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    #[test]
    fn bounds_thin_out_after_1024_picks() {
        let due = (0..4096).filter(|&i| super::bound_due(i)).count();
        assert_eq!(due, 1024 + 512 + 512);
        assert!(super::bound_due(1023) && super::bound_due(1024) && !super::bound_due(1025));
    }
}
