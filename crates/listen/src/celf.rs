//! CELF: lazy greedy (Leskovec et al., KDD 2007) with the online bound after every pick.
//!
//! Each source's last computed gain is an upper bound on its current gain (submodularity), so a
//! heap of stale gains gives the best source as soon as the top entry is fresh, and the sum of the
//! k largest stale gains is a valid online bound without any extra evaluation. Stale entries are
//! re-evaluated in batches that double within a step (1, 2, 4, … up to 64 sources), so that the
//! cache misses of their lists overlap (see [`Problem::touch`]); a batch is evaluated in parallel
//! only when it is very large, since waking the other thread costs more than most batches. At
//! most twice the evaluations of one-at-a-time CELF, and the same answer.

use rayon::prelude::*;

use crate::heap::{Entry, LazyHeap};
use crate::objective::Problem;
use crate::run::{bound_due, Limit, Pick, Rule, Run};

/// Largest re-evaluation batch.
const MAX_BATCH: usize = 64;
/// Participations in a batch above which it is evaluated in parallel.
const PARALLEL_WORK: u64 = 1 << 20;

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
    let mut cur = p.fresh();
    let mut picks: Vec<Pick> = Vec::new();
    let mut evaluations = n as u64;
    let mut left = limit.capacity();
    let mut value = 0.0;
    let mut batch = 1usize;
    let mut stale: Vec<u32> = Vec::with_capacity(MAX_BATCH);
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
            let bound = if bound_due(picks.len()) {
                value + bound_now(&heap, &ub, &skip)
            } else {
                picks.last().map_or(initial_bound, |p| p.bound)
            };
            picks.push(Pick {
                src: top.src,
                gain: ub[s],
                value,
                cost,
                bound,
            });
            batch = 1;
            continue;
        }
        if batch == 1 {
            let g = p.gain(top.src, &cur);
            evaluations += 1;
            ub[s] = g;
            heap.replace_top(Entry {
                key: rule.key(g, cost),
                src: top.src,
                stamp: step,
            });
            batch = 2;
            continue;
        }
        // Re-evaluate the top `batch` stale entries.
        stale.clear();
        let mut work = 0u64;
        while stale.len() < batch {
            match heap.peek() {
                Some(e) if budgeted && limit.cost(e.src as usize) > left => {
                    heap.pop();
                }
                Some(e) if e.stamp != step => {
                    work += p.degree(e.src);
                    stale.push(e.src);
                    heap.pop();
                }
                _ => break,
            }
        }
        let gains: Vec<f64> = if work >= PARALLEL_WORK {
            stale.par_iter().map(|&s| p.gain(s, &cur)).collect()
        } else {
            p.touch(&stale);
            stale.iter().map(|&s| p.gain(s, &cur)).collect()
        };
        evaluations += stale.len() as u64;
        for (&s, &g) in stale.iter().zip(&gains) {
            ub[s as usize] = g;
            heap.push(Entry {
                key: rule.key(g, limit.cost(s as usize)),
                src: s,
                stamp: step,
            });
        }
        batch = (batch * 2).min(MAX_BATCH);
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

/// The exact online bound for a finished run: `R(A)` plus the best further gain (k largest exact
/// marginal gains, or the fractional knapsack within the budget), found lazily from the run's
/// upper bounds so that only the sources that can matter are re-evaluated.
pub(crate) fn exact_bound(p: &Problem, run: &Run, limit: &Limit) -> (f64, u64) {
    let entries: Vec<Entry> = (0..p.n_sources())
        .filter(|&s| !run.skip[s] && run.ub[s] > 0.0)
        .map(|s| Entry {
            key: run.ub[s] / limit.cost(s),
            src: s as u32,
            stamp: 0,
        })
        .collect();
    let mut heap = LazyHeap::new(entries);
    let mut left = limit.capacity();
    let mut extra = 0.0;
    let mut evaluations = 0u64;
    while left > 0.0 {
        let Some(top) = heap.pop() else { break };
        let s = top.src as usize;
        let cost = limit.cost(s);
        if top.stamp == 0 {
            let g = p.gain(top.src, &run.cur);
            evaluations += 1;
            if g > 0.0 {
                heap.push(Entry {
                    key: g / cost,
                    src: top.src,
                    stamp: 1,
                });
            }
            continue;
        }
        let g = top.key * cost;
        if cost <= left {
            extra += g;
            left -= cost;
        } else {
            extra += g * left / cost;
            left = 0.0;
        }
    }
    (run.value + extra, evaluations)
}
