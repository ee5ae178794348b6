//! Parallel history checks.
//!
//! A history check verifies the new password against up to 4 retired
//! hashes and 4 prefix verifiers: 8 independent argon2 runs.
//! [`Hasher::run_all`] spreads them over `workers` threads (std scoped
//! threads; the calling thread is one of them).

use core::sync::atomic::{AtomicUsize, Ordering};

use super::Hasher;
use crate::Error;

impl Hasher {
    /// Runs `f` over every job, spread over up to `workers` threads (the
    /// calling thread included), and returns the results in job order.
    pub(crate) fn run_all<T, O, F>(&self, jobs: &[T], f: F) -> Result<Vec<O>, Error>
    where
        T: Sync,
        O: Send,
        F: Fn(&T) -> O + Sync,
    {
        let workers = self.workers.min(jobs.len());
        if workers <= 1 {
            return Ok(jobs.iter().map(f).collect());
        }
        let next = AtomicUsize::new(0);
        // Each worker returns its results with their job indices.
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                done.push((i, f(job)));
            }
            done
        };
        std::thread::scope(|scope| {
            let mut handles = Vec::with_capacity(workers - 1);
            for _ in 1..workers {
                // If a thread cannot be started the others (and this one)
                // simply take more jobs.
                if let Ok(handle) = std::thread::Builder::new()
                    .name("shikaku-argon2".to_owned())
                    .spawn_scoped(scope, work)
                {
                    handles.push(handle);
                }
            }
            let mut slots: Vec<Option<O>> = jobs.iter().map(|_| None).collect();
            let mut place = |done: Vec<(usize, O)>| {
                for (i, out) in done {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(out);
                    }
                }
            };
            place(work());
            let mut panicked = false;
            for handle in handles {
                match handle.join() {
                    Ok(done) => place(done),
                    Err(_) => panicked = true,
                }
            }
            if panicked {
                return Err(Error::Hashing("an argon2 worker thread panicked"));
            }
            slots
                .into_iter()
                .collect::<Option<Vec<O>>>()
                .ok_or(Error::Hashing("an argon2 job was not run"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn run_all_keeps_job_order_with_any_worker_count() {
        for workers in [1, 2, 3, 8] {
            let hasher = Hasher::builder()
                .m_cost(64)
                .t_cost(1)
                .workers(workers)
                .build()
                .unwrap();
            let jobs: Vec<u32> = (0..17).collect();
            let out = hasher.run_all(&jobs, |j| j * 10).unwrap();
            assert_eq!(out, jobs.iter().map(|j| j * 10).collect::<Vec<_>>());
            assert!(hasher.run_all(&[] as &[u32], |j| *j).unwrap().is_empty());
        }
    }

    #[test]
    fn run_all_really_runs_jobs_at_the_same_time() {
        // Job 0 waits for a message that only job 1 sends: run one after the
        // other, job 0 would time out.
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .workers(2)
            .build()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Mutex::new(rx);
        let tx = Mutex::new(tx);
        let out = hasher
            .run_all(&[0, 1], |job| {
                if *job == 0 {
                    let rx = rx.lock().unwrap();
                    rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok()
                } else {
                    tx.lock().unwrap().send(()).is_ok()
                }
            })
            .unwrap();
        assert_eq!(out, [true, true]);
    }
}
