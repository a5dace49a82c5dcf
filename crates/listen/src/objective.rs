//! Objectives: penalty reductions `R(A) = Σ_c max_{s∈A} w(s, c)` and the gain kernels on them.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rayon::prelude::*;

use crate::cascades::Cascades;
use crate::error::ListenError;

/// When and how a source detects a cascade, as passed to a [`Penalty`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// 0 for the first source of the cascade.
    pub rank: u32,
    /// Number of distinct sources in the cascade.
    pub size: u32,
    /// `(t_s - t_first) / (t_last - t_first)`, 0 when the span is 0 (stored as `f32`).
    pub delay_fraction: f64,
    /// `t_last - t_first` in the file's (padded) time unit.
    pub span: i64,
}

/// A general penalty: the objective is the penalty reduction
/// `w(s, c) = undetected(c) - penalty(detection of c by s)`, clamped at 0. For the objective to be
/// submodular the penalty must not decrease with the detection time.
pub trait Penalty: Send + Sync + fmt::Debug {
    /// A short name for reports.
    fn name(&self) -> String;
    /// Penalty when the cascade is detected as described.
    fn penalty(&self, d: &Detection) -> f64;
    /// Penalty when the cascade is never detected.
    fn undetected(&self, size: u32, span: i64) -> f64;
}

/// What a selection maximises.
#[derive(Debug, Clone)]
pub enum Objective {
    /// Detection likelihood: `w = 1` (cascades caught).
    Dl,
    /// Detection time: `w = (t_last - t_s) / (t_last - t_first)`, 1 when the span is 0.
    Dt,
    /// Population affected: `w = n_c - rank_s`.
    Pa,
    /// Any penalty function.
    Penalty(Arc<dyn Penalty>),
}

impl Objective {
    /// `DL`, `DT`, `PA` or the penalty's name.
    pub fn name(&self) -> String {
        match self {
            Objective::Dl => "DL".into(),
            Objective::Dt => "DT".into(),
            Objective::Pa => "PA".into(),
            Objective::Penalty(p) => p.name(),
        }
    }
}

impl FromStr for Objective {
    type Err = ListenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dl" => Ok(Objective::Dl),
            "dt" => Ok(Objective::Dt),
            "pa" => Ok(Objective::Pa),
            other => Err(ListenError::InvalidArgument(format!(
                "unknown objective {other:?} (expected dl, dt or pa)"
            ))),
        }
    }
}

/// A per-participation weight, read as `f32` (PA counts below 2^24 are exact).
pub(crate) trait Weight: Copy {
    fn get(self) -> f32;
}

impl Weight for f32 {
    #[inline]
    fn get(self) -> f32 {
        self
    }
}

impl Weight for u32 {
    #[inline]
    fn get(self) -> f32 {
        self as f32
    }
}

/// `Σ max(0, w_i - cur(c_i))` in four f64 lanes (branch-free; fixed order, so the same inputs
/// always give the same sum, and [`weight_total`] equals the gain on an empty selection).
#[inline]
pub(crate) fn positive_sum<W: Weight>(cas: &[u32], w: &[W], cur: impl Fn(u32) -> f32) -> f64 {
    let n = cas.len().min(w.len());
    let (cas, w) = (&cas[..n], &w[..n]);
    let mut acc = [0f64; 4];
    let mut cc = cas.chunks_exact(4);
    let mut wc = w.chunks_exact(4);
    for (c4, w4) in (&mut cc).zip(&mut wc) {
        for j in 0..4 {
            acc[j] += f64::from((w4[j].get() - cur(c4[j])).max(0.0));
        }
    }
    for (&c, &x) in cc.remainder().iter().zip(wc.remainder()) {
        acc[0] += f64::from((x.get() - cur(c)).max(0.0));
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// A source's gain on the empty selection: [`positive_sum`] with every `cur` at 0.
pub(crate) fn weight_total<W: Weight>(cas: &[u32], w: &[W]) -> f64 {
    positive_sum(cas, w, |_| 0.0)
}

/// Per-participation weights of an objective.
pub(crate) enum Weights<'a> {
    Unit,
    Real(Cow<'a, [f32]>),
    Count(&'a [u32]),
}

/// A selection instance: the source-major arrays with one objective's weights.
pub(crate) struct Problem<'a> {
    pub offsets: &'a [u64],
    pub cascade: &'a [u32],
    pub weights: Weights<'a>,
    pub n_cascades: usize,
    /// Largest weight (PA: the largest cascade), to pick the state's width.
    pub max_weight: u32,
}

/// Per cascade: its value under the chosen set. DL keeps flags, PA 16-bit counts when every
/// cascade has fewer than 65,536 sources, others `f32`: the smaller, the more of it stays in cache.
#[derive(Debug, Clone)]
pub(crate) enum Cur {
    Flags(Vec<u8>),
    Small(Vec<u16>),
    Real(Vec<f32>),
}

impl Cur {
    #[inline]
    pub fn get(&self, c: u32) -> f32 {
        let c = c as usize;
        match self {
            Cur::Flags(v) => f32::from(v[c]),
            Cur::Small(v) => f32::from(v[c]),
            Cur::Real(v) => v[c],
        }
    }

    /// `cur[c] = max(cur[c], w)`.
    #[inline]
    pub fn raise(&mut self, c: u32, w: f32) {
        let c = c as usize;
        match self {
            Cur::Flags(v) => v[c] = v[c].max(u8::from(w > 0.0)),
            Cur::Small(v) => v[c] = v[c].max(w as u16),
            Cur::Real(v) => v[c] = v[c].max(w),
        }
    }

    /// `Σ_c cur[c]`.
    #[cfg(test)]
    pub fn total(&self) -> f64 {
        match self {
            Cur::Flags(v) => v.iter().map(|&x| f64::from(x)).sum(),
            Cur::Small(v) => v.iter().map(|&x| f64::from(x)).sum(),
            Cur::Real(v) => v.iter().map(|&x| f64::from(x)).sum(),
        }
    }
}

impl<'a> Problem<'a> {
    /// The instance and every source's gain on the empty selection.
    pub fn new(data: &'a Cascades, objective: &Objective) -> (Problem<'a>, Vec<f64>) {
        let (weights, initial) = match objective {
            Objective::Dl => (
                Weights::Unit,
                data.offsets
                    .windows(2)
                    .map(|w| (w[1] - w[0]) as f64)
                    .collect(),
            ),
            Objective::Dt => (
                Weights::Real(Cow::Borrowed(&data.dt)),
                data.dt_total.clone(),
            ),
            Objective::Pa => (Weights::Count(&data.pa), data.pa_total.clone()),
            Objective::Penalty(p) => {
                let w: Vec<f32> = (0..data.cascade.len())
                    .into_par_iter()
                    .map(|i| {
                        let c = data.cascade[i] as usize;
                        let size = data.sizes[c];
                        let span = data.spans[c];
                        let d = Detection {
                            rank: size - data.pa[i],
                            size,
                            delay_fraction: if span > 0 {
                                1.0 - f64::from(data.dt[i])
                            } else {
                                0.0
                            },
                            span,
                        };
                        let w = p.undetected(size, span) - p.penalty(&d);
                        if w.is_finite() && w > 0.0 {
                            w as f32
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let problem = Problem {
                    offsets: &data.offsets,
                    cascade: &data.cascade,
                    weights: Weights::Real(Cow::Owned(w)),
                    n_cascades: data.sizes.len(),
                    max_weight: u32::MAX,
                };
                let cur = problem.fresh();
                let initial = problem.gains_all(&cur, &[]);
                return (problem, initial);
            }
        };
        (
            Problem {
                offsets: &data.offsets,
                cascade: &data.cascade,
                weights,
                n_cascades: data.sizes.len(),
                max_weight: data.sizes.iter().copied().max().unwrap_or(0),
            },
            initial,
        )
    }

    pub fn n_sources(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Reads the first cache lines of each source's list in `batch`, so that the cache misses of their
    /// lists overlap instead of queueing one after another.
    pub fn touch(&self, batch: &[u32]) -> u64 {
        let mut x = 0u64;
        for &s in batch {
            let (a, b) = self.range(s);
            for i in (a..b.min(a + 256)).step_by(16) {
                x = x.wrapping_add(u64::from(self.cascade[i]));
                x = x.wrapping_add(match &self.weights {
                    Weights::Unit => 0,
                    Weights::Real(w) => u64::from(w[i].to_bits()),
                    Weights::Count(w) => u64::from(w[i]),
                });
            }
        }
        std::hint::black_box(x)
    }

    /// Number of participations of source `s`.
    pub fn degree(&self, s: u32) -> u64 {
        let (a, b) = self.range(s);
        (b - a) as u64
    }

    fn range(&self, s: u32) -> (usize, usize) {
        let s = s as usize;
        (self.offsets[s] as usize, self.offsets[s + 1] as usize)
    }

    /// A selection state with nothing chosen, in the most compact form for these weights.
    pub fn fresh(&self) -> Cur {
        match &self.weights {
            Weights::Unit => Cur::Flags(vec![0; self.n_cascades]),
            Weights::Count(_) if self.max_weight <= u32::from(u16::MAX) => {
                Cur::Small(vec![0; self.n_cascades])
            }
            _ => Cur::Real(vec![0.0; self.n_cascades]),
        }
    }

    /// The gain of adding `s` when cascade `c` is already worth `cur[c]`.
    pub fn gain(&self, s: u32, cur: &Cur) -> f64 {
        let (a, b) = self.range(s);
        let cas = &self.cascade[a..b];
        match (&self.weights, cur) {
            (Weights::Unit, Cur::Flags(f)) => {
                cas.iter().filter(|&&c| f[c as usize] == 0).count() as f64
            }
            (Weights::Count(w), Cur::Small(v)) => {
                let mut g = 0u64;
                for (&c, &x) in cas.iter().zip(&w[a..b]) {
                    g += u64::from(x.saturating_sub(u32::from(v[c as usize])));
                }
                g as f64
            }
            (Weights::Unit, cur) => cas.iter().filter(|&&c| cur.get(c) < 1.0).count() as f64,
            (Weights::Real(w), cur) => positive_sum(cas, &w[a..b], |c| cur.get(c)),
            (Weights::Count(w), cur) => positive_sum(cas, &w[a..b], |c| cur.get(c)),
        }
    }

    /// Records `s` as chosen: `cur[c] = max(cur[c], w(s, c))`.
    pub fn apply(&self, s: u32, cur: &mut Cur) {
        let (a, b) = self.range(s);
        let cas = &self.cascade[a..b];
        match (&self.weights, cur) {
            (Weights::Unit, Cur::Flags(f)) => {
                for &c in cas {
                    f[c as usize] = 1;
                }
            }
            (Weights::Count(w), Cur::Small(v)) => {
                for (&c, &x) in cas.iter().zip(&w[a..b]) {
                    let slot = &mut v[c as usize];
                    *slot = (*slot).max(x as u16);
                }
            }
            (Weights::Real(w), Cur::Real(v)) => {
                for (&c, &x) in cas.iter().zip(&w[a..b]) {
                    let slot = &mut v[c as usize];
                    *slot = slot.max(x);
                }
            }
            (weights, cur) => {
                for (i, &c) in cas.iter().enumerate() {
                    let w = match weights {
                        Weights::Unit => 1.0,
                        Weights::Real(w) => w[a + i],
                        Weights::Count(w) => w[a + i] as f32,
                    };
                    cur.raise(c, w);
                }
            }
        }
    }

    /// Gains of all sources (0 for those marked in `skip`), in parallel.
    pub fn gains_all(&self, cur: &Cur, skip: &[bool]) -> Vec<f64> {
        (0..self.n_sources() as u32)
            .into_par_iter()
            .map(|s| {
                if skip.get(s as usize).copied().unwrap_or(false) {
                    0.0
                } else {
                    self.gain(s, cur)
                }
            })
            .collect()
    }

    /// `R(A)` for a set of sources.
    #[cfg(test)]
    pub fn value_of(&self, set: &[u32]) -> f64 {
        let mut cur = self.fresh();
        for &s in set {
            self.apply(s, &mut cur);
        }
        cur.total()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn data() -> Cascades {
        Cascades::from_events(vec![
            vec![("a", 0), ("b", 5), ("c", 10)],
            vec![("b", 0), ("c", 1)],
        ])
        .unwrap()
    }

    #[test]
    fn weights_match_the_definitions() {
        let d = data();
        let ids = d.name_index();
        let (b, c) = (ids["b"], ids["c"]);
        let (dl, _) = Problem::new(&d, &Objective::Dl);
        let (dt, init) = Problem::new(&d, &Objective::Dt);
        let (pa, _) = Problem::new(&d, &Objective::Pa);
        assert_eq!(dl.value_of(&[b]), 2.0);
        assert_eq!(dt.value_of(&[b]), 0.5 + 1.0);
        assert_eq!(init[b as usize], 1.5);
        assert_eq!(pa.value_of(&[b]), 2.0 + 2.0);
        assert_eq!(pa.value_of(&[c]), 1.0 + 1.0);
        let cur = {
            let mut cur = pa.fresh();
            pa.apply(c, &mut cur);
            cur
        };
        assert_eq!(pa.gain(b, &cur), 1.0 + 1.0);
    }

    #[derive(Debug)]
    struct Rank;
    impl Penalty for Rank {
        fn name(&self) -> String {
            "rank".into()
        }
        fn penalty(&self, d: &Detection) -> f64 {
            f64::from(d.rank)
        }
        fn undetected(&self, size: u32, _span: i64) -> f64 {
            f64::from(size)
        }
    }

    #[test]
    fn general_penalty_reproduces_pa() {
        let d = data();
        let (pa, a) = Problem::new(&d, &Objective::Pa);
        let (pen, b) = Problem::new(&d, &Objective::Penalty(Arc::new(Rank)));
        assert_eq!(a, b);
        assert_eq!(pa.value_of(&[0, 2]), pen.value_of(&[0, 2]));
    }
}
