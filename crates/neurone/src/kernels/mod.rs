//! The speed code, kept apart from the mathematics: the matrix product, its kernels for each
//! instruction set (portable Rust; x86-64's AVX2 and AVX-512; aarch64's NEON) and the one
//! function that chooses among them ([`plan`]), the threads that share the work, the element-wise loops compiled for
//! the instruction set in use, exp, tanh and f64's reciprocal.
//!
//! Every `unsafe` of the crate is in this module, each with the reason it is sound; the rest of
//! the library calls the safe functions re-exported here. Every kernel computes each value by
//! the same operations, so the instruction set changes the speed, never the bits.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod elementwise;
mod exp;
mod gemm;
#[cfg(target_arch = "aarch64")]
mod neon;
mod one_row;
mod packed_gemm;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod packing;
mod parallel;
mod plan;
mod portable;
mod reciprocal;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod register_tiles;
mod shallow_chain;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod shallow_gemm;
mod sparse_gradient;
mod sparse_product;
mod tanh;

pub(crate) use elementwise::{for_each_piece, in_one_pass, vectorised};
pub(crate) use exp::{exp_f32, exp_f64};
pub(crate) use gemm::gemm;
pub use gemm::{GemmKernel, Op, Strided, matmul};
pub(crate) use one_row::{outer, row_times_weights, weights_times_row};
pub use parallel::{set_threads, threads, with_threads};
pub use plan::{InstructionSet, Path, ScalarType, UnknownInstructionSet, instruction_set, plan};
pub(crate) use reciprocal::reciprocal_f64;
pub(crate) use sparse_gradient::{SparseGradient, row_slices};
pub(crate) use sparse_product::SparseProduct;
pub(crate) use tanh::{tanh_f32, tanh_f64};
