//! Design principle: once buffers are sized for a batch shape, a training step allocates nothing.
//!
//! The one exception is inside the gemm kernel: `matrixmultiply` allocates a packing buffer for
//! each product it computes. The test therefore allows at most one allocation per matrix product
//! and none anywhere else.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use neurone::{Activation, Loss, Matrix, Network, Sgd, seeded_rng};

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_allocate_nothing_once_buffers_are_sized() {
    let mut network: Network = Network::builder(4)
        .dense(32, Activation::Relu)
        .dense(16, Activation::Tanh)
        .dense(3, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(0))
        .unwrap();
    let x = Matrix::new(16, 4, (0..64).map(|i| (i as f32 * 0.1).sin()).collect()).unwrap();
    let y = Matrix::new(16, 3, (0..48).map(|i| if i % 3 == (i / 3) % 3 { 1.0 } else { 0.0 }).collect()).unwrap();
    let small_x = Matrix::new(5, 4, x.as_slice()[..20].to_vec()).unwrap();
    let small_y = Matrix::new(5, 3, y.as_slice()[..15].to_vec()).unwrap();
    let mut sgd = Sgd::new(0.1).unwrap();
    // The first step sizes the buffers for 16 rows.
    network.compute_gradients(&x, &y).unwrap();
    network.update(&mut sgd);

    let steps = 20;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for _ in 0..steps / 2 {
        network.compute_gradients(&x, &y).unwrap();
        network.update(&mut sgd);
        // A smaller batch (the last of an epoch) reuses the same buffers.
        network.compute_gradients(&small_x, &small_y).unwrap();
        network.update(&mut sgd);
    }
    let per_step = (ALLOCATIONS.load(Ordering::SeqCst) - before) as f64 / steps as f64;
    // Per step: 3 forward products (one per layer), 3 for ∂J/∂W and 2 for ∂J/∂a(l-1).
    let products = 3.0 + 3.0 + 2.0;
    assert!(per_step <= products, "{per_step} allocations per step, more than the {products} gemm packing buffers");
}
