//! Naive greedy: every step re-evaluates every candidate (in parallel). For checking CELF and for
//! the speed-up figure.

use crate::objective::Problem;
use crate::run::{Limit, Pick, Rule, Run};

/// Greedy by `rule` under `limit`, evaluating all candidates at each step; same choices and
/// stopping rules as [`crate::celf`]'s lazy greedy.
pub(crate) fn naive(p: &Problem, limit: &Limit, rule: Rule) -> Run {
    let n = p.n_sources();
    let mut skip = limit.too_expensive(n);
    let budgeted = matches!(limit, Limit::Budget { .. });
    let k = match limit {
        Limit::Count(k) => *k,
        Limit::Budget { .. } => usize::MAX,
    };
    let mut ub = vec![0f64; n];
    let mut cur = p.fresh();
    let mut picks: Vec<Pick> = Vec::new();
    let mut evaluations = 0u64;
    let mut left = limit.capacity();
    let mut value = 0.0;
    let mut initial_bound = f64::INFINITY;
    while picks.len() < k {
        let out: Vec<bool> = (0..n).map(|s| skip[s] || limit.cost(s) > left).collect();
        let gains = p.gains_all(&cur, &out);
        let mut best: Option<(f64, usize)> = None;
        for s in (0..n).filter(|&s| !out[s]) {
            evaluations += 1;
            ub[s] = gains[s];
            let key = rule.key(gains[s], limit.cost(s));
            if best.is_none_or(|(b, _)| key > b) {
                best = Some((key, s));
            }
        }
        if picks.is_empty() {
            initial_bound = limit.bound_from(&ub, &skip);
        }
        let Some((_, s)) = best else { break };
        if budgeted && gains[s] <= 0.0 {
            break;
        }
        let cost = limit.cost(s);
        p.apply(s as u32, &mut cur);
        value += gains[s];
        left -= cost;
        skip[s] = true;
        let bound = value + limit.bound_from(&ub, &skip);
        picks.push(Pick {
            src: s as u32,
            gain: gains[s],
            value,
            cost,
            bound,
        });
    }
    if !initial_bound.is_finite() {
        initial_bound = 0.0;
    }
    Run {
        rule,
        picks,
        value,
        evaluations,
        initial_bound,
        cur,
        skip,
        ub,
    }
}
