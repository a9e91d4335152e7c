//! Design principle: no allocation in the training step. Optimizers allocate their per-tensor
//! state during the first step, and L-BFGS its buffers during its first step; after that,
//! updates allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use neurone::optim::{Adagrad, Adam, AdamW, Lbfgs, Optimizer, RmsProp, Sgd};
use neurone::{Activation, Matrix, Network, seeded_rng};

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

/// Allocations made by `run`.
fn allocations(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    run();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

/// Rosenbrock's function in two dimensions, computed without allocating.
fn rosenbrock(x: &[f64], gradient: &mut [f64]) -> f64 {
    let (valley, offset) = (x[1] - x[0] * x[0], 1.0 - x[0]);
    gradient[0] = -400.0 * x[0] * valley - 2.0 * offset;
    gradient[1] = 200.0 * valley;
    100.0 * valley * valley + offset * offset
}

// One test, so that no other test allocates while this one counts.
#[test]
fn only_the_first_step_allocates() {
    let mut network: Network = Network::builder(3)
        .dense(8, Activation::Tanh)
        .dense(2, Activation::Identity)
        .build(&mut seeded_rng(0))
        .unwrap();
    let x = Matrix::new(4, 3, (0..12).map(|i| (i as f32 * 0.3).sin()).collect()).unwrap();
    let y = Matrix::new(4, 2, (0..8).map(|i| (i as f32 * 0.7).cos()).collect()).unwrap();
    network.compute_gradients(&x, &y).unwrap();
    let optimizers: Vec<(&str, Box<dyn Optimizer<f32>>)> = vec![
        ("sgd", Box::new(Sgd::new(0.1).unwrap().momentum(0.9).unwrap().nesterov(true).unwrap())),
        ("rmsprop", Box::new(RmsProp::default().momentum(0.9).unwrap().centered(true))),
        ("adagrad", Box::new(Adagrad::default())),
        ("adam", Box::new(Adam::default())),
        ("adamw", Box::new(AdamW::default())),
    ];
    for (name, mut optimizer) in optimizers {
        assert!(allocations(|| network.update(optimizer.as_mut())) > 0, "{name} sizes its state on the first step");
        let later = allocations(|| {
            for _ in 0..10 {
                network.update(optimizer.as_mut());
            }
        });
        assert_eq!(later, 0, "{name} allocated after its first step");
    }

    let mut lbfgs = Lbfgs::default();
    let mut parameters = [-1.2, 1.0];
    assert!(
        allocations(|| {
            lbfgs.step(&mut parameters, &mut rosenbrock).unwrap();
        }) > 0
    );
    let later = allocations(|| {
        for _ in 0..10 {
            lbfgs.step(&mut parameters, &mut rosenbrock).unwrap();
        }
    });
    assert_eq!(later, 0, "L-BFGS allocated after its first step");
    assert_eq!(lbfgs.iteration_count(), 11);
}
