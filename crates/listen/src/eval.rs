//! Scoring a given set of sources.

use serde::Serialize;

use crate::cascades::Cascades;
use crate::error::ListenError;
use crate::objective::{Objective, Problem};

/// One source of an evaluated set, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct EvalStep {
    /// The source's string id.
    pub source: String,
    /// Its marginal gain after the sources before it.
    pub gain: f64,
    /// Value of the sources up to and including it.
    pub value: f64,
}

/// The value of a set of sources under one objective.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// `DL`, `DT`, `PA` or a penalty's name.
    pub objective: String,
    /// Per source, in the order given.
    pub steps: Vec<EvalStep>,
    /// `R(A)`.
    pub value: f64,
    /// Cascades detected by at least one source of the set.
    pub detected: usize,
    /// Cascades in the data.
    pub cascades: usize,
}

/// Scores `sources` (string ids) under `objective`. Unknown sources are an error; a repeated
/// source adds nothing.
pub fn evaluate(
    data: &Cascades,
    objective: &Objective,
    sources: &[String],
) -> Result<Evaluation, ListenError> {
    let index = data.name_index();
    let ids = sources
        .iter()
        .map(|s| {
            index
                .get(s.as_str())
                .copied()
                .ok_or_else(|| ListenError::UnknownSource(s.clone()))
        })
        .collect::<Result<Vec<u32>, _>>()?;
    let (problem, _) = Problem::new(data, objective);
    let mut cur = problem.fresh();
    let mut seen = vec![false; data.n_cascades()];
    let mut value = 0.0;
    let mut steps = Vec::with_capacity(ids.len());
    for (name, &s) in sources.iter().zip(&ids) {
        let gain = problem.gain(s, &cur);
        problem.apply(s, &mut cur);
        let (a, b) = (
            data.offsets[s as usize] as usize,
            data.offsets[s as usize + 1] as usize,
        );
        for &c in &data.cascade[a..b] {
            seen[c as usize] = true;
        }
        value += gain;
        steps.push(EvalStep {
            source: name.clone(),
            gain,
            value,
        });
    }
    Ok(Evaluation {
        objective: objective.name(),
        steps,
        value,
        detected: seen.iter().filter(|&&x| x).count(),
        cascades: data.n_cascades(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_and_rejects_unknown_sources() {
        let d = Cascades::from_events(vec![vec![("a", 0), ("b", 2)], vec![("b", 0)]]).unwrap();
        let e = evaluate(&d, &Objective::Dt, &["b".into(), "a".into(), "b".into()]).unwrap();
        assert_eq!(e.value, 2.0);
        assert_eq!(e.steps[1].gain, 1.0);
        assert_eq!(e.steps[2].gain, 0.0);
        assert_eq!(e.detected, 2);
        assert!(matches!(
            evaluate(&d, &Objective::Dl, &["zz".into()]),
            Err(ListenError::UnknownSource(_))
        ));
    }
}
