//! How many threads the large matrix products use, and the pool that runs them.
//!
//! Products are split by columns of their result, each column computed by the same operations
//! in the same order whatever the split: the number of threads changes the speed, never the
//! bits (a test trains with 1 and 2 threads and compares).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

static THREADS: AtomicUsize = AtomicUsize::new(1);

/// Sets the number of threads for large matrix products (at least 1; the default is 1).
///
/// Results are identical whatever the number. With 1, training steps allocate nothing and
/// start no thread; with more, products of at least 2^24 (about 17 million) multiply-adds
/// (a 1024-unit layer at batch 256, say) are shared among them, through a pool started on first use.
///
/// ```
/// neurone::set_threads(2);
/// assert_eq!(neurone::threads(), 2);
/// # neurone::set_threads(1);
/// ```
pub fn set_threads(threads: usize) {
    THREADS.store(threads.max(1), Ordering::Relaxed);
}

/// The number of threads for large matrix products, see [`set_threads`].
pub fn threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// Runs `part(0)`, …, `part(parts − 1)` on the pool's threads and returns when all are done.
pub(crate) fn for_each_part(parts: usize, part: &(dyn Fn(usize) + Sync)) {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores.max(threads()))
            .thread_name(|index| format!("neurone-{index}"))
            .build()
            .expect("the operating system starts threads")
    });
    pool.install(|| split(0..parts, part));
}

/// Halves `parts` until one is left, each half on its own thread (rayon's fork-join).
fn split(parts: std::ops::Range<usize>, part: &(dyn Fn(usize) + Sync)) {
    if parts.len() == 1 {
        part(parts.start);
    } else {
        let middle = parts.start + parts.len() / 2;
        rayon::join(|| split(parts.start..middle, part), || split(middle..parts.end, part));
    }
}
