//! A 4-ary max-heap of lazy gain bounds (the four children of a node share a cache line, and the
//! tree is half as deep as a binary one), with a cheap sum of its k largest keys.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A heap entry: `key` bounds the source's current gain (or gain per cost); `stamp` is the step
/// at which it was computed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub key: f64,
    pub src: u32,
    pub stamp: u32,
}

/// Larger key first; on equal keys the lower source id (deterministic ties).
fn before(a: &Entry, b: &Entry) -> bool {
    a.key > b.key || (a.key == b.key && a.src < b.src)
}

const ARITY: usize = 4;

pub(crate) struct LazyHeap {
    items: Vec<Entry>,
}

impl LazyHeap {
    pub fn new(items: Vec<Entry>) -> Self {
        let mut h = LazyHeap { items };
        for i in (0..h.items.len().div_ceil(ARITY)).rev() {
            h.sift_down(i);
        }
        h
    }

    pub fn peek(&self) -> Option<&Entry> {
        self.items.first()
    }

    pub fn pop(&mut self) -> Option<Entry> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        self.sift_down(0);
        Some(top)
    }

    /// Adds an entry.
    pub fn push(&mut self, e: Entry) {
        self.items.push(e);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if before(&self.items[i], &self.items[parent]) {
                self.items.swap(i, parent);
                i = parent;
            } else {
                return;
            }
        }
    }

    /// Replaces the top entry (after re-evaluating it) and restores the heap.
    pub fn replace_top(&mut self, e: Entry) {
        if let Some(t) = self.items.first_mut() {
            *t = e;
            self.sift_down(0);
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.items.len();
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                return;
            }
            let mut c = first;
            for j in first + 1..(first + ARITY).min(n) {
                if before(&self.items[j], &self.items[c]) {
                    c = j;
                }
            }
            if before(&self.items[c], &self.items[i]) {
                self.items.swap(c, i);
                i = c;
            } else {
                return;
            }
        }
    }

    /// Sum of the `k` largest keys, in O(k log k) by walking the heap from the root.
    pub fn top_k_sum(&self, k: usize) -> f64 {
        #[derive(PartialEq)]
        struct Cand(f64, usize);
        impl Eq for Cand {}
        impl PartialOrd for Cand {
            fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Cand {
            fn cmp(&self, o: &Self) -> Ordering {
                self.0.total_cmp(&o.0)
            }
        }
        let mut sum = 0.0;
        if self.items.is_empty() || k == 0 {
            return sum;
        }
        if k >= self.items.len() {
            return self.items.iter().map(|e| e.key).sum();
        }
        let mut frontier = BinaryHeap::with_capacity(ARITY * k + 1);
        frontier.push(Cand(self.items[0].key, 0));
        let mut taken = 0;
        while let Some(Cand(key, i)) = frontier.pop() {
            sum += key;
            taken += 1;
            if taken == k {
                break;
            }
            for c in ARITY * i + 1..=ARITY * i + ARITY {
                if let Some(e) = self.items.get(c) {
                    frontier.push(Cand(e.key, c));
                }
            }
        }
        sum
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn order_ties_and_top_k() {
        let keys = [3.0, 5.0, 5.0, 1.0, 4.0];
        let h = LazyHeap::new(
            keys.iter()
                .enumerate()
                .map(|(i, &k)| Entry {
                    key: k,
                    src: i as u32,
                    stamp: 0,
                })
                .collect(),
        );
        assert_eq!(h.peek().map(|e| e.src), Some(1));
        assert_eq!(h.top_k_sum(3), 14.0);
        assert_eq!(h.top_k_sum(10), 18.0);
        let mut h = h;
        h.push(Entry {
            key: 4.5,
            src: 9,
            stamp: 0,
        });
        assert_eq!(h.top_k_sum(3), 14.5);
        let order: Vec<u32> = std::iter::from_fn(|| h.pop().map(|e| e.src)).collect();
        assert_eq!(order, vec![1, 2, 9, 4, 0, 3]);
    }

    #[test]
    fn random_pushes_and_pops_come_out_sorted() {
        let mut rng = crate::rng::Rng::new(3, 0);
        let mut h = LazyHeap::new(Vec::new());
        let mut keys = Vec::new();
        for src in 0..500u32 {
            let key = (rng.below(50)) as f64;
            keys.push((key, src));
            h.push(Entry { key, src, stamp: 0 });
        }
        keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let top: f64 = keys.iter().take(37).map(|k| k.0).sum();
        assert_eq!(h.top_k_sum(37), top);
        let out: Vec<(f64, u32)> = std::iter::from_fn(|| h.pop().map(|e| (e.key, e.src))).collect();
        assert_eq!(out, keys);
    }
}
