//! Gain evaluation for lazy greedy: on one thread, or split with a second, spinning thread.
//!
//! A CELF step re-evaluates a handful to a few thousand sources, in batches of at most a few
//! hundred microseconds of work. A thread pool that parks its threads pays a wake-up per batch
//! that costs as much as the batch, so for large instances CELF keeps one helper thread spinning
//! for the length of the run and hands it half of each batch through atomics. Whichever thread
//! claims that half first evaluates it, so a helper that is not scheduled (a busy machine) costs
//! nothing but the spin.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use crate::objective::{Cur, Problem};

/// Evaluates gains against the current selection state and applies chosen sources.
pub(crate) trait Evaluate {
    fn gain(&mut self, s: u32) -> f64;
    fn gains(&mut self, batch: &[u32], work: u64) -> Vec<f64>;
    fn apply(&mut self, s: u32);
}

/// One thread.
pub(crate) struct Alone<'a> {
    pub p: &'a Problem<'a>,
    pub cur: Cur,
}

impl Evaluate for Alone<'_> {
    fn gain(&mut self, s: u32) -> f64 {
        self.p.gain(s, &self.cur)
    }
    fn gains(&mut self, batch: &[u32], _work: u64) -> Vec<f64> {
        self.p.touch(batch);
        batch.iter().map(|&s| self.p.gain(s, &self.cur)).collect()
    }
    fn apply(&mut self, s: u32) {
        self.p.apply(s, &mut self.cur);
    }
}

/// The mailbox between the main thread and the helper.
#[derive(Default)]
pub(crate) struct Mailbox {
    /// Number of the job posted last; `u64::MAX` tells the helper to stop.
    posted: AtomicU64,
    /// Number of the job taken last, by the helper or (when the helper was not running) by the
    /// main thread itself.
    claimed: AtomicU64,
    /// Number of the job the helper finished last.
    done: AtomicU64,
    batch: Mutex<Vec<u32>>,
    gains: Mutex<Vec<f64>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Main-thread side: splits batches with the helper.
pub(crate) struct Paired<'a> {
    pub p: &'a Problem<'a>,
    pub cur: &'a RwLock<Cur>,
    pub mail: &'a Mailbox,
    /// Work (participations) below which a batch stays on this thread.
    pub min_work: u64,
    job: u64,
}

impl<'a> Paired<'a> {
    pub fn new(p: &'a Problem<'a>, cur: &'a RwLock<Cur>, mail: &'a Mailbox, min_work: u64) -> Self {
        Paired {
            p,
            cur,
            mail,
            min_work,
            job: 0,
        }
    }

    /// Takes the current job for this thread; false if the helper has it.
    fn claim(&self) -> bool {
        self.mail
            .claimed
            .compare_exchange(self.job - 1, self.job, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Tells the helper to stop.
    pub fn stop(&self) {
        self.mail.posted.store(u64::MAX, Ordering::Release);
    }
}

impl Evaluate for Paired<'_> {
    fn gain(&mut self, s: u32) -> f64 {
        let cur = self
            .cur
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.p.gain(s, &cur)
    }

    fn gains(&mut self, batch: &[u32], work: u64) -> Vec<f64> {
        if work < self.min_work || batch.len() < 2 {
            let cur = self
                .cur
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.p.touch(batch);
            return batch.iter().map(|&s| self.p.gain(s, &cur)).collect();
        }
        // Alternate sources between the threads so both halves weigh about the same.
        let (mine, theirs): (Vec<u32>, Vec<u32>) = {
            let mut a = Vec::with_capacity(batch.len() / 2 + 1);
            let mut b = Vec::with_capacity(batch.len() / 2 + 1);
            for (i, &s) in batch.iter().enumerate() {
                if i % 2 == 0 {
                    a.push(s)
                } else {
                    b.push(s)
                }
            }
            (a, b)
        };
        *lock(&self.mail.batch) = theirs;
        self.job += 1;
        self.mail.posted.store(self.job, Ordering::Release);
        let own: Vec<f64> = {
            let cur = self
                .cur
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.p.touch(&mine);
            mine.iter().map(|&s| self.p.gain(s, &cur)).collect()
        };
        // If the helper has not taken the job (it may not be scheduled), do it here.
        let other = if self.claim() {
            let theirs = std::mem::take(&mut *lock(&self.mail.batch));
            let cur = self
                .cur
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            theirs.iter().map(|&s| self.p.gain(s, &cur)).collect()
        } else {
            while self.mail.done.load(Ordering::Acquire) != self.job {
                std::hint::spin_loop();
            }
            std::mem::take(&mut *lock(&self.mail.gains))
        };
        let mut out = Vec::with_capacity(batch.len());
        let (mut i, mut j) = (own.iter(), other.iter());
        for k in 0..batch.len() {
            let g = if k % 2 == 0 { i.next() } else { j.next() };
            out.push(g.copied().unwrap_or(0.0));
        }
        out
    }

    fn apply(&mut self, s: u32) {
        let mut cur = self
            .cur
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.p.apply(s, &mut cur);
    }
}

/// The helper's loop: spin for posted jobs, evaluate, report; stop on `u64::MAX`.
pub(crate) fn helper_loop(p: &Problem, cur: &RwLock<Cur>, mail: &Mailbox) {
    let mut seen = 0u64;
    let mut idle = 0u32;
    loop {
        let job = mail.posted.load(Ordering::Acquire);
        if job == u64::MAX {
            return;
        }
        if job == seen {
            idle = idle.saturating_add(1);
            if idle > 1 << 16 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
            continue;
        }
        idle = 0;
        seen = job;
        if mail
            .claimed
            .compare_exchange(job - 1, job, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            continue; // the main thread did it
        }
        let batch = std::mem::take(&mut *lock(&mail.batch));
        let gains: Vec<f64> = {
            let c = cur
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            p.touch(&batch);
            batch.iter().map(|&s| p.gain(s, &c)).collect()
        };
        *lock(&mail.gains) = gains;
        mail.done.store(job, Ordering::Release);
    }
}
