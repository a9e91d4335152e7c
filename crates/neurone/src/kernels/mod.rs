//! The speed code, kept apart from the mathematics: the matrix product and its packed kernel,
//! the threads that share the work, the element-wise loops compiled for AVX2, and `f32`'s exp and tanh.
//!
//! Every `unsafe` of the crate is in this module, each with the reason it is sound; the rest of
//! the library calls the safe functions re-exported here.

mod elementwise;
mod exp;
mod gemm;
mod packed_gemm;
mod packing;
mod parallel;
mod shallow_gemm;
mod tanh;

pub(crate) use elementwise::{for_each_piece, vectorised};
pub(crate) use exp::exp_f32;
pub use gemm::GemmKernel;
pub(crate) use gemm::{Op, gemm};
pub use parallel::{set_threads, threads, with_threads};
pub(crate) use tanh::tanh_f32;
