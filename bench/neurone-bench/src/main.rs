//! `neurone-bench sgemm|inference [--hidden 128,64] [--batch 256] [--repeats 20] [--kernels SET]`:
//! prints one line of JSON for bench/harness.py.
//!
//! - `sgemm`: the three matrix products of one training step of 784 → hidden → 10, alone, with
//!   the `matrixmultiply` crate, or with neurone's own kernels of the instruction set `SET`
//!   (`avx2`, `avx512`, …), single-threaded: for each layer `Z = A·Wᵀ`,
//!   `dW = Δᵀ·A` and, but for the input layer (no gradient is needed for the pixels),
//!   `dA = Δ·W`; the practical limit for the wide network's training. Rated by the training
//!   formula, 6 × weights × batch per pass, so the two rates compare as times.
//! - `inference`: a freshly initialised 784 → hidden → 10 ReLU/softmax network; the median
//!   latency of `predict` on one test image, and the throughput of `predict` on all 10 000.

use std::process::ExitCode;
use std::time::Instant;

use neurone::datasets::{DataSource, mnist};
use neurone::{Activation, GemmKernel, InstructionSet, Loss, Matrix, Network, Op, ScalarType, Strided, seeded_rng};

struct Options {
    workload: String,
    hidden: Vec<usize>,
    batch: usize,
    repeats: usize,
    /// neurone's kernels of this instruction set, else `matrixmultiply`.
    kernels: Option<InstructionSet>,
}

fn parse_options() -> Result<Options, String> {
    let mut arguments = std::env::args().skip(1);
    let workload =
        arguments.next().ok_or("usage: neurone-bench sgemm|inference [--hidden W,W] [--batch N] [--repeats N]")?;
    let mut options = Options { workload, hidden: vec![128, 64], batch: 256, repeats: 20, kernels: None };
    while let Some(flag) = arguments.next() {
        let value = arguments.next().ok_or(format!("{flag} needs a value"))?;
        let number = |text: &str| text.parse::<usize>().map_err(|_| format!("{flag}: not a number: {text}"));
        match flag.as_str() {
            "--hidden" => options.hidden = value.split(',').map(number).collect::<Result<_, _>>()?,
            "--batch" => options.batch = number(&value)?,
            "--repeats" => options.repeats = number(&value)?,
            "--kernels" => {
                let set = InstructionSet::available().find(|set| set.name() == value);
                options.kernels = Some(set.ok_or(format!("--kernels {value}: not an instruction set this CPU runs"))?);
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

/// Deterministic values in [0, 1): the product's speed does not depend on them.
fn filled(len: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 8) as f32 / (1u32 << 24) as f32
        })
        .collect()
}

/// C (m × n) = A (m × k) · B (k × n), each given by its row and column strides, by neurone's
/// kernels of `kernels` (as `neurone::plan` routes the product), else by `matrixmultiply`.
#[allow(clippy::too_many_arguments)]
fn product(
    kernels: Option<InstructionSet>,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    a_strides: (isize, isize),
    b: &[f32],
    b_strides: (isize, isize),
    c: &mut [f32],
) {
    debug_assert!(c.len() >= m * n);
    if let Some(set) = kernels {
        let view = |data, (row_stride, column_stride): (isize, isize)| Strided {
            data,
            row_stride: row_stride as usize,
            column_stride: column_stride as usize,
        };
        let op = |(_, column_stride): (isize, isize)| if column_stride == 1 { Op::Plain } else { Op::Transposed };
        let path = neurone::plan((m, k, n), op(a_strides), op(b_strides), ScalarType::F32, set);
        f32::product(path, (m, k, n), 1.0, view(a, a_strides), view(b, b_strides), 0.0, c);
        return;
    }
    // SAFETY: the strides describe matrices that lie inside `a`, `b` and `c` (row-major buffers of
    // the shapes named, or their transposes), and `c` does not alias `a` or `b`.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            a_strides.0,
            a_strides.1,
            b.as_ptr(),
            b_strides.0,
            b_strides.1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

fn sgemm(options: &Options) -> String {
    let widths: Vec<usize> = [784].into_iter().chain(options.hidden.iter().copied()).chain([10]).collect();
    let n = options.batch;
    struct Layer {
        fan_in: usize,
        fan_out: usize,
        a: Vec<f32>,
        weights: Vec<f32>,
        delta: Vec<f32>,
        z: Vec<f32>,
        weight_gradient: Vec<f32>,
        a_gradient: Vec<f32>,
    }
    let mut layers: Vec<Layer> = widths
        .windows(2)
        .enumerate()
        .map(|(index, pair)| {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let seed = index as u32 * 3;
            Layer {
                fan_in,
                fan_out,
                a: filled(n * fan_in, seed + 1),
                weights: filled(fan_out * fan_in, seed + 2),
                delta: filled(n * fan_out, seed + 3),
                z: vec![0.0; n * fan_out],
                weight_gradient: vec![0.0; fan_out * fan_in],
                a_gradient: vec![0.0; n * fan_in],
            }
        })
        .collect();
    let kernels = options.kernels;
    let flops: usize = layers.iter().map(|layer| 6 * layer.fan_in * layer.fan_out * n).sum();
    let mut one_pass = || {
        for (index, layer) in layers.iter_mut().enumerate() {
            let (k, m) = (layer.fan_in, layer.fan_out);
            let (ki, mi) = (k as isize, m as isize);
            // Z = A·Wᵀ: A is n × k row-major, Wᵀ is W (m × k row-major) read with strides (1, k).
            product(kernels, n, k, m, &layer.a, (ki, 1), &layer.weights, (1, ki), &mut layer.z);
            // dW = Δᵀ·A: Δᵀ is Δ (n × m row-major) read with strides (1, m).
            product(kernels, m, n, k, &layer.delta, (1, mi), &layer.a, (ki, 1), &mut layer.weight_gradient);
            // dA = Δ·W, for the layer below (none below the input layer).
            if index > 0 {
                product(kernels, n, m, k, &layer.delta, (mi, 1), &layer.weights, (ki, 1), &mut layer.a_gradient);
            }
        }
    };
    one_pass();
    let started = Instant::now();
    for _ in 0..options.repeats {
        one_pass();
    }
    let seconds = started.elapsed().as_secs_f64();
    let gflops = (flops * options.repeats) as f64 / seconds / 1e9;
    format!("{{\"gflops\": {gflops}, \"seconds\": {seconds}, \"threads\": 1}}")
}

fn inference(options: &Options) -> Result<String, neurone::Error> {
    let test = mnist::<f32>(&DataSource::from_env()?.offline())?.test;
    let mut builder = Network::builder(784);
    for &width in &options.hidden {
        builder = builder.dense(width, Activation::Relu);
    }
    let network: Network<f32> =
        builder.dense(10, Activation::Softmax).loss(Loss::CategoricalCrossEntropy).build(&mut seeded_rng(42))?;
    let images = test.inputs();
    let singles: Vec<Matrix<f32>> =
        (0..2000).map(|index| Matrix::new(1, 784, images.row(index).to_vec())).collect::<Result<_, _>>()?;
    for single in singles.iter().take(100) {
        network.predict(single)?;
    }
    let mut latencies = Vec::with_capacity(singles.len());
    for single in &singles {
        let started = Instant::now();
        network.predict(single)?;
        latencies.push(started.elapsed().as_secs_f64());
    }
    latencies.sort_by(f64::total_cmp);
    network.predict(images)?;
    let mut fastest = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        network.predict(images)?;
        fastest = fastest.min(started.elapsed().as_secs_f64());
    }
    let latency = latencies[latencies.len() / 2];
    let throughput = images.rows() as f64 / fastest;
    Ok(format!("{{\"latency_seconds\": {latency}, \"throughput_per_second\": {throughput}, \"threads\": 1}}"))
}

fn main() -> ExitCode {
    let result = parse_options().and_then(|options| match options.workload.as_str() {
        "sgemm" => Ok(sgemm(&options)),
        "inference" => inference(&options).map_err(|error| error.to_string()),
        other => Err(format!("unknown workload {other}: expected sgemm or inference")),
    });
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
