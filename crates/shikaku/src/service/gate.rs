//! The hashing gate: at most [`HashCost::concurrent_calls`](crate::HashCost::concurrent_calls)
//! argon2 computations at once, and nothing else held under it.
//!
//! A password step is mostly argon2 (tens of milliseconds of CPU) around a few store
//! round trips (milliseconds of waiting for a commit). When a whole facade call held a
//! hashing permit, the cores sat idle while permit holders waited for their commits:
//! the default configuration reached about 75 % of the argon2 limit. The gate is taken
//! around the computation alone — the attempt is reserved before it and the outcome
//! written after it — so the store's waits overlap other calls' hashing.
//!
//! ```text
//!   reserve attempt ──► [ gate: argon2 ] ──► write outcome, ticket, audit
//!        (store)            (CPU only)              (store)
//! ```
//!
//! The gate also bounds argon2 memory: the hasher keeps `concurrent_calls × workers`
//! blocks, so no computation allocates a fresh one.

use std::sync::{Condvar, Mutex, PoisonError};

/// A counting semaphore for blocking threads (the facade is synchronous).
pub(super) struct HashGate {
    state: Mutex<GateState>,
    freed: Condvar,
    permits: usize,
}

#[derive(Default)]
struct GateState {
    in_use: usize,
    waiting: usize,
    timings: Argon2Timings,
}

/// How long the argon2 computations took, as a histogram: for metrics. Durations are
/// read from the facade's clock, so a test's manual clock records zeros.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Argon2Timings {
    /// Computations timed.
    pub count: u64,
    /// Their total, in seconds.
    pub sum_seconds: f64,
    /// Per bound of [`Argon2Timings::BUCKETS`], how many took at most that long
    /// (cumulative, as Prometheus histograms count).
    pub cumulative: [u64; 10],
}

impl Argon2Timings {
    /// The histogram's upper bounds in seconds (the default cost takes 15–30 ms a core).
    pub const BUCKETS: [f64; 10] = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0];

    fn record(&mut self, seconds: f64) {
        self.count += 1;
        self.sum_seconds += seconds;
        for (bound, count) in Self::BUCKETS.iter().zip(self.cumulative.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
    }
}

/// How busy the gate is: for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashingLoad {
    /// Computations running now.
    pub in_use: usize,
    /// Calls waiting for a turn.
    pub waiting: usize,
    /// How many may run at once.
    pub permits: usize,
}

impl HashGate {
    pub(super) fn new(permits: usize) -> Self {
        Self {
            state: Mutex::new(GateState::default()),
            freed: Condvar::new(),
            permits: permits.max(1),
        }
    }

    /// Runs `f` once a permit is free, holding the permit for `f` only (released also
    /// if `f` panics).
    pub(super) fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let _pass = self.enter();
        f()
    }

    fn enter(&self) -> Pass<'_> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.in_use >= self.permits {
            state.waiting += 1;
            while state.in_use >= self.permits {
                state = self
                    .freed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.waiting -= 1;
        }
        state.in_use += 1;
        Pass(self)
    }

    /// Records how long one computation under the gate took.
    pub(super) fn record(&self, seconds: f64) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.timings.record(seconds.max(0.0));
    }

    pub(super) fn timings(&self) -> Argon2Timings {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.timings.clone()
    }

    pub(super) fn load(&self) -> HashingLoad {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        HashingLoad {
            in_use: state.in_use,
            waiting: state.waiting,
            permits: self.permits,
        }
    }
}

struct Pass<'a>(&'a HashGate);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.in_use -= 1;
        drop(state);
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn never_more_than_the_permits_at_once() {
        let gate = Arc::new(HashGate::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        gate.run(|| {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            std::thread::yield_now();
                            running.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("worker");
        }
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert_eq!(
            gate.load(),
            HashingLoad {
                in_use: 0,
                waiting: 0,
                permits: 2
            }
        );
    }

    #[test]
    fn a_second_call_waits_until_the_first_is_done() {
        let gate = Arc::new(HashGate::new(1));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (entered, has_entered) = std::sync::mpsc::channel::<()>();
        let holder = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                gate.run(|| {
                    entered.send(()).expect("signal");
                    released.recv().expect("release");
                });
            })
        };
        has_entered.recv().expect("first call inside");
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.run(|| 42))
        };
        while gate.load().waiting == 0 {
            std::thread::yield_now();
        }
        assert_eq!(
            gate.load(),
            HashingLoad {
                in_use: 1,
                waiting: 1,
                permits: 1
            }
        );
        release.send(()).expect("release");
        holder.join().expect("holder");
        assert_eq!(waiter.join().expect("waiter"), 42);
        assert_eq!(gate.load().in_use, 0);
    }

    #[test]
    fn timings_are_a_cumulative_histogram() {
        let gate = HashGate::new(1);
        for seconds in [0.004, 0.015, 0.015, 0.2, 3.0] {
            gate.record(seconds);
        }
        let t = gate.timings();
        assert_eq!(t.count, 5);
        assert!((t.sum_seconds - 3.234).abs() < 1e-9);
        assert_eq!(t.cumulative, [1, 1, 3, 3, 3, 3, 3, 4, 4, 4]);
    }

    #[test]
    fn a_panicking_computation_gives_its_permit_back() {
        let gate = HashGate::new(1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            gate.run(|| panic!("argon2 blew up"));
        }));
        assert!(caught.is_err());
        assert_eq!(gate.load().in_use, 0);
        assert_eq!(gate.run(|| 7), 7);
    }
}
