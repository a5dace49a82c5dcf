//! The compact cascade index the engine selects on.
//!
//! Every cascade is *finished* — each source keeps its first (earliest) time, the cascade is
//! ordered by time, DT weights are computed — and the finished cascades are transposed
//! ([`crate::transpose`]) into source-major CSR arrays: for each participation a cascade id
//! (`u32`), its DT weight (`f32`) and its PA weight (`u32`): 12 bytes, no allocation per
//! participation. The text reader finishes each cascade as it parses its line; the CSV and JSON
//! Lines readers, whose rows may come in any order, collect a cascade-major [`Staging`] area
//! first.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::ListenError;

/// Sources and cascades in CSR form, source-major. Source ids are `u32`, numbered in order of first
/// appearance when the cascades are read in order and each cascade in time order.
#[derive(Debug, Clone)]
pub struct Cascades {
    pub(crate) names: Vec<String>,
    /// Per source: start of its participations in the arrays below (`n_sources + 1` entries).
    pub(crate) offsets: Vec<u64>,
    /// Per participation: the cascade, increasing within a source.
    pub(crate) cascade: Vec<u32>,
    /// Per participation: DT weight `(t_last - t_s) / (t_last - t_first)`, 1 when the span is 0.
    pub(crate) dt: Vec<f32>,
    /// Per participation: PA weight `n_c - rank_s` (rank 0 = first).
    pub(crate) pa: Vec<u32>,
    /// Per cascade: number of distinct sources.
    pub(crate) sizes: Vec<u32>,
    /// Per cascade: `t_last - t_first` in the file's (padded) time unit.
    pub(crate) spans: Vec<i64>,
    /// Per source: sum of its DT weights (its DT gain on an empty selection).
    pub(crate) dt_total: Vec<f64>,
    /// Per source: sum of its PA weights.
    pub(crate) pa_total: Vec<f64>,
}

/// Cascade-major input collected by the CSV and JSON Lines readers (times as given), before
/// [`Staging::finish`].
#[derive(Debug, Default)]
pub(crate) struct Staging {
    pub names: Vec<String>,
    /// Cascade start offsets into `src`/`time`, `n_cascades + 1` entries once non-empty.
    pub starts: Vec<u64>,
    pub src: Vec<u32>,
    pub time: Vec<i64>,
}

/// Powers of ten, for right-padding times.
pub(crate) const POW10: [i64; 19] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

/// One cascade-major slice of finished cascades (deduplicated, time-ordered).
#[derive(Default)]
pub(crate) struct Finished {
    pub sizes: Vec<u32>,
    pub spans: Vec<i64>,
    pub src: Vec<u32>,
    pub dt: Vec<f32>,
}

/// Checks the limits and transposes finished cascades (source ids index `names`).
pub(crate) fn from_finished(
    names: Vec<String>,
    parts: &mut [Finished],
    file: &str,
) -> Result<Cascades, ListenError> {
    let n_cascades: usize = parts.iter().map(|p| p.sizes.len()).sum();
    if n_cascades == 0 {
        return Err(ListenError::Empty(file.to_string()));
    }
    if n_cascades > u32::MAX as usize || names.len() >= u32::MAX as usize {
        return Err(ListenError::TooLarge(format!(
            "{n_cascades} cascades and {} sources (at most 2^32 - 1 each)",
            names.len()
        )));
    }
    crate::transpose::transpose(names, parts, 1 << 20)
}

impl Staging {
    /// Collects in-memory cascades of `(source, time)` pairs.
    pub fn from_events<C, E, S>(cascades: C) -> Staging
    where
        C: IntoIterator<Item = E>,
        E: IntoIterator<Item = (S, i64)>,
        S: AsRef<str>,
    {
        let mut st = Staging::default();
        let mut map: FxHashMap<String, u32> = FxHashMap::default();
        for cascade in cascades {
            for (name, t) in cascade {
                let name = name.as_ref();
                let id = match map.get(name) {
                    Some(&id) => id,
                    None => {
                        let id = st.names.len() as u32;
                        map.insert(name.to_string(), id);
                        st.names.push(name.to_string());
                        id
                    }
                };
                st.src.push(id);
                st.time.push(t);
            }
            st.end_cascade();
        }
        st
    }

    /// Starts the next cascade if the current one is non-empty (call after pushing its entries).
    pub fn end_cascade(&mut self) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let len = self.src.len() as u64;
        if self.starts.last().copied() != Some(len) {
            self.starts.push(len);
        }
    }

    /// Pads, deduplicates, orders and transposes into a [`Cascades`].
    pub fn finish(self, file: &str) -> Result<Cascades, ListenError> {
        self.finish_with(file, 1 << 20)
    }

    /// As [`Staging::finish`], transposing in blocks of about `block` participations.
    fn finish_with(mut self, file: &str, block: u64) -> Result<Cascades, ListenError> {
        self.end_cascade();
        let n_cascades = self.starts.len().saturating_sub(1);
        if n_cascades == 0 {
            return Err(ListenError::Empty(file.to_string()));
        }
        if n_cascades > u32::MAX as usize || self.names.len() >= u32::MAX as usize {
            return Err(ListenError::TooLarge(format!(
                "{n_cascades} cascades and {} sources (at most 2^32 - 1 each)",
                self.names.len()
            )));
        }
        let chunk = (n_cascades / (rayon::current_num_threads() * 16)).max(256);
        let ranges: Vec<(usize, usize)> = (0..n_cascades)
            .step_by(chunk)
            .map(|a| (a, (a + chunk).min(n_cascades)))
            .collect();
        let st = &self;
        let time = |i: usize| st.time[i];
        let n_names = st.names.len();
        let mut parts: Vec<Finished> = ranges
            .par_iter()
            .map_init(
                || vec![0u32; n_names],
                |stamp, &(a, b)| {
                    let mut out = Finished::default();
                    let mut scratch: Vec<(i64, u32, u32)> = Vec::new();
                    for c in a..b {
                        let (lo, hi) = (st.starts[c] as usize, st.starts[c + 1] as usize);
                        // Fast path: already in time order with no repeated source.
                        let tag = c as u32 + 1;
                        let mut prev = i64::MIN;
                        let mut clean = true;
                        for i in lo..hi {
                            let t = time(i);
                            let s = st.src[i] as usize;
                            if t < prev || stamp[s] == tag {
                                clean = false;
                                break;
                            }
                            stamp[s] = tag;
                            prev = t;
                        }
                        if clean {
                            let first = time(lo);
                            emit(
                                &mut out,
                                first,
                                prev,
                                (lo..hi).map(|i| (time(i), st.src[i])),
                                hi - lo,
                            );
                            continue;
                        }
                        scratch.clear();
                        scratch.extend((lo..hi).map(|i| (time(i), (i - lo) as u32, st.src[i])));
                        finish_cascade(&mut scratch, &mut out);
                    }
                    out
                },
            )
            .collect();
        let names = std::mem::take(&mut self.names);
        drop(self);
        crate::transpose::transpose(names, &mut parts, block)
    }
}

/// Keeps each source's earliest time (at its first position), orders by time, appends to `out`.
pub(crate) fn finish_cascade(scratch: &mut Vec<(i64, u32, u32)>, out: &mut Finished) {
    // Group by source, first position first; keep the earliest time at the first position.
    scratch.sort_unstable_by_key(|&(_, pos, src)| (src, pos));
    let mut w = 0;
    for r in 0..scratch.len() {
        if w > 0 && scratch[w - 1].2 == scratch[r].2 {
            if scratch[r].0 < scratch[w - 1].0 {
                scratch[w - 1].0 = scratch[r].0;
            }
        } else {
            scratch[w] = scratch[r];
            w += 1;
        }
    }
    scratch.truncate(w);
    // Time order; equal times keep file order.
    scratch.sort_unstable_by_key(|&(t, pos, _)| (t, pos));
    let n = scratch.len();
    if let (Some(f), Some(l)) = (scratch.first(), scratch.last()) {
        let (first, last) = (f.0, l.0);
        emit(
            out,
            first,
            last,
            scratch.iter().map(|&(t, _, src)| (t, src)),
            n,
        );
    }
}

/// Appends one time-ordered, duplicate-free cascade of `n` entries from `first` to `last`.
#[inline]
pub(crate) fn emit(
    out: &mut Finished,
    first: i64,
    last: i64,
    entries: impl Iterator<Item = (i64, u32)>,
    n: usize,
) {
    out.sizes.push(n as u32);
    match last.checked_sub(first) {
        Some(span) => {
            out.spans.push(span);
            for (t, src) in entries {
                out.src.push(src);
                // (last - t) / span, exact division as the peers compute it.
                let w = if span > 0 {
                    ((last - t) as f64 / span as f64) as f32
                } else {
                    1.0
                };
                out.dt.push(w);
            }
        }
        None => {
            let span = i128::from(last) - i128::from(first);
            out.spans.push(i64::MAX);
            for (t, src) in entries {
                out.src.push(src);
                out.dt
                    .push(((i128::from(last) - i128::from(t)) as f64 / span as f64) as f32);
            }
        }
    }
}

impl Cascades {
    /// Builds an index from in-memory cascades: each an iterator of `(source, time)` pairs. Times
    /// are used as given (no padding); a source's earliest time in a cascade counts; empty
    /// cascades are skipped.
    pub fn from_events<C, E, S>(cascades: C) -> Result<Cascades, ListenError>
    where
        C: IntoIterator<Item = E>,
        E: IntoIterator<Item = (S, i64)>,
        S: AsRef<str>,
    {
        Staging::from_events(cascades).finish("<events>")
    }

    /// Number of distinct sources.
    pub fn n_sources(&self) -> usize {
        self.names.len()
    }

    /// Number of cascades.
    pub fn n_cascades(&self) -> usize {
        self.sizes.len()
    }

    /// Number of participations (distinct source per cascade).
    pub fn n_participations(&self) -> usize {
        self.cascade.len()
    }

    /// The original string id of source `id`.
    pub fn source_name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }

    /// All source names, indexed by source id.
    pub fn source_names(&self) -> &[String] {
        &self.names
    }

    /// A map from source name to id (built on each call; keep it if you need many look-ups).
    pub fn name_index(&self) -> std::collections::HashMap<&str, u32> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect()
    }

    /// One sequential pass over every participation (its cascade id and DT weight), returning
    /// the sum of both: the physical floor that the benchmarks compare a selection with.
    pub fn scan(&self) -> f64 {
        let ids: u64 = self.cascade.iter().map(|&c| u64::from(c)).sum();
        let w: f32 = self.dt.iter().sum();
        ids as f64 + f64::from(w)
    }

    /// Mean number of sources per cascade.
    pub fn participations_per_cascade(&self) -> f64 {
        self.n_participations() as f64 / self.n_cascades().max(1) as f64
    }

    /// Number of cascades source `id` took part in.
    pub fn source_degree(&self, id: u32) -> usize {
        let i = id as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => (b - a) as usize,
            _ => 0,
        }
    }

    /// Bytes held in the per-participation arrays (cascade id, DT and PA weight).
    pub fn participation_bytes(&self) -> usize {
        self.cascade.len() * 4 + self.dt.len() * 4 + self.pa.len() * 4
    }

    /// Bytes held in all arrays of the index (per participation, per source, per cascade), names
    /// excluded.
    pub fn array_bytes(&self) -> usize {
        self.participation_bytes()
            + self.offsets.len() * 8
            + self.dt_total.len() * 8
            + self.pa_total.len() * 8
            + self.sizes.len() * 4
            + self.spans.len() * 8
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_keeps_earliest_time_and_orders() {
        let c = Cascades::from_events(vec![vec![("a", 5), ("b", 3), ("a", 1), ("c", 3)]]).unwrap();
        // Time order: a@1, b@3, c@3 (b before c: file order on equal times).
        assert_eq!(c.source_names(), &["a", "b", "c"]);
        assert_eq!(c.n_participations(), 3);
        assert_eq!(c.sizes, vec![3]);
        assert_eq!(c.spans, vec![2]);
        assert_eq!(c.dt, vec![1.0, 0.0, 0.0]);
        assert_eq!(c.pa, vec![3, 2, 1]);
    }

    #[test]
    fn source_major_order_and_totals() {
        let c = Cascades::from_events(vec![
            vec![("x", 0), ("y", 10)],
            vec![("y", 0)],
            vec![("y", 4), ("x", 4)],
        ])
        .unwrap();
        assert_eq!(c.source_names(), &["x", "y"]);
        assert_eq!(c.offsets, vec![0, 2, 5]);
        assert_eq!(c.cascade, vec![0, 2, 0, 1, 2]);
        assert_eq!(c.dt_total[1], 0.0 + 1.0 + 1.0);
        assert_eq!(c.pa_total[0], 2.0 + 1.0);
    }

    #[test]
    fn transposing_in_many_blocks_gives_the_same_arrays() {
        let text = {
            let p = crate::GenParams {
                sources: 300,
                cascades: 4000,
                seed: 5,
                ..Default::default()
            };
            let mut v = Vec::new();
            crate::generate(&p, &mut v, &crate::NoProgress).unwrap();
            v
        };
        let events: Vec<Vec<(String, i64)>> = std::str::from_utf8(&text)
            .unwrap()
            .lines()
            .map(|l| {
                l.split(',')
                    .filter_map(|tok| {
                        let mut w = tok.split_whitespace();
                        Some((w.next()?.to_string(), w.next()?.parse().ok()?))
                    })
                    .collect()
            })
            .collect();
        let a = Staging::from_events(events.clone()).finish("t").unwrap();
        let b = Staging::from_events(events).finish_with("t", 7).unwrap();
        let c =
            crate::load_reader(&text[..], crate::Format::Text, "t", &crate::NoProgress).unwrap();
        assert_eq!(a.names, c.names);
        assert_eq!(a.cascade, c.cascade);
        assert_eq!(a.dt, c.dt);
        assert_eq!(a.pa, c.pa);
        assert_eq!(a.spans, c.spans);
        assert_eq!(a.names, b.names);
        assert_eq!(a.offsets, b.offsets);
        assert_eq!(a.cascade, b.cascade);
        assert_eq!(a.dt, b.dt);
        assert_eq!(a.pa, b.pa);
        assert!(crate::transpose::source_blocks(&b.offsets, 7).len() > 100);
        for s in 0..a.n_sources() {
            let l = &a.cascade[a.offsets[s] as usize..a.offsets[s + 1] as usize];
            assert!(l.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn empty_is_an_error() {
        let r = Cascades::from_events(Vec::<Vec<(&str, i64)>>::new());
        assert!(matches!(r, Err(ListenError::Empty(_))));
    }
}
