//! Properties that hold for every network: random architectures, batch sizes, activations and
//! losses, drawn by proptest.

use neurone::data::Preprocessing;
use neurone::layer::Layer;
use neurone::{
    Activation, Dataset, Error, Loss, Matrix, Mode, Model, Network, Scalar, Sgd, Trainer, gradient_check, seeded_rng,
};
use proptest::prelude::*;

/// Activations whose derivative is continuous, so that finite differences agree with
/// backpropagation everywhere (the kinked ones are checked at fixed points in
/// `gradient_checks.rs`).
const SMOOTH: [Activation; 6] = [
    Activation::Identity,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Softplus,
    Activation::Gelu,
    Activation::Elu { alpha: 1.0 },
];

/// A network description: input width, hidden layers (width, activation), output width, the
/// output's activation and loss, and a batch size and seed.
#[derive(Debug, Clone)]
struct Case {
    inputs: usize,
    hidden: Vec<(usize, Activation)>,
    outputs: usize,
    output: (Activation, Loss),
    rows: usize,
    seed: u64,
}

impl Case {
    fn network(&self) -> Network<f64> {
        self.network_with::<f64>(false, 0.0)
    }

    /// The network in `S`, with batch normalisation and dropout after each hidden layer if asked.
    fn network_with<S: Scalar>(&self, batch_norm: bool, dropout: f64) -> Network<S> {
        let mut builder = Network::builder(self.inputs);
        for &(width, activation) in &self.hidden {
            builder = builder.dense(width, activation);
            if batch_norm {
                builder = builder.batch_norm();
            }
            if dropout > 0.0 {
                builder = builder.dropout(dropout);
            }
        }
        builder.dense(self.outputs, self.output.0).loss(self.output.1).build(&mut seeded_rng(self.seed)).unwrap()
    }

    /// Gives every batch-norm layer a scale γ ∈ ±[0.5, 1.5] and a shift β ∈ [−1, 1] drawn from
    /// the seed, so that a backward pass that ignored either would show.
    fn scatter_batch_norm(&self, network: &mut Network<f64>) {
        let batch_norm_layers: Vec<usize> =
            (0..network.layers().len()).filter(|&l| matches!(network.layers()[l], Layer::BatchNorm(_))).collect();
        let mut position = (self.seed % 1000) as f64;
        for (_, parameter) in network.parameters_mut().filter(|(layer, _)| batch_norm_layers.contains(layer)) {
            for value in parameter.value.iter_mut() {
                position += 1.0;
                let draw = (position * 1.7).sin();
                *value = if parameter.name == "weight" { draw.signum() * (0.5 + draw.abs()) } else { draw };
            }
        }
    }

    /// Inputs in [−2, 2] and targets suited to the loss.
    fn batch(&self) -> (Matrix<f64>, Matrix<f64>) {
        // The seed reduced first: a u64 as f64 is so large that adding (i + 1)·salt to it would
        // change nothing, and every row would be the same.
        let phase = (self.seed % 1000) as f64;
        let value = |i: usize, salt: f64| ((i as f64 + 1.0) * salt + phase).sin();
        let x =
            Matrix::new(self.rows, self.inputs, (0..self.rows * self.inputs).map(|i| 2.0 * value(i, 0.7)).collect());
        let y = (0..self.rows * self.outputs).map(|i| match self.output.1 {
            Loss::CategoricalCrossEntropy => f64::from(i % self.outputs == (i / self.outputs) % self.outputs),
            Loss::BinaryCrossEntropy => f64::from(value(i, 1.3) > 0.0),
            Loss::Poisson => (2.0 * value(i, 1.3)).abs().round(),
            _ => value(i, 1.3),
        });
        (x.unwrap(), Matrix::new(self.rows, self.outputs, y.collect()).unwrap())
    }
}

fn case(activations: &'static [Activation]) -> impl Strategy<Value = Case> {
    let layer = (1usize..6, proptest::sample::select(activations));
    let output = prop_oneof![
        Just((Activation::Identity, Loss::MeanSquaredError)),
        Just((Activation::Tanh, Loss::MeanSquaredError)),
        Just((Activation::Sigmoid, Loss::BinaryCrossEntropy)),
        Just((Activation::Softmax, Loss::CategoricalCrossEntropy)),
        Just((Activation::Exp, Loss::Poisson)),
    ];
    (1usize..5, proptest::collection::vec(layer, 0..3), 2usize..5, output, 1usize..8, any::<u64>())
        .prop_map(|(inputs, hidden, outputs, output, rows, seed)| Case { inputs, hidden, outputs, output, rows, seed })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn backpropagation_agrees_with_finite_differences(case in case(&SMOOTH), batch_norm in any::<bool>()) {
        let (x, y) = case.batch();
        let mut network = case.network_with::<f64>(batch_norm, 0.0);
        case.scatter_batch_norm(&mut network);
        let report = gradient_check(&network, &x, &y).unwrap();
        // Batch norm subtracts the batch mean: on a few close values that cancels digits which
        // finite differences then miss (errors up to about 1e-5 on the layer below). A backward
        // pass that is wrong, not merely rounded, is off by far more.
        let tolerance = if batch_norm { 1e-4 } else { 1e-6 };
        prop_assert!(report.max_relative_error() < tolerance, "{case:?}: {report:?}");
    }

    #[test]
    fn outputs_have_one_row_per_sample_and_predict_is_deterministic(case in case(&Activation::ALL)) {
        let mut network = case.network();
        let (x, _) = case.batch();
        let first = network.predict(&x).unwrap();
        prop_assert_eq!(first.shape(), (case.rows, case.outputs));
        let again = network.predict(&x).unwrap();
        prop_assert!(first.as_slice().iter().zip(again.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits()));
        let forward = network.forward(&x, Mode::Eval).unwrap();
        prop_assert_eq!(forward.len(), case.rows * case.outputs);
        // (At one row, forward takes training's one-sample pass, predict the products.)
        prop_assert!(forward.iter().zip(first.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits()));
        if case.rows == 1 {
            // One sample has the bits it has in a batch.
            let twice = Matrix::new(2, case.inputs, [x.as_slice(), x.as_slice()].concat()).unwrap();
            let batch = network.predict(&twice).unwrap();
            prop_assert!(batch.row(0).iter().zip(first.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    #[test]
    fn save_load_predict_is_bitwise_identical(case in case(&Activation::ALL), batch_norm in any::<bool>(), dropout in prop_oneof![Just(0.0), Just(0.3)]) {
        save_load_predict::<f32>(&case, batch_norm, dropout)?;
        save_load_predict::<f64>(&case, batch_norm, dropout)?;
    }
}

/// Trains the case's network a little (so that weights and batch-normalisation statistics are
/// not their initial values), saves it to bytes, loads it back, and compares predictions bit
/// for bit.
fn save_load_predict<S: Scalar>(case: &Case, batch_norm: bool, dropout: f64) -> Result<(), TestCaseError> {
    let mut network = case.network_with::<S>(batch_norm, dropout);
    let (x, y) = case.batch();
    let (x, y) = (x.cast::<S>(), y.cast::<S>());
    let data = Dataset::new(x.clone(), y).unwrap();
    let mut trainer = Trainer::new(Sgd::default()).learning_rate(0.01).epochs(2).batch_size(case.rows.max(2));
    match trainer.fit(&mut network, &data, None, &mut seeded_rng(case.seed)) {
        Ok(_) => {}
        Err(Error::Diverged { .. }) => return Ok(()), // nothing to save
        Err(error) => return Err(TestCaseError::fail(format!("{case:?}: {error}"))),
    }
    let model = Model::new(network, Preprocessing::default());
    let loaded = Model::<S>::from_bytes(&model.to_bytes().unwrap(), "model.safetensors").unwrap();
    prop_assert_eq!(loaded.to_bytes().unwrap(), model.to_bytes().unwrap());
    let (expected, actual) = (model.predict(&x).unwrap(), loaded.predict(&x).unwrap());
    prop_assert!(
        expected.as_slice().iter().zip(actual.as_slice()).all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits()),
        "{case:?}: {:?} ≠ {:?}",
        expected.as_slice(),
        actual.as_slice()
    );
    Ok(())
}
