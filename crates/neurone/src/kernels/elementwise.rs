//! Long element-by-element loops shared among the threads and compiled for the instruction set
//! in use (8-lane AVX2, 16-lane AVX-512): tanh, and the updates of Adam, RMSprop and Adagrad, whose division per value
//! makes them a sizeable part of a training step; and in a small network, where they are too
//! (a tenth of an iris epoch, over its 150 × 100 hidden values), ReLU's passes and the bias
//! gradient's sums.
//!
//! Each element goes through the same operations whatever the split and the vector width
//! (IEEE arithmetic and square roots are exact to the last bit at any width, and no multiply-add
//! is fused), so neither changes the result.

use std::marker::PhantomData;
use std::ops::Range;

/// Loops shorter than this stay on one thread: below it, the hand-off costs more than it saves.
const PARALLEL_LENGTH: usize = 1 << 15;

/// Cuts `slices` (one slice, or a tuple of slices and optional slices, all the same length) at
/// the same places and runs `body` on each set of pieces, the pieces covering the slices once:
/// the whole of them on one thread, or one piece per thread for long loops (see
/// [`set_threads`](crate::set_threads)).
///
/// Mark the closure `#[inline(always)]`: only code inlined into [`vectorised`]'s AVX2 function
/// is compiled for AVX2.
///
/// # Panics
/// If the slices differ in length.
pub(crate) fn for_each_piece<P: Pieces, F: Fn(P) + Sync>(slices: P, body: F) {
    let length = slices.length().unwrap_or(0);
    let shared = slices.share();
    // SAFETY: each range below is cut once, and the ranges do not overlap.
    let piece = |range: Range<usize>| vectorised(&body, unsafe { P::piece(&shared, range) });
    let parts = if length >= PARALLEL_LENGTH { crate::threads() } else { 1 };
    if parts <= 1 {
        piece(0..length);
    } else {
        let width = length.div_ceil(parts);
        super::parallel::for_each_part(parts, &|part| piece(length.min(part * width)..length.min((part + 1) * width)));
    }
}

/// Runs `body(pieces)` compiled for the instruction set in use (the compiler then uses 8-lane
/// registers for its loops with AVX2, 16-lane ones with AVX-512, and an instruction for
/// `mul_add` where the portable set would call the C library's `fma`), as it is otherwise. Mark
/// the closure `#[inline(always)]`.
pub(crate) fn vectorised<P, F: Fn(P)>(body: &F, pieces: P) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "fma")]
        fn with_fma<P, F: Fn(P)>(body: &F, pieces: P) {
            body(pieces);
        }
        #[target_feature(enable = "avx2,fma")]
        fn with_avx2<P, F: Fn(P)>(body: &F, pieces: P) {
            body(pieces);
        }
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn with_avx512<P, F: Fn(P)>(body: &F, pieces: P) {
            body(pieces);
        }
        match super::plan::in_use() {
            // SAFETY: the kernels use only instruction sets the CPU runs (AVX2's and AVX-512's
            // proofs include FMA).
            super::InstructionSet::Avx2 => return unsafe { with_avx2(body, pieces) },
            // SAFETY: as above.
            super::InstructionSet::Avx512 => return unsafe { with_avx512(body, pieces) },
            // SAFETY: the feature was just detected.
            super::InstructionSet::Portable if std::arch::is_x86_feature_detected!("fma") => {
                return unsafe { with_fma(body, pieces) };
            }
            super::InstructionSet::Portable => {}
        }
    }
    body(pieces);
}

/// Runs `body` on `pieces` compiled for the instruction set in use ([`vectorised`]); given a
/// closure marked `#[inline(always)]`, so that all of it is compiled so (a function named
/// instead may be called, compiled for the baseline).
pub(crate) fn in_one_pass<P>(pieces: P, body: impl Fn(P)) {
    vectorised(&body, pieces);
}

/// Slices that [`for_each_piece`] cuts at the same places: `&mut [T]`, `&[T]`, an `Option` of
/// either (a buffer only some settings use), or a tuple of two to five of these.
pub(crate) trait Pieces: Sized {
    /// The form the threads share, from which each cuts its own piece.
    type Shared: Sync;

    /// The length of the slices, `None` when there is none (every option `None`).
    fn length(&self) -> Option<usize>;

    /// Gives the slices over to the threads.
    fn share(self) -> Self::Shared;

    /// The elements in `range` of each slice.
    ///
    /// # Safety
    /// No other piece cut from `shared` with an overlapping range may be alive while this one is.
    unsafe fn piece(shared: &Self::Shared, range: Range<usize>) -> Self;
}

impl<'a, T: Send> Pieces for &'a mut [T] {
    type Shared = Disjoint<'a, T>;

    fn length(&self) -> Option<usize> {
        Some(self.len())
    }

    fn share(self) -> Self::Shared {
        Disjoint::new(self)
    }

    unsafe fn piece(shared: &Self::Shared, range: Range<usize>) -> Self {
        // SAFETY: forwarded from this function's own contract.
        unsafe { shared.range(range) }
    }
}

impl<'a, T: Sync> Pieces for &'a [T] {
    type Shared = &'a [T];

    fn length(&self) -> Option<usize> {
        Some(self.len())
    }

    fn share(self) -> Self::Shared {
        self
    }

    unsafe fn piece(shared: &Self::Shared, range: Range<usize>) -> Self {
        &shared[range]
    }
}

impl<P: Pieces> Pieces for Option<P> {
    type Shared = Option<P::Shared>;

    fn length(&self) -> Option<usize> {
        self.as_ref().and_then(P::length)
    }

    fn share(self) -> Self::Shared {
        self.map(P::share)
    }

    unsafe fn piece(shared: &Self::Shared, range: Range<usize>) -> Self {
        // SAFETY: forwarded from this function's own contract.
        shared.as_ref().map(|shared| unsafe { P::piece(shared, range) })
    }
}

macro_rules! impl_pieces_for_tuple {
    ($($slices:ident $index:tt),+) => {
        impl<$($slices: Pieces),+> Pieces for ($($slices,)+) {
            type Shared = ($($slices::Shared,)+);

            fn length(&self) -> Option<usize> {
                [$(self.$index.length()),+].into_iter().flatten().reduce(|length, other| {
                    assert_eq!(length, other, "for_each_piece: slices of different lengths");
                    length
                })
            }

            fn share(self) -> Self::Shared {
                ($(self.$index.share(),)+)
            }

            unsafe fn piece(shared: &Self::Shared, range: Range<usize>) -> Self {
                // SAFETY: forwarded from this function's own contract.
                unsafe { ($($slices::piece(&shared.$index, range.clone()),)+) }
            }
        }
    };
}

impl_pieces_for_tuple!(A 0, B 1);
impl_pieces_for_tuple!(A 0, B 1, C 2);
impl_pieces_for_tuple!(A 0, B 1, C 2, D 3);
impl_pieces_for_tuple!(A 0, B 1, C 2, D 3, E 4);

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
    fn new(slice: &'a mut [T]) -> Self {
        Self { start: slice.as_mut_ptr(), length: slice.len(), borrow: PhantomData }
    }

    /// The elements in `range`.
    ///
    /// # Safety
    /// No other borrow of an element of `range` may be alive while the result is.
    unsafe fn range(&self, range: Range<usize>) -> &'a mut [T] {
        assert!(range.start <= range.end && range.end <= self.length, "Disjoint: range out of bounds");
        // SAFETY: in bounds (checked), and not aliased (the caller's promise).
        unsafe { std::slice::from_raw_parts_mut(self.start.add(range.start), range.len()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_visited_once_with_its_partners_whatever_the_split() {
        for length in [0, 1, 7, PARALLEL_LENGTH + 3] {
            let doubled: Vec<u32> = (0..length as u32).map(|i| 2 * i).collect();
            let (mut sums, mut visits) = (vec![0u32; length], vec![0u32; length]);
            for threads in [1, 2, 3] {
                crate::set_threads(threads);
                let slices = (&mut sums[..], Some(&mut visits[..]), &doubled[..], None::<&mut [u32]>);
                for_each_piece(slices, |(sums, visits, doubled, unused)| {
                    assert!(unused.is_none());
                    let visits = visits.expect("the option given");
                    for ((sum, visit), &value) in sums.iter_mut().zip(visits.iter_mut()).zip(doubled) {
                        *sum += value;
                        *visit += 1;
                    }
                });
            }
            crate::set_threads(1);
            assert!(visits.iter().all(|&visits| visits == 3), "length {length}");
            assert!(sums.iter().zip(&doubled).all(|(&sum, &value)| sum == 3 * value), "length {length}");
        }
    }

    #[test]
    #[should_panic(expected = "slices of different lengths")]
    fn slices_of_different_lengths_are_refused() {
        for_each_piece((&mut [0.0f32; 3][..], &[1.0f32; 2][..]), |_| {});
    }
}
