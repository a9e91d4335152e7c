//! How many threads the large matrix products use, and the workers that run them.
//!
//! Products are split by columns of their result, each column computed by the same operations
//! in the same order whatever the split: the number of threads changes the speed, never the
//! bits (a test trains with 1 and 2 threads and compares).
//!
//! The products of a training step follow each other within microseconds, so handing one half
//! to a sleeping thread would cost more than it saves (waking a thread takes tens of
//! microseconds). The workers here spin for a while after each part, as OpenMP's do, and only
//! then sleep; the caller computes part 0 itself.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::thread::Thread;
use std::time::{Duration, Instant};

static THREADS: AtomicUsize = AtomicUsize::new(1);

/// Sets the number of threads for large matrix products (at least 1; the default is 1).
///
/// Results are identical whatever the number. With 1, training starts no thread; with more,
/// matrix products of at least 2^18 (about 260 000) multiply-adds, and Adam's, RMSprop's and
/// Adagrad's updates of tensors of at least 2^15 values, are shared among them. The extra threads start on first
/// use, wait for work spinning for a few milliseconds after each part, then sleep.
///
/// ```
/// neurone::set_threads(2);
/// assert_eq!(neurone::threads(), 2);
/// # neurone::set_threads(1);
/// ```
pub fn set_threads(threads: usize) {
    THREADS.store(threads.max(1), Ordering::Relaxed);
}

thread_local! {
    /// The calling thread's own number, set by [`with_threads`] for the work it runs.
    static THREADS_HERE: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The number of threads for large matrix products on the calling thread: its own, within
/// [`with_threads`], else the process's, see [`set_threads`].
pub fn threads() -> usize {
    THREADS_HERE.with(Cell::get).unwrap_or_else(|| THREADS.load(Ordering::Relaxed))
}

/// Runs `work` with `threads` threads (at least 1) for the products it computes on the calling
/// thread, whatever the process's number, which other threads keep: e.g. one per candidate of a
/// search whose candidates train side by side. The results are the same, bit for bit.
///
/// ```
/// let inside = neurone::with_threads(1, neurone::threads);
/// assert_eq!(inside, 1);
/// ```
pub fn with_threads<T>(threads: usize, work: impl FnOnce() -> T) -> T {
    let outer = THREADS_HERE.replace(Some(threads.max(1)));
    // Restored even if `work` panics, so that the thread's number does not leak.
    struct Restore(Option<usize>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREADS_HERE.set(self.0);
        }
    }
    let _restore = Restore(outer);
    work()
}

/// How long an idle worker keeps polling for the next part before it sleeps: longer than the
/// gap between two products of a training step, short enough not to hold a core after training.
const SPIN_BEFORE_SLEEP: Duration = Duration::from_millis(2);

/// A part to run: `part(index)`, shared by reference with the workers for one call.
type Part<'a> = &'a (dyn Fn(usize) + Sync);

/// What the caller and the workers share.
struct Pool {
    /// Worker `w` runs part `w + 1` of a call.
    workers: Vec<Worker>,
    /// The call's parts, as a pointer to the caller's `Part` (valid until `unfinished` is 0).
    job: AtomicPtr<Part<'static>>,
    /// Parts not yet finished by the workers.
    unfinished: AtomicUsize,
    /// Set by a worker whose part panicked, for the caller to panic in turn.
    panicked: AtomicBool,
    /// The number of calls so far, held by the caller for the whole call: one call at a time
    /// uses the workers.
    calls: Mutex<usize>,
}

/// One worker thread, and the number of the last call that gave it a part.
struct Worker {
    thread: Thread,
    call: AtomicUsize,
}

/// Runs `part(0)`, …, `part(parts − 1)`, `part(0)` on the calling thread and the others on the
/// workers, and returns when all are done. If another thread is already using the workers, or
/// there are fewer workers than parts, the caller runs the parts left over itself, in order.
pub(crate) fn for_each_part(parts: usize, part: Part<'_>) {
    if parts <= 1 {
        return (0..parts).for_each(part);
    }
    let pool = pool();
    let mut calls = match pool.calls.try_lock() {
        Ok(calls) => calls,
        // A call that panicked left nothing half-done: `Join` waited for its workers.
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return (0..parts).for_each(part),
    };
    *calls += 1;
    let helpers = &pool.workers[..(parts - 1).min(pool.workers.len())];
    pool.unfinished.store(helpers.len(), Ordering::Relaxed);
    // SAFETY (followed in `work`): the pointer is only used until `unfinished` reaches 0, which
    // this function waits for before `part` goes out of scope.
    pool.job.store(std::ptr::from_ref(&part).cast::<Part<'static>>().cast_mut(), Ordering::Relaxed);
    for worker in helpers {
        worker.call.store(*calls, Ordering::Release);
        worker.thread.unpark();
    }
    let join = Join(pool);
    part(0);
    (helpers.len() + 1..parts).for_each(part);
    drop(join);
    if pool.panicked.swap(false, Ordering::Relaxed) {
        panic!("a part run on another thread panicked");
    }
}

/// Waits for the workers' parts when dropped, also when the caller's own part panics: until
/// they are done they use the caller's `part`.
struct Join<'a>(&'a Pool);

impl Drop for Join<'_> {
    fn drop(&mut self) {
        let started = Instant::now();
        while self.0.unfinished.load(Ordering::Acquire) > 0 {
            if started.elapsed() < SPIN_BEFORE_SLEEP {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// The workers, started on first use: one fewer than the cores (or the threads asked for,
/// if more), since the caller computes a part too.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let workers = (1..cores.max(threads()))
            .map(|index| {
                let thread = std::thread::Builder::new()
                    .name(format!("neurone-{index}"))
                    .spawn(move || work(index))
                    .expect("the operating system starts threads");
                Worker { thread: thread.thread().clone(), call: AtomicUsize::new(0) }
            })
            .collect();
        Pool {
            workers,
            job: AtomicPtr::new(std::ptr::null_mut()),
            unfinished: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            calls: Mutex::new(0),
        }
    })
}

/// Worker `index`'s life: wait until a call gives it a part, run it, repeat.
fn work(index: usize) {
    let pool = pool();
    let worker = &pool.workers[index - 1];
    let mut seen = 0;
    loop {
        let started = Instant::now();
        loop {
            let call = worker.call.load(Ordering::Acquire);
            if call != seen {
                seen = call;
                break;
            }
            if started.elapsed() < SPIN_BEFORE_SLEEP {
                std::hint::spin_loop();
            } else {
                std::thread::park();
            }
        }
        // SAFETY: the caller keeps `part` alive until this part is counted as finished.
        let part = unsafe { *pool.job.load(Ordering::Relaxed) };
        // A panic is the caller's to report: the worker counts the part as finished and lives on.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| part(index))).is_err() {
            pool.panicked.store(true, Ordering::Relaxed);
        }
        pool.unfinished.fetch_sub(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_part_runs_once_and_part_zero_on_the_caller() {
        for parts in 1..=5 {
            let runs = Mutex::new(Vec::new());
            for_each_part(parts, &|index| runs.lock().unwrap().push((index, std::thread::current().id())));
            let mut runs = runs.into_inner().unwrap();
            runs.sort_by_key(|&(index, _)| index);
            assert_eq!(runs.iter().map(|&(index, _)| index).collect::<Vec<_>>(), (0..parts).collect::<Vec<_>>());
            assert_eq!(runs[0].1, std::thread::current().id(), "part 0 runs on the caller");
        }
    }

    #[test]
    fn a_panic_in_any_part_reaches_the_caller_and_the_workers_live_on() {
        for panicking in [0, 1] {
            let outcome = std::panic::catch_unwind(|| {
                for_each_part(2, &|index| assert_ne!(index, panicking, "part {index} fails"));
            });
            assert!(outcome.is_err(), "part {panicking}'s panic was lost");
        }
        let runs = AtomicUsize::new(0);
        for_each_part(2, &|_| {
            runs.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(runs.into_inner(), 2);
    }

    #[test]
    fn parts_run_on_other_threads_when_the_machine_has_them() {
        if pool().workers.is_empty() {
            let message = "parts_run_on_other_threads: one core and one thread, so the pool has no worker";
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{message}; CI must run this test on two cores");
            eprintln!("skipped {message}");
            return;
        }
        // The workers may be busy with another test's call (one printing a panic, say): try
        // until one takes part 1, for at most ten seconds.
        let started = Instant::now();
        let on_a_worker = std::iter::repeat_with(|| {
            let thread = Mutex::new(None);
            for_each_part(2, &|index| {
                if index == 1 {
                    *thread.lock().unwrap() = Some(std::thread::current().id());
                }
            });
            thread.into_inner().unwrap()
        })
        .take_while(|_| started.elapsed() < Duration::from_secs(10))
        .any(|thread| thread != Some(std::thread::current().id()));
        assert!(on_a_worker, "part 1 always ran on the calling thread");
    }
}
