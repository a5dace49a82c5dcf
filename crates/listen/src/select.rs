//! The selection API: options, the result, and the choice between algorithms.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::bound::{APRIORI_BUDGET, APRIORI_UNIT_COST};
use crate::cascades::Cascades;
use crate::error::ListenError;
use crate::objective::{Objective, Problem};
use crate::run::{Limit, Rule, Run};

/// Which greedy to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Lazy greedy with the online bound; with costs, unit-cost and cost-benefit, the better.
    Celf,
    /// Naive greedy (every candidate re-evaluated at every step); same answer as CELF.
    Greedy,
    /// Stochastic greedy (Mirzasoleiman et al. 2015), seeded; unit cost only.
    Stochastic,
}

impl std::str::FromStr for Algorithm {
    type Err = ListenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "celf" => Ok(Algorithm::Celf),
            "greedy" | "naive" => Ok(Algorithm::Greedy),
            "stochastic" => Ok(Algorithm::Stochastic),
            other => Err(ListenError::InvalidArgument(format!(
                "unknown algorithm {other:?} (expected celf, greedy or stochastic)"
            ))),
        }
    }
}

/// Options for [`select`].
#[derive(Debug, Clone)]
pub struct SelectOptions {
    /// How many sources to choose (unit cost). If larger than the number of sources, all are
    /// chosen and a note says so. Ignored when a budget is set.
    pub k: usize,
    /// Cost per source id (see [`crate::read_costs`]); needs `budget`.
    pub costs: Option<Vec<f64>>,
    /// Total cost allowed. Without `costs`, every source costs 1.
    pub budget: Option<f64>,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Seed for stochastic greedy.
    pub seed: u64,
    /// ε for stochastic greedy, in (0, 1).
    pub epsilon: f64,
    /// Also compute the exact online bound for the final set (one more parallel pass).
    pub exact_bound: bool,
}

impl Default for SelectOptions {
    fn default() -> Self {
        SelectOptions {
            k: 100,
            costs: None,
            budget: None,
            algorithm: Algorithm::Celf,
            seed: 0,
            epsilon: 0.01,
            exact_bound: true,
        }
    }
}

/// One chosen source, in the order chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position.
    pub rank: usize,
    /// The original string id.
    pub source: String,
    /// The engine's id.
    pub source_id: u32,
    /// Marginal gain when chosen.
    pub gain: f64,
    /// Objective value of the first `rank` sources.
    pub value: f64,
    /// Cost of this source (1 with unit cost).
    pub cost: f64,
    /// Online bound on the optimum after this step (recomputed after each of the first 1,024
    /// steps, then more sparsely; between recomputations the last one, still a valid bound).
    pub bound: f64,
}

/// The answer of [`select`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Selection {
    /// `DL`, `DT`, `PA` or a penalty's name.
    pub objective: String,
    /// The run whose answer is returned: `celf`, `celf-unit-cost`, `celf-cost-benefit`,
    /// `greedy`, `greedy-unit-cost`, `greedy-cost-benefit` or `stochastic`.
    pub algorithm: String,
    /// Requested k (unit cost).
    pub k: usize,
    /// The budget, when costs are used.
    pub budget: Option<f64>,
    /// The chosen sources.
    pub steps: Vec<Step>,
    /// Objective value of the chosen set.
    pub value: f64,
    /// Total cost of the chosen set.
    pub cost: f64,
    /// The bound before any choice.
    pub initial_bound: f64,
    /// The exact online bound for the final set, when computed.
    pub final_bound: Option<f64>,
    /// The best (smallest) bound on the optimum found: the answer is proven within
    /// `value / bound` of optimal.
    pub bound: f64,
    /// `value / bound` (1 when the bound is 0).
    pub proven_ratio: f64,
    /// The a-priori guarantee: `1 - 1/e` (unit cost), `(1 - 1/e) / 2` (budget).
    pub apriori_ratio: f64,
    /// Marginal-gain evaluations (initial gains included).
    pub evaluations: u64,
    /// Wall time of the selection, bound included.
    pub seconds: f64,
    /// Sources in the data.
    pub sources: usize,
    /// Cascades in the data.
    pub cascades: usize,
    /// Participations in the data.
    pub participations: usize,
    /// Remarks (e.g. k above the number of sources).
    pub notes: Vec<String>,
}

/// Chooses sources maximising `objective` under `options`.
pub fn select(
    data: &Cascades,
    objective: &Objective,
    options: &SelectOptions,
) -> Result<Selection, ListenError> {
    let started = Instant::now();
    let n = data.n_sources();
    let mut notes = Vec::new();
    if !(options.epsilon > 0.0 && options.epsilon < 1.0) {
        return Err(ListenError::InvalidArgument(format!(
            "epsilon must be in (0, 1), got {}",
            options.epsilon
        )));
    }
    let unit;
    let limit = match (&options.costs, options.budget) {
        (Some(_), None) => {
            return Err(ListenError::InvalidArgument(
                "costs need a budget (--budget)".into(),
            ))
        }
        (costs, Some(budget)) => {
            if !(budget.is_finite() && budget > 0.0) {
                return Err(ListenError::InvalidArgument(format!(
                    "the budget must be a positive number, got {budget}"
                )));
            }
            let costs: &[f64] = match costs {
                Some(c) => c,
                None => {
                    unit = vec![1.0; n];
                    &unit
                }
            };
            if costs.len() != n {
                return Err(ListenError::InvalidArgument(format!(
                    "{} costs given for {n} sources",
                    costs.len()
                )));
            }
            if let Some((s, c)) = costs
                .iter()
                .enumerate()
                .find(|(_, c)| !(c.is_finite() && **c > 0.0))
            {
                return Err(ListenError::InvalidArgument(format!(
                    "source {:?} has cost {c}: costs must be positive",
                    data.names[s]
                )));
            }
            let cheapest = costs.iter().copied().fold(f64::INFINITY, f64::min);
            if budget < cheapest {
                return Err(ListenError::InvalidArgument(format!(
                    "the budget {budget} is below every source's cost (the cheapest costs {cheapest})"
                )));
            }
            if options.algorithm == Algorithm::Stochastic {
                return Err(ListenError::InvalidArgument(
                    "stochastic greedy supports unit cost only (drop --costs/--budget)".into(),
                ));
            }
            Limit::Budget { costs, budget }
        }
        (None, None) => {
            if options.k == 0 {
                return Err(ListenError::InvalidArgument("k must be at least 1".into()));
            }
            if options.k > n {
                notes.push(format!(
                    "k = {} exceeds the {n} sources in the data: all {n} are chosen",
                    options.k
                ));
            }
            Limit::Count(options.k.min(n))
        }
    };
    let (problem, initial) = Problem::new(data, objective);
    let budgeted = matches!(limit, Limit::Budget { .. });
    let runs: Vec<Run> = match (options.algorithm, budgeted) {
        (Algorithm::Celf, false) => vec![crate::celf::lazy(
            &problem,
            &initial,
            &limit,
            Rule::UnitCost,
        )],
        (Algorithm::Celf, true) => vec![
            crate::celf::lazy(&problem, &initial, &limit, Rule::UnitCost),
            crate::celf::lazy(&problem, &initial, &limit, Rule::CostBenefit),
        ],
        (Algorithm::Greedy, false) => vec![crate::greedy::naive(&problem, &limit, Rule::UnitCost)],
        (Algorithm::Greedy, true) => vec![
            crate::greedy::naive(&problem, &limit, Rule::UnitCost),
            crate::greedy::naive(&problem, &limit, Rule::CostBenefit),
        ],
        (Algorithm::Stochastic, _) => vec![crate::stochastic::stochastic(
            &problem,
            &initial,
            options.k.min(n),
            options.seed,
            options.epsilon,
        )],
    };
    let evaluations = runs.iter().map(|r| r.evaluations).sum();
    let mut bound = runs
        .iter()
        .map(Run::best_bound)
        .fold(f64::INFINITY, f64::min);
    let mut runs = runs;
    // The better run; on equal values the unit-cost one (it comes first).
    let mut best = 0;
    for (i, r) in runs.iter().enumerate() {
        if r.value > runs[best].value {
            best = i;
        }
    }
    let run = runs.swap_remove(best);
    let mut evaluations = evaluations;
    let final_bound = if options.exact_bound {
        let (b, evals) = crate::celf::exact_bound(&problem, &run, &limit);
        evaluations += evals;
        bound = bound.min(b);
        Some(b)
    } else {
        None
    };
    let name = match options.algorithm {
        Algorithm::Celf => "celf",
        Algorithm::Greedy => "greedy",
        Algorithm::Stochastic => "stochastic",
    };
    let algorithm = match (budgeted, run.rule) {
        (false, _) => name.to_string(),
        (true, Rule::UnitCost) => format!("{name}-unit-cost"),
        (true, Rule::CostBenefit) => format!("{name}-cost-benefit"),
    };
    let steps: Vec<Step> = run
        .picks
        .iter()
        .enumerate()
        .map(|(i, p)| Step {
            rank: i + 1,
            source: data.names[p.src as usize].clone(),
            source_id: p.src,
            gain: p.gain,
            value: p.value,
            cost: p.cost,
            bound: p.bound,
        })
        .collect();
    let cost = steps.iter().map(|s| s.cost).sum();
    if !bound.is_finite() {
        bound = run.value;
    }
    Ok(Selection {
        objective: objective.name(),
        algorithm,
        k: options.k,
        budget: options.budget,
        value: run.value,
        cost,
        initial_bound: run.initial_bound,
        final_bound,
        bound,
        proven_ratio: if bound > 0.0 { run.value / bound } else { 1.0 },
        apriori_ratio: if budgeted {
            APRIORI_BUDGET
        } else {
            APRIORI_UNIT_COST
        },
        evaluations,
        seconds: started.elapsed().as_secs_f64(),
        sources: n,
        cascades: data.n_cascades(),
        participations: data.n_participations(),
        notes,
        steps,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn data() -> Cascades {
        Cascades::from_events(vec![
            vec![("a", 0), ("b", 1)],
            vec![("a", 0), ("c", 1)],
            vec![("c", 0), ("d", 1)],
            vec![("d", 0)],
        ])
        .unwrap()
    }

    #[test]
    fn celf_and_greedy_agree_and_bounds_hold() {
        let d = data();
        for obj in [Objective::Dl, Objective::Dt, Objective::Pa] {
            let o = SelectOptions {
                k: 2,
                ..SelectOptions::default()
            };
            let a = select(&d, &obj, &o).unwrap();
            let g = select(
                &d,
                &obj,
                &SelectOptions {
                    algorithm: Algorithm::Greedy,
                    ..o
                },
            )
            .unwrap();
            assert_eq!(a.value, g.value);
            assert!(a.bound >= a.value - 1e-9);
            let names: Vec<_> = a.steps.iter().map(|s| s.source.as_str()).collect();
            // After a: DL gains c 1, d 2; DT and PA tie c and d, and the lower id (c) wins.
            let want = if matches!(obj, Objective::Dl) {
                ["a", "d"]
            } else {
                ["a", "c"]
            };
            assert_eq!(names, want, "{obj:?}");
        }
    }

    #[test]
    fn k_above_sources_is_clamped_with_a_note() {
        let s = select(
            &data(),
            &Objective::Dl,
            &SelectOptions {
                k: 10,
                ..SelectOptions::default()
            },
        )
        .unwrap();
        assert_eq!(s.steps.len(), 4);
        assert_eq!(s.notes.len(), 1);
        assert_eq!(s.value, 4.0);
    }

    #[test]
    fn bad_costs_and_budgets_are_errors() {
        let d = data();
        let o = |costs: Vec<f64>, budget: f64| SelectOptions {
            costs: Some(costs),
            budget: Some(budget),
            ..SelectOptions::default()
        };
        for (costs, budget) in [
            (vec![1.0, 0.0, 1.0, 1.0], 3.0),
            (vec![1.0, -2.0, 1.0, 1.0], 3.0),
            (vec![1.0, f64::NAN, 1.0, 1.0], 3.0),
            (vec![2.0, 2.0, 2.0, 2.0], 1.0),
            (vec![1.0, 1.0, 1.0, 1.0], 0.0),
            (vec![1.0, 1.0], 3.0),
        ] {
            let r = select(&d, &Objective::Dl, &o(costs, budget));
            assert!(matches!(r, Err(ListenError::InvalidArgument(_))), "{r:?}");
        }
        let k0 = select(
            &d,
            &Objective::Dl,
            &SelectOptions {
                k: 0,
                ..SelectOptions::default()
            },
        );
        assert!(k0.is_err());
    }

    #[test]
    fn budget_prefers_the_better_rule() {
        let d = data();
        let costs = vec![10.0, 1.0, 1.0, 1.0]; // a is expensive
        let o = SelectOptions {
            costs: Some(costs),
            budget: Some(3.0),
            ..SelectOptions::default()
        };
        let s = select(&d, &Objective::Dl, &o).unwrap();
        assert!(s.cost <= 3.0);
        assert_eq!(s.value, 4.0); // b, c, d
        assert!(s.algorithm.starts_with("celf-"));
    }

    #[test]
    fn stochastic_is_seeded() {
        let d = data();
        let o = SelectOptions {
            k: 2,
            algorithm: Algorithm::Stochastic,
            seed: 3,
            ..SelectOptions::default()
        };
        let a = select(&d, &Objective::Dt, &o).unwrap();
        let b = select(&d, &Objective::Dt, &o).unwrap();
        assert_eq!(a.value, b.value);
        assert_eq!(a.steps.len(), 2);
    }
}
