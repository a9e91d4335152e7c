//! Candidates scored in parallel: each job a thread that takes the next pending candidate, so
//! that the thread count is a parameter of the search, not of the process.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Scored, SearchRecord};
use crate::Error;

/// Scores the candidates `record` has no score for, `jobs` at a time, each taken by the next
/// free job and recorded as it finishes (`finished` is told too, e.g. to show progress).
///
/// With more than one job, each job's training runs its matrix products on its own thread
/// (see [`with_threads`](crate::with_threads)): candidates, not products, share the cores.
/// With one, the products use [`threads`](crate::threads). The scores are the same, bit for
/// bit, either way.
///
/// An error of `score` stops the search (the first candidate's in order, so that it does not
/// depend on `jobs`); so does `stop`, once the running candidates have finished. A candidate
/// whose training diverged is a result (a [`Scored`] with a `failure`), not an error.
pub fn score_pending<C, E>(
    record: &mut SearchRecord<C>,
    jobs: usize,
    stop: &AtomicBool,
    score: impl Fn(usize) -> Result<Scored, E> + Sync,
    finished: impl Fn(usize, &Scored) + Sync,
) -> Result<(), E>
where
    C: Serialize + DeserializeOwned + PartialEq + Send,
    E: From<Error> + Send,
{
    let pending: Vec<usize> = (0..record.scores.len()).filter(|&index| record.scores[index].is_none()).collect();
    let jobs = jobs.clamp(1, pending.len().max(1));
    let threads_each = if jobs > 1 { 1 } else { crate::threads() };
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let record = Mutex::new(record);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                crate::with_threads(threads_each, || {
                    while !failed.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                        let Some(&index) = pending.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                        let kept = score(index).and_then(|scored| {
                            finished(index, &scored);
                            Ok(record.lock().expect("no job panics holding it").finish(index, scored)?)
                        });
                        if let Err(error) = kept {
                            failed.store(true, Ordering::Relaxed);
                            errors.lock().expect("no job panics holding it").push((index, error));
                        }
                    }
                })
            });
        }
    });
    let errors = errors.into_inner().expect("no job panics holding it");
    match errors.into_iter().min_by_key(|(index, _)| *index) {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}
