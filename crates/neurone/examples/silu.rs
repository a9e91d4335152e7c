//! The workbench's worked example: a SiLU activation and the course's squared error written
//! outside neurone, checked with `gradient_check`, then trained on the sine.
//!
//!     cargo run --release -p neurone --example silu                  # check, then train
//!     cargo run --release -p neurone --example silu -- slope-of-a    # σ'(a) where σ'(z) belongs
//!     cargo run --release -p neurone --example silu -- no-mean       # ∂J/∂a without the 1/n
//!
//! `crates/neurone/tests/workbench.rs` runs the same three checks and asserts that the correct
//! pieces pass and both broken ones fail.

use neurone::optim::Step;
use neurone::workbench::{ActivationFunction, Elementwise, LossFunction, Sequential};
use neurone::{Activation, Adam, Error, GradientCheck, Matrix, datasets, gradient_check, seeded_rng};

/// SiLU (the "swish"): σ(z) = z·s(z), with s the logistic sigmoid.
#[derive(Clone, Debug)]
pub struct Silu {
    /// The mistake to make on purpose: evaluate σ' at a instead of z.
    pub slope_of_a: bool,
}

/// s(z) = 1 / (1 + e⁻ᶻ).
fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl ActivationFunction for Silu {
    fn name(&self) -> String {
        "silu".into()
    }

    fn value(&self, z: f64) -> f64 {
        z * logistic(z)
    }

    /// σ'(z) = s(z) (1 + z (1 − s(z))).
    fn derivative(&self, z: f64, a: f64) -> f64 {
        let at = if self.slope_of_a { a } else { z };
        let s = logistic(at);
        s * (1.0 + at * (1.0 - s))
    }
}

/// The course's J = ½‖a − y‖², averaged over the n samples of the batch.
#[derive(Debug)]
pub struct HalfSquaredError {
    /// The mistake to make on purpose: forget the 1/n in the gradient (but not in J).
    pub no_mean: bool,
}

impl LossFunction for HalfSquaredError {
    fn value(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> f64 {
        let n = a.rows() as f64;
        a.as_slice().iter().zip(y.as_slice()).map(|(a, y)| 0.5 * (a - y) * (a - y)).sum::<f64>() / n
    }

    /// ∂J/∂a = (a − y)/n
    fn gradient(&self, a: &Matrix<f64>, y: &Matrix<f64>) -> Matrix<f64> {
        let n = if self.no_mean { 1.0 } else { a.rows() as f64 };
        let values = a.as_slice().iter().zip(y.as_slice()).map(|(a, y)| (a - y) / n).collect();
        Matrix::new(a.rows(), a.cols(), values).expect("the shape of a")
    }
}

/// The course's sine network with SiLU hidden layers: 1 → 16 → 16 → 1.
pub fn sine_network(silu: Silu, loss: HalfSquaredError, seed: u64) -> Result<Sequential, Error> {
    let mut rng = seeded_rng(seed);
    Sequential::new(1, loss)
        .dense(16, Activation::Identity, &mut rng)?
        .then(Elementwise(silu.clone()))?
        .dense(16, Activation::Identity, &mut rng)?
        .then(Elementwise(silu))?
        .dense(1, Activation::Identity, &mut rng)
}

/// The gradient check of the sine network on 8 sine samples, with the mistakes asked for.
pub fn check(slope_of_a: bool, no_mean: bool) -> Result<GradientCheck, Error> {
    let network = sine_network(Silu { slope_of_a }, HalfSquaredError { no_mean }, 1)?;
    let data = datasets::sine::<f64>(8, &mut seeded_rng(2));
    gradient_check(&network, data.inputs(), data.targets())
}

/// Full-batch Adam on 200 sine samples; returns the loss before and after `steps` steps.
pub fn train(steps: u64) -> Result<(f64, f64), Error> {
    let mut network = sine_network(Silu { slope_of_a: false }, HalfSquaredError { no_mean: false }, 1)?;
    let data = datasets::sine::<f64>(200, &mut seeded_rng(3));
    let mut adam = Adam::default();
    let first = network.compute_gradients(data.inputs(), data.targets())?;
    for number in 1..=steps {
        network.compute_gradients(data.inputs(), data.targets())?;
        network.update(&mut adam, Step { number, learning_rate: 0.01 });
    }
    Ok((first, network.compute_gradients(data.inputs(), data.targets())?))
}

#[allow(dead_code)] // the tests include this file for its pieces, not for `main`
fn main() {
    if let Err(error) = run() {
        eprintln!("error: {error}");
        std::process::exit(2);
    }
}

/// Checks the pieces with the mistake named on the command line, then trains them if they pass.
#[allow(dead_code)]
fn run() -> Result<(), Error> {
    let mistake = std::env::args().nth(1).unwrap_or_default();
    let (slope_of_a, no_mean) = match mistake.as_str() {
        "" => (false, false),
        "slope-of-a" => (true, false),
        "no-mean" => (false, true),
        other => return Err(Error::invalid("mistake", format!("unknown `{other}`; expected slope-of-a or no-mean"))),
    };
    let report = check(slope_of_a, no_mean)?;
    print!("{report}");
    let worst = report.max_relative_error();
    if worst > 1e-6 {
        println!("gradient check FAILED: worst relative error {worst:.3e} > 1e-6");
        std::process::exit(1);
    }
    println!("gradient check passed: worst relative error {worst:.3e} ≤ 1e-6");
    let (before, after) = train(2000)?;
    println!("trained on the sine with Adam, 2000 full-batch steps: J {before:.4} → {after:.6}");
    Ok(())
}
