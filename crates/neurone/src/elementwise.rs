//! Long element-by-element loops shared among the threads and compiled for 8-lane AVX2 where the
//! CPU has it: tanh, and the updates of Adam, RMSprop and Adagrad, whose division per value
//! makes them a sizeable part of a training step (ReLU's maximum or SGD's multiply-add is not).
//!
//! Each element goes through the same operations whatever the split and the vector width
//! (IEEE arithmetic and square roots are exact to the last bit at any width, and no multiply-add
//! is fused), so neither changes the result.

use std::marker::PhantomData;
use std::ops::Range;

/// Loops shorter than this stay on one thread: below it, the hand-off costs more than it saves.
const PARALLEL_LENGTH: usize = 1 << 15;

/// Runs `body(range)` on ranges that cover `0..length` once: the whole of it on one thread, or
/// one range per thread for long loops (see [`set_threads`](crate::set_threads)).
///
/// Mark the closure `#[inline(always)]`: only code inlined into [`vectorised`]'s AVX2 function
/// is compiled for AVX2.
pub(crate) fn for_each_range<F: Fn(Range<usize>) + Sync>(length: usize, body: F) {
    let parts = if length >= PARALLEL_LENGTH { crate::threads() } else { 1 };
    if parts <= 1 {
        vectorised(&body, 0..length);
    } else {
        let width = length.div_ceil(parts);
        crate::parallel::for_each_part(parts, &|part| vectorised(&body, part * width..length.min((part + 1) * width)));
    }
}

/// Runs `body(range)` compiled with AVX2 enabled when the CPU has it (the compiler then uses
/// 8-lane registers for its loops), as it is otherwise.
fn vectorised<F: Fn(Range<usize>)>(body: &F, range: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        fn with_avx2<F: Fn(Range<usize>)>(body: &F, range: Range<usize>) {
            body(range);
        }
        // SAFETY: the feature was just detected.
        return unsafe { with_avx2(body, range) };
    }
    body(range);
}

/// A slice whose disjoint ranges are handed to different threads, mutably.
pub(crate) struct Disjoint<'a, T> {
    start: *mut T,
    length: usize,
    borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: `Disjoint` gives out `&mut [T]` of the ranges asked for; its users ask for disjoint ranges.
unsafe impl<T: Send> Sync for Disjoint<'_, T> {}

impl<'a, T> Disjoint<'a, T> {
    /// Borrows `slice` for the duration of the loop.
    pub(crate) fn new(slice: &'a mut [T]) -> Self {
        Self { start: slice.as_mut_ptr(), length: slice.len(), borrow: PhantomData }
    }

    /// The elements in `range`.
    ///
    /// # Safety
    /// No other borrow of an element of `range` may be alive while the result is.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn range(&self, range: Range<usize>) -> &mut [T] {
        assert!(range.start <= range.end && range.end <= self.length, "Disjoint: range out of bounds");
        // SAFETY: in bounds (checked), and not aliased (the caller's promise).
        unsafe { std::slice::from_raw_parts_mut(self.start.add(range.start), range.len()) }
    }
}
