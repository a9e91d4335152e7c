//! Design principle: no allocation in the training step. Once buffers are sized for a batch
//! shape, a training step allocates nothing; optimizers allocate their per-tensor state during
//! their first step only, and L-BFGS its buffers during its first iteration.
//!
//! The matrix product keeps its packing buffers from one call to the next. Only on a machine
//! without AVX2 and FMA does it fall back on `matrixmultiply`, which allocates one per product.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use neurone::optim::{Adagrad, Adam, AdamW, Lbfgs, Optimizer, RmsProp, Sgd, Step};
use neurone::{Activation, Loss, Matrix, Network, seeded_rng};

/// The system allocator, counting each thread's allocations separately, so that the test
/// harness's own threads do not count.
struct Counting;

thread_local! {
    // A constant initialiser: reading it never allocates, so the allocator may use it.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `run` on this thread.
fn allocations(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    run();
    ALLOCATIONS.with(Cell::get) - before
}

/// 16 rows of 4 inputs and 3 one-hot classes.
fn batch() -> (Matrix<f32>, Matrix<f32>) {
    let x = Matrix::new(16, 4, (0..64).map(|i| (i as f32 * 0.1).sin()).collect()).unwrap();
    let y = Matrix::new(16, 3, (0..48).map(|i| if i % 3 == (i / 3) % 3 { 1.0 } else { 0.0 }).collect()).unwrap();
    (x, y)
}

#[test]
fn training_steps_allocate_nothing_once_buffers_are_sized() {
    // 16×4×128 = 8192 multiply-adds for the first product (plain loops), 16×128×64 = 131 072
    // for the second (the packed kernel): both paths of the matrix product are exercised.
    let mut network: Network = Network::builder(4)
        .dense(128, Activation::Relu)
        .dense(64, Activation::Relu)
        .dense(16, Activation::Tanh)
        .dense(3, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(0))
        .unwrap();
    let (x, y) = batch();
    let small_x = Matrix::new(5, 4, x.as_slice()[..20].to_vec()).unwrap();
    let small_y = Matrix::new(5, 3, y.as_slice()[..15].to_vec()).unwrap();
    let mut sgd = Sgd::default();
    let step = Step { number: 1, learning_rate: 0.1 };
    // The first step sizes the buffers for 16 rows.
    network.compute_gradients(&x, &y).unwrap();
    network.update(&mut sgd, step);

    let steps = 20;
    let allocated = allocations(|| {
        for _ in 0..steps / 2 {
            network.compute_gradients(&x, &y).unwrap();
            network.update(&mut sgd, step);
            // A smaller batch (the last of an epoch) reuses the same buffers.
            network.compute_gradients(&small_x, &small_y).unwrap();
            network.update(&mut sgd, step);
        }
    });
    let per_step = allocated as f64 / steps as f64;
    if has_avx2_and_fma() {
        assert_eq!(allocated, 0, "a training step allocated");
    } else {
        // Per step: 4 forward products (one per layer), 4 for ∂J/∂W and 3 for ∂J/∂a(l-1).
        let products = 4.0 + 4.0 + 3.0;
        assert!(per_step <= products, "{per_step} allocations per step, more than {products} packing buffers");
    }
}

#[test]
fn training_steps_on_two_threads_allocate_nothing_on_the_calling_thread() {
    // 16×256×128 multiply-adds for the second product and 256×128 weights for Adam: both are
    // shared with the second thread, which keeps its own packing buffers from one step to the next.
    neurone::set_threads(2);
    let mut network: Network = Network::builder(4)
        .dense(256, Activation::Relu)
        .dense(128, Activation::Relu)
        .dense(3, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(0))
        .unwrap();
    let (x, y) = batch();
    let mut adam = Adam::default();
    let step = Step { number: 1, learning_rate: 1e-3 };
    network.compute_gradients(&x, &y).unwrap();
    network.update(&mut adam, step);
    let allocated = allocations(|| {
        for _ in 0..10 {
            network.compute_gradients(&x, &y).unwrap();
            network.update(&mut adam, step);
        }
    });
    neurone::set_threads(1);
    if has_avx2_and_fma() {
        assert_eq!(allocated, 0, "a training step on two threads allocated");
    } else {
        // Per step: 3 forward products, 3 for ∂J/∂W and 2 for ∂J/∂a(l-1), each with its
        // packing buffer in `matrixmultiply`; nothing else.
        let (per_step, products) = (allocated as f64 / 10.0, 3.0 + 3.0 + 2.0);
        assert!(per_step <= products, "{per_step} allocations per step, more than {products} packing buffers");
    }
}

#[test]
fn an_online_step_allocates_nothing() {
    // The course's sine at one sample a step: an epoch of 400 steps allocates what an epoch of
    // 4 does (its history record, the order of the samples, the snapshots of the network), so
    // no step allocates, through the trainer's loop as through the network's passes.
    let sine = |samples| neurone::datasets::sine::<f32>(samples, &mut seeded_rng(1));
    let (few, many) = (sine(4), sine(400));
    let epoch_allocations = |data: &neurone::Dataset<f32>| {
        let mut network: Network = Network::builder(1)
            .dense(16, Activation::Tanh)
            .dense(16, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build(&mut seeded_rng(0))
            .unwrap();
        let mut trainer = neurone::Trainer::new(Sgd::default()).learning_rate(0.05).epochs(1).batch_size(1);
        allocations(|| {
            trainer.fit(&mut network, data, None, &mut seeded_rng(2)).unwrap();
        })
    };
    assert_eq!(epoch_allocations(&many), epoch_allocations(&few), "online steps allocated");
}

#[test]
fn a_step_on_sparse_rows_allocates_nothing() {
    // Wide sparse rows in minibatches, read from their stored values by the first layer: an
    // epoch of 40 batches allocates what an epoch of 4 does.
    let data = |rows: usize| {
        let (mut values, mut columns, mut row_starts) = (Vec::new(), Vec::new(), vec![0]);
        for row in 0..rows {
            // Rows of more and more stored values, in order: each batch holds more than the last.
            for column in 0..300.min(row + 1) {
                values.push((column as f32 * 0.01).sin());
                columns.push(column);
            }
            row_starts.push(values.len());
        }
        let targets: Vec<f32> = (0..rows).map(|row| (row % 2) as f32).collect();
        (values, columns, row_starts, targets)
    };
    let (few, many) = (data(40), data(400));
    let epoch_allocations = |(values, columns, row_starts, targets): &(Vec<f32>, Vec<usize>, Vec<usize>, Vec<f32>)| {
        let rows = neurone::data::SparseRows::new(values, columns, row_starts, 300).unwrap();
        let view = neurone::data::DatasetView::sparse(rows, targets, 1).unwrap();
        let mut network: Network = Network::builder(300)
            .dense(32, Activation::Relu)
            .dense(1, Activation::Sigmoid)
            .loss(Loss::BinaryCrossEntropy)
            .build(&mut seeded_rng(0))
            .unwrap();
        let mut trainer = neurone::Trainer::new(Adam::default()).epochs(1).batch_size(10).shuffle(false);
        allocations(|| {
            trainer.fit(&mut network, view, None, &mut seeded_rng(2)).unwrap();
        })
    };
    assert_eq!(epoch_allocations(&many), epoch_allocations(&few), "steps on sparse rows allocated");
}

fn has_avx2_and_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
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
        ("sgd", Box::new(Sgd::default().momentum(0.9).unwrap().nesterov(true).unwrap())),
        ("rmsprop", Box::new(RmsProp::default().momentum(0.9).unwrap().centered(true))),
        ("adagrad", Box::new(Adagrad::default())),
        ("adam", Box::new(Adam::default())),
        ("adamw", Box::new(AdamW::default())),
    ];
    for (name, mut optimizer) in optimizers {
        let step = |number| Step { number, learning_rate: 0.01 };
        let first = allocations(|| network.update(optimizer.as_mut(), step(1)));
        assert!(first > 0, "{name} sizes its state on the first step");
        let later = allocations(|| {
            for number in 2..12 {
                network.update(optimizer.as_mut(), step(number));
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
