//! Long work off the interpreter's lock, stoppable by Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;

/// How often the waiting interpreter thread looks for a pending signal.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `work` on a worker thread with the GIL released, so that other Python threads run
/// meanwhile. The calling thread waits, and every 50 ms lets Python handle pending signals:
/// a `KeyboardInterrupt` sets the flag `work` receives (training stops after the current
/// batch) instead of propagating. Returns what `work` returned, and whether it was interrupted.
pub fn run_interruptible<T: Send>(py: Python<'_>, work: impl FnOnce(Arc<AtomicBool>) -> T + Send) -> (T, bool) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut interrupted = false;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel();
            let flag = Arc::clone(&stop);
            scope.spawn(move || {
                // The receiver lives until the result arrives.
                let _ = done.send(work(flag));
            });
            loop {
                match finished.recv_timeout(SIGNAL_POLL) {
                    Ok(result) => return result,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if !interrupted && Python::attach(|py| py.check_signals()).is_err() {
                            interrupted = true;
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        panic!("the training thread ended without a result")
                    }
                }
            }
        })
    });
    (result, interrupted)
}
