//! Long work off the interpreter's lock, stoppable by Ctrl-C.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// How often the training takes the interpreter's lock back to look for a pending signal.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `work` with the GIL released, so that other Python threads run meanwhile, on the
/// calling thread (on a thread started for each fit, an iris fit right after other numpy work
/// took 8.1–9.2 ms against 6.6–6.9: `bench/python_fit_after_numpy.py`). `work` receives a stop
/// request to ask before every batch: every 50 ms it lets Python handle pending signals, and a
/// `KeyboardInterrupt` makes it true (training stops after the current batch) instead of
/// propagating. Returns what `work` returned, and whether it was interrupted.
pub fn run_interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&(dyn Fn() -> bool + Sync)) -> T + Send,
) -> (T, bool) {
    let interrupted = AtomicBool::new(false);
    let started = Instant::now();
    // Nanoseconds from `started` to the last look (atomics rather than cells, as the work and
    // what it borrows must be `Send`).
    let last_look = AtomicU64::new(0);
    let requested = || {
        let now = started.elapsed();
        if !interrupted.load(Ordering::Relaxed)
            && now - Duration::from_nanos(last_look.load(Ordering::Relaxed)) >= SIGNAL_POLL
        {
            last_look.store(now.as_nanos() as u64, Ordering::Relaxed);
            if Python::attach(|py| py.check_signals()).is_err() {
                interrupted.store(true, Ordering::Relaxed);
            }
        }
        interrupted.load(Ordering::Relaxed)
    };
    let result = py.detach(|| work(&requested));
    (result, interrupted.into_inner())
}
