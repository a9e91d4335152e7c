//! Micro-benchmarks of the kernels a training step is made of, with Criterion:
//!
//!     cargo bench --manifest-path bench/neurone-bench/Cargo.toml
//!
//! - `sgemm`: neurone's matrix product (by the instruction set `NEURONE_KERNELS` names, else the
//!   best this CPU runs) against `matrixmultiply` (the Rust reference) on the products of MNIST's 784→128→64→10 at batch 64, of the wide
//!   784→1024→1024→10 at batch 256 and three shallow ones; throughput is counted in floating-point
//!   operations (2mkn).
//! - `activation`: ReLU and tanh, forward and backward, on a 64 × 128 batch.
//! - `adam`: one update of the 128 × 784 first-layer weights.
//! - `training_step`: forward, backward and Adam update of one batch of 64 for 784→128→64→10, on
//!   1 and 2 threads.
//! - `predict`: one sample through 784→128→64→10.

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use neurone::layer::ParameterMut;
use neurone::optim::Step;
use neurone::{Activation, Adam, Loss, Matrix, Network, Optimizer, matmul, seeded_rng, set_threads};

/// Deterministic values in [-1, 1): the kernels' speed does not depend on them.
fn filled(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// The products of one training step, `(name, m, k, n)` for C (m × n) = A (m × k) · B (k × n):
/// `Z = A·Wᵀ` (batch × fan-in × fan-out) and `dW = Δᵀ·A` (fan-out × batch × fan-in), and the
/// shallow ones of small networks (iris's `Z` through 4 inputs and `Δ·W` back from 3 classes, a
/// two-input layer's `Z`).
const PRODUCTS: [(&str, usize, usize, usize); 7] = [
    ("mnist Z=A·Wᵀ 64×784×128", 64, 784, 128),
    ("mnist dW=Δᵀ·A 128×64×784", 128, 64, 784),
    ("wide Z=A·Wᵀ 256×1024×1024", 256, 1024, 1024),
    ("wide dW=Δᵀ·A 1024×256×1024", 1024, 256, 1024),
    ("iris Z=A·Wᵀ 150×4×100", 150, 4, 100),
    ("iris Δ·W 150×3×100", 150, 3, 100),
    ("two inputs Z=A·Wᵀ 256×2×64", 256, 2, 64),
];

fn sgemm(c: &mut Criterion) {
    set_threads(1);
    let mut group = c.benchmark_group("sgemm");
    for (name, m, k, n) in PRODUCTS {
        let (a, b, mut out) = (filled(m * k, 1), filled(k * n, 2), vec![0.0f32; m * n]);
        let (k_stride, n_stride) = (k as isize, n as isize);
        group.throughput(Throughput::Elements((2 * m * k * n) as u64));
        group.bench_function(BenchmarkId::new("neurone", name), |bencher| {
            bencher.iter(|| matmul((m, k, n), &a, &b, &mut out))
        });
        group.bench_function(BenchmarkId::new("matrixmultiply", name), |bencher| {
            // SAFETY: as above.
            bencher.iter(|| unsafe {
                matrixmultiply::sgemm(
                    m,
                    k,
                    n,
                    1.0,
                    a.as_ptr(),
                    k_stride,
                    1,
                    b.as_ptr(),
                    n_stride,
                    1,
                    0.0,
                    out.as_mut_ptr(),
                    n_stride,
                    1,
                )
            })
        });
    }
    group.finish();
}

fn activation(c: &mut Criterion) {
    let (rows, width) = (64, 128);
    let z = filled(rows * width, 3);
    let mut group = c.benchmark_group("activation");
    group.throughput(Throughput::Elements((rows * width) as u64));
    for (name, activation) in [("relu", Activation::Relu), ("tanh", Activation::Tanh)] {
        let mut a = z.clone();
        activation.apply_in_place(&mut a, width);
        let mut values = z.clone();
        group.bench_function(BenchmarkId::new("forward", name), |bencher| {
            bencher.iter(|| {
                values.copy_from_slice(&z);
                activation.apply_in_place(black_box(&mut values), width);
            })
        });
        let mut gradient = z.clone();
        group.bench_function(BenchmarkId::new("backward", name), |bencher| {
            bencher.iter(|| {
                gradient.copy_from_slice(&z);
                activation.backprop_in_place(&z, &a, black_box(&mut gradient), width);
            })
        });
    }
    group.finish();
}

fn adam(c: &mut Criterion) {
    set_threads(1);
    let (mut weights, mut gradient) = (filled(128 * 784, 4), filled(128 * 784, 5));
    let mut adam = Adam::<f32>::default();
    let mut group = c.benchmark_group("adam");
    group.throughput(Throughput::Elements(weights.len() as u64));
    group.bench_function("update 128×784", |bencher| {
        let mut number = 0;
        bencher.iter(|| {
            number += 1;
            let (value, gradient) = (&mut weights, &mut gradient);
            let parameter = ParameterMut { name: "weight", regularised: true, value, gradient };
            adam.update(0, parameter, Step { number, learning_rate: 1e-3 });
        })
    });
    group.finish();
}

/// 784 → 128 → 64 → 10, ReLU and softmax with cross-entropy: the benchmark's MNIST network.
fn mnist_network() -> Network<f32> {
    Network::builder(784)
        .dense(128, Activation::Relu)
        .dense(64, Activation::Relu)
        .dense(10, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(42))
        .expect("a valid network")
}

fn training_step(c: &mut Criterion) {
    let batch = 64;
    let x = Matrix::new(batch, 784, filled(batch * 784, 6).iter().map(|v| v.abs()).collect()).unwrap();
    let y = Matrix::new(batch, 10, (0..batch * 10).map(|i| f32::from(u8::from(i % 11 == 0))).collect()).unwrap();
    let mut group = c.benchmark_group("training_step");
    for threads in [1, 2] {
        set_threads(threads);
        let (mut network, mut adam) = (mnist_network(), Adam::default());
        group.bench_function(BenchmarkId::new("mnist 784→128→64→10 batch 64, threads", threads), |bencher| {
            let mut number = 0;
            bencher.iter(|| {
                number += 1;
                network.compute_gradients(&x, &y).unwrap();
                network.update(&mut adam, Step { number, learning_rate: 1e-3 });
            })
        });
    }
    set_threads(1);
    group.finish();
}

fn predict(c: &mut Criterion) {
    let network = mnist_network();
    let sample = Matrix::new(1, 784, filled(784, 7)).unwrap();
    c.bench_function("predict/one sample 784→128→64→10", |bencher| {
        bencher.iter(|| network.predict(black_box(&sample)).unwrap())
    });
}

criterion_group!(kernels, sgemm, activation, adam, training_step, predict);
criterion_main!(kernels);
