//! CELF: lazy greedy (Leskovec et al., KDD 2007) with the online bound after every pick.
//!
//! Each source's last computed gain is an upper bound on its current gain (submodularity), so a
//! heap of stale gains gives the best source as soon as the top entry is fresh, and the sum of the
//! k largest stale gains is a valid online bound without any extra evaluation.

use crate::heap::{Entry, LazyHeap};
use crate::objective::Problem;
use crate::run::{Limit, Pick, Rule, Run};

/// Lazy greedy by `rule` under `limit`; `initial[s]` is the gain of `s` on the empty set.
/// With a count limit, exactly `min(k, n)` sources are chosen (zero gains included, lowest id
/// first); with a budget, picking stops when nothing affordable adds value.
pub(crate) fn lazy(p: &Problem, initial: &[f64], limit: &Limit, rule: Rule) -> Run {
    let n = p.n_sources();
    let mut skip = limit.too_expensive(n);
    let budgeted = matches!(limit, Limit::Budget { .. });
    let k = match limit {
        Limit::Count(k) => *k,
        Limit::Budget { .. } => usize::MAX,
    };
    let entries: Vec<Entry> = (0..n)
        .filter(|&s| !skip[s])
        .map(|s| Entry {
            key: rule.key(initial[s], limit.cost(s)),
            src: s as u32,
            stamp: 0,
        })
        .collect();
    let mut heap = LazyHeap::new(entries);
    let mut ub = initial.to_vec();
    let bound_now = |heap: &LazyHeap, ub: &[f64], skip: &[bool]| {
        if budgeted {
            limit.bound_from(ub, skip)
        } else {
            heap.top_k_sum(k)
        }
    };
    let initial_bound = bound_now(&heap, &ub, &skip);
    let mut cur = vec![0f32; p.n_cascades];
    let mut picks: Vec<Pick> = Vec::new();
    let mut evaluations = n as u64;
    let mut left = limit.capacity();
    let mut value = 0.0;
    while let Some(&top) = heap.peek() {
        let s = top.src as usize;
        let cost = limit.cost(s);
        if budgeted && cost > left {
            heap.pop();
            continue;
        }
        if picks.len() >= k {
            break;
        }
        let step = picks.len() as u32;
        if top.stamp == step {
            if budgeted && ub[s] <= 0.0 {
                break;
            }
            heap.pop();
            p.apply(top.src, &mut cur);
            value += ub[s];
            left -= cost;
            skip[s] = true;
            let bound = value + bound_now(&heap, &ub, &skip);
            picks.push(Pick {
                src: top.src,
                gain: ub[s],
                value,
                cost,
                bound,
            });
        } else {
            let g = p.gain(top.src, &cur);
            evaluations += 1;
            ub[s] = g;
            heap.replace_top(Entry {
                key: rule.key(g, cost),
                src: top.src,
                stamp: step,
            });
        }
    }
    Run {
        rule,
        picks,
        value,
        evaluations,
        initial_bound,
        cur,
        skip,
    }
}
