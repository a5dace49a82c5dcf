//! Stochastic greedy (Mirzasoleiman et al., AAAI 2015): each step evaluates a random sample of
//! `(n / k) ln(1 / ε)` candidates and takes the best of it; `1 - 1/e - ε` in expectation.

use crate::objective::Problem;
use crate::rng::Rng;
use crate::run::{bound_due, Limit, Pick, Rule, Run};

/// Stochastic greedy for `k` sources, seeded; ties within a sample go to the lowest id.
pub(crate) fn stochastic(p: &Problem, initial: &[f64], k: usize, seed: u64, epsilon: f64) -> Run {
    let n = p.n_sources();
    let limit = Limit::Count(k);
    let mut ub = initial.to_vec();
    let mut skip = vec![false; n];
    let mut cand: Vec<u32> = (0..n as u32).collect();
    let sample = ((n as f64 / k.max(1) as f64) * (1.0 / epsilon).ln())
        .ceil()
        .max(1.0) as usize;
    let mut rng = Rng::new(seed, 0x5eed);
    let initial_bound = limit.bound_from(&ub, &skip);
    let mut cur = p.fresh();
    let mut picks = Vec::new();
    let mut evaluations = 0u64;
    let mut value = 0.0;
    while picks.len() < k && !cand.is_empty() {
        let m = sample.min(cand.len());
        for i in 0..m {
            let j = i + rng.below((cand.len() - i) as u64) as usize;
            cand.swap(i, j);
        }
        let mut best: Option<(f64, u32, usize)> = None;
        for (i, &s) in cand.iter().enumerate().take(m) {
            let g = p.gain(s, &cur);
            evaluations += 1;
            ub[s as usize] = g;
            if best.is_none_or(|(bg, bs, _)| g > bg || (g == bg && s < bs)) {
                best = Some((g, s, i));
            }
        }
        let Some((g, s, i)) = best else { break };
        cand.swap_remove(i);
        p.apply(s, &mut cur);
        value += g;
        skip[s as usize] = true;
        let bound = if bound_due(picks.len()) {
            value + limit.bound_from(&ub, &skip)
        } else {
            picks.last().map_or(initial_bound, |p: &Pick| p.bound)
        };
        picks.push(Pick {
            src: s,
            gain: g,
            value,
            cost: 1.0,
            bound,
        });
    }
    Run {
        rule: Rule::UnitCost,
        picks,
        value,
        evaluations,
        initial_bound,
        cur,
        skip,
        ub,
    }
}
