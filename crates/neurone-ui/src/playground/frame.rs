//! What the page draws after each stretch of training: the output over the plane (the decision
//! boundary, or the fitted curve), each neuron's output as a heat map, the weights, the loss
//! curves, and the equations of one sample's forward and backward pass with their numbers.

use serde::Serialize;

use neurone::layer::Layer;
use neurone::{Activation, Checkpoint, Error, Loss, Matrix, Mode, Network, Rng};

use super::datasets::Problem;
use super::setup::Setup;
use super::step::{StepTrace, next_step};

/// Points per side of the grid the heat maps are computed on (points along x for a curve).
pub const GRID: usize = 40;
/// The most points of each loss curve sent: older epochs are thinned out.
const CURVE_POINTS: usize = 300;

/// One frame of the playground, serialised to JSON for the page.
#[derive(Serialize)]
pub struct Frame<'a> {
    /// Epochs trained.
    pub epoch: usize,
    /// The training samples the next epoch has stepped on so far, and of how many.
    pub epoch_samples: [usize; 2],
    /// Gradient steps taken.
    pub steps: u64,
    /// Steps per second of wall-clock time while playing, frames included.
    pub steps_per_second: f64,
    /// Whether training is running.
    pub playing: bool,
    /// J on the training points (the last epoch's mean over its batches).
    pub train_loss: Option<f64>,
    /// J on the test points.
    pub test_loss: Option<f64>,
    /// Accuracy on the test points (classification).
    pub test_accuracy: Option<f64>,
    /// `(epoch, train loss, test loss)`, thinned to at most 300 points.
    pub losses: Vec<[f64; 3]>,
    /// The grid's resolution: [`GRID`] × [`GRID`] (× 1 for a curve).
    pub grid: [usize; 2],
    /// The network's output at each grid point, row after row from the top (x₂ high) down, to
    /// three decimals.
    pub output: Vec<f32>,
    /// Each hidden neuron's output a over the grid, quantised to −100…100 (±1 and beyond
    /// clamped), layer by layer.
    pub neurons: Vec<Vec<Vec<i8>>>,
    /// W(l) of each dense layer, `outputs × inputs`, row-major.
    pub weights: Vec<&'a [f32]>,
    /// b(l) of each dense layer.
    pub biases: Vec<&'a [f32]>,
    /// One training sample's pass through the network.
    pub trace: Option<Trace>,
    /// Why training stopped, if it failed (divergence).
    pub error: Option<String>,
    /// The settings changed on the way: after which epoch, and what (`η 0.03 → 0.003`).
    pub changes: &'a [(usize, String)],
}

/// The course's equations for one sample, layer by layer, with their numbers.
#[derive(Serialize)]
pub struct Trace {
    /// Which training point.
    pub sample: usize,
    /// Its coordinates and target.
    pub point: [f64; 3],
    /// J for this sample alone.
    pub loss: f64,
    /// J's name (`binary_cross_entropy`), its formula for one sample, and δ(L)'s.
    pub objective: Objective,
    /// The dense layers, from input to output.
    pub layers: Vec<LayerTrace>,
    /// The update the next step makes, on the batch the training takes next, which may or may
    /// not hold this sample (`None` once training has diverged).
    pub step: Option<StepTrace>,
}

/// The loss in use, in the course's notation.
#[derive(Serialize)]
pub struct Objective {
    /// Its name in the library.
    pub name: String,
    /// J for one sample, of its output a and target y.
    pub formula: &'static str,
    /// δ(L) = ∂J/∂z(L) for one sample.
    pub output_delta: &'static str,
}

impl Objective {
    /// `loss` on an output layer with `activation`, as the library computes it (see
    /// [`Loss::output_delta`]: the cross-entropies and Poisson cancel σ′).
    fn of(loss: Loss, activation: Activation) -> Self {
        let (formula, output_delta) = match loss {
            Loss::MeanSquaredError => ("½ (a − y)²", "(a − y) ⊙ σ′(z)"),
            Loss::MeanAbsoluteError => ("|a − y|", "sign(a − y) ⊙ σ′(z)"),
            Loss::Huber { .. } => ("½ (a − y)² near y, linear beyond Huber's δ", "clamp(a − y, ±δ) ⊙ σ′(z)"),
            Loss::BinaryCrossEntropy => ("−[y ln a + (1 − y) ln(1 − a)]", "a − y (σ′ cancels with the sigmoid's)"),
            Loss::CategoricalCrossEntropy => ("−Σ y ln a", "a − y (σ′ cancels with the softmax's)"),
            Loss::Poisson => ("a − y ln a + y ln y − y", "a − y (σ′ cancels with eᶻ's)"),
        };
        let output_delta = match (loss, activation) {
            (Loss::MeanSquaredError, Activation::Identity) => "(a − y) ⊙ σ′(z) = a − y (σ′ = 1 for the identity)",
            _ => output_delta,
        };
        Self { name: loss.to_string(), formula, output_delta }
    }
}

/// One dense layer's part of [`Trace`].
#[derive(Serialize)]
pub struct LayerTrace {
    /// The layer's input: a(l-1), or, after batch norm or dropout, what it made of a(l-1).
    pub input: Vec<f32>,
    /// The dropout mask applied to a(l-1) in this pass, if there is one: 0 for a dropped
    /// value, 1/(1 − p) for a kept one.
    pub dropout: Option<DropoutTrace>,
    /// The batch normalisation between a(l-1) and this layer, if there is one.
    pub batch_norm: Option<BatchNormTrace>,
    /// z(l) = W(l) a(l-1) + b(l).
    pub z: Vec<f32>,
    /// a(l) = σ(z(l)).
    pub a: Vec<f32>,
    /// The name of σ.
    pub activation: String,
    /// δ(l) = ∂J/∂z(l).
    pub delta: Vec<f32>,
    /// ∂J/∂W(l) = δ(l) a(l-1)ᵀ, `outputs × inputs`.
    pub weight_gradient: Vec<f32>,
}

/// Dropout of a(l-1) in the traced pass: the layer reads a(l-1) ⊙ mask.
#[derive(Serialize)]
pub struct DropoutTrace {
    /// p, the probability of dropping a value.
    pub probability: f64,
    /// a(l-1), before the mask.
    pub input: Vec<f32>,
    /// The mask drawn for this pass.
    pub mask: Vec<f32>,
}

/// Batch normalisation of a(l-1) as the sample sees it (evaluation mode, with the running
/// statistics): â = γ (a − μ)/√(σ² + ε) + β, â being the next dense layer's input.
#[derive(Serialize)]
pub struct BatchNormTrace {
    /// a(l-1), before normalisation.
    pub input: Vec<f32>,
    /// μ, the running mean of each feature.
    pub mean: Vec<f32>,
    /// σ², the running variance of each feature.
    pub variance: Vec<f32>,
    /// γ, the learned scale.
    pub gamma: Vec<f32>,
    /// β, the learned shift.
    pub beta: Vec<f32>,
    /// ε, added to σ².
    pub epsilon: f64,
}

/// The grid's coordinates, row after row from the top down, as the network's inputs.
pub fn grid_inputs(setup: &Setup) -> Matrix<f32> {
    setup.request.feature_rows(grid_coordinates(setup.request.problem))
}

/// The points `(x₁, x₂)` of `problem`'s grid, row after row from the top down ([`GRID`] ×
/// [`GRID`], or one row for a curve, whose x₂ is 0).
pub fn grid_coordinates(problem: Problem) -> impl Iterator<Item = (f64, f64)> {
    let [(x_low, x_high), (y_low, y_high)] = problem.bounds();
    let curve = problem.is_curve();
    let rows = if curve { 1 } else { GRID };
    let at = |index: usize, count: usize, low: f64, high: f64| low + (high - low) * index as f64 / (count - 1) as f64;
    (0..rows).flat_map(move |row| {
        (0..GRID).map(move |column| {
            let x2 = if curve { 0.0 } else { at(rows - 1 - row, rows, y_low, y_high) };
            (at(column, GRID, x_low, x_high), x2)
        })
    })
}

/// The heat maps of `network` over `grid`: the output at each point, and each hidden dense
/// layer's a(l), quantised. `render` is a scratch copy of the network whose buffers are reused.
pub fn heat_maps(
    network: &Network<f32>,
    render: &mut Network<f32>,
    grid: &Matrix<f32>,
) -> (Vec<f32>, Vec<Vec<Vec<i8>>>) {
    render.clone_from(network);
    // Three decimals are more than a colour or a pixel shows, and keep the frame small.
    let output = render.forward(grid, Mode::Eval).expect("the grid has one column per feature");
    let output = output.iter().map(|&value| (value * 1000.0).round() / 1000.0).collect();
    let dense: Vec<_> = render.layers().iter().filter_map(|layer| layer.as_dense()).collect();
    let hidden = &dense[..dense.len() - 1];
    let neurons = hidden
        .iter()
        .map(|layer| {
            let width = layer.outputs();
            (0..width)
                .map(|neuron| {
                    layer.a().iter().skip(neuron).step_by(width).map(|&a| (a.clamp(-1.0, 1.0) * 100.0) as i8).collect()
                })
                .collect()
        })
        .collect();
    (output, neurons)
}

/// The forward and backward pass of the training sample `sample` (of `setup.train`): z, a, δ
/// and ∂J/∂W of every dense layer, read from the library's own layers after its passes, and
/// the next step of the training that stands at `checkpoint` (at its start, `network` and `rng`).
pub fn trace(
    network: &Network<f32>,
    checkpoint: Option<&Checkpoint<f32>>,
    rng: &Rng,
    setup: &Setup,
    sample: usize,
) -> Result<Trace, Error> {
    let sample = sample.min(setup.train.len() - 1);
    let x = Matrix::new(1, setup.train.inputs().cols(), setup.train.inputs().row(sample).to_vec())?;
    let y = Matrix::new(1, 1, setup.train.targets().row(sample).to_vec())?;
    let mut traced = network.clone();
    // A training pass, dropout masks included; with batch norm an evaluation pass, as one sample
    // alone has no batch statistics.
    let batch_norm = traced.layers().iter().any(|layer| matches!(layer, Layer::BatchNorm(_)));
    traced.forward(&x, if batch_norm { Mode::Eval } else { Mode::Train })?;
    let loss = traced.backward(&x, &y)?;
    // Each layer reads the one before's output; the dense ones are traced with what they read.
    let (mut input, mut batch_norm, mut dropout, mut layers) = (x.as_slice().to_vec(), None, None, Vec::new());
    for layer in traced.layers() {
        match layer {
            Layer::Dense(dense) => layers.push(LayerTrace {
                input: std::mem::take(&mut input),
                dropout: dropout.take(),
                batch_norm: batch_norm.take(),
                z: dense.z().to_vec(),
                a: dense.a().to_vec(),
                activation: dense.activation().to_string(),
                delta: dense.delta().to_vec(),
                weight_gradient: dense.weight_gradient().to_vec(),
            }),
            Layer::BatchNorm(norm) => {
                batch_norm = Some(BatchNormTrace {
                    input: std::mem::take(&mut input),
                    mean: norm.running_mean().to_vec(),
                    variance: norm.running_variance().to_vec(),
                    gamma: norm.gamma().to_vec(),
                    beta: norm.beta().to_vec(),
                    epsilon: norm.settings().1,
                });
            }
            Layer::Dropout(layer) => {
                dropout = Some(DropoutTrace {
                    probability: layer.probability(),
                    input: std::mem::take(&mut input),
                    mask: layer.mask().to_vec(),
                });
            }
        }
        input = layer.output().to_vec();
    }
    let point = setup.points.iter().filter(|(_, is_train)| *is_train).nth(sample).map_or([0.0; 3], |(point, _)| *point);
    let output = traced.layers().iter().rev().find_map(Layer::as_dense).expect("an output layer").activation();
    let objective = Objective::of(traced.loss(), output);
    let step = next_step(network, checkpoint, rng, setup, sample).ok();
    Ok(Trace { sample, point, loss, objective, layers, step })
}

/// The loss curves thinned to at most 300 points, the last always kept.
pub fn thinned(losses: &[[f64; 3]]) -> Vec<[f64; 3]> {
    let stride = losses.len().div_ceil(CURVE_POINTS).max(1);
    let mut points: Vec<[f64; 3]> = losses.iter().step_by(stride).copied().collect();
    if let Some(&last) = losses.last()
        && points.last() != Some(&last)
    {
        points.push(last);
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::setup::PlaygroundRequest;

    #[test]
    fn with_batch_norm_each_dense_layer_is_traced_with_the_input_it_reads() {
        let json = r#"{ "problem": "circle", "train_ratio": 0.5, "samples": 100, "seed": 2, "features": ["x1", "x2"],
            "network": { "layers": [5, 4], "batch_norm": true } }"#;
        let setup = serde_json::from_str::<PlaygroundRequest>(json).unwrap().prepare().unwrap();
        let loss = setup.request.training.loss();
        let mut network = setup.request.network.build::<f32>(2, 1, loss, &mut neurone::seeded_rng(3)).unwrap();
        // Running statistics away from μ = 0, σ² = 1, as after some training.
        for _ in 0..20 {
            network.forward(setup.train.inputs(), Mode::Train).unwrap();
        }
        let trace = trace(&network, None, &neurone::seeded_rng(4), &setup, 7).unwrap();
        let dense: Vec<_> = network.layers().iter().filter_map(|layer| layer.as_dense()).collect();
        assert_eq!(trace.layers.len(), 3);
        for (l, (step, layer)) in trace.layers.iter().zip(&dense).enumerate() {
            // z = W(l) input + b(l), with the input the trace shows.
            for (j, &z) in step.z.iter().enumerate() {
                let row = &layer.weights()[j * step.input.len()..(j + 1) * step.input.len()];
                let sum: f32 = row.iter().zip(&step.input).map(|(w, x)| w * x).sum::<f32>() + layer.bias()[j];
                assert!((sum - z).abs() < 1e-5, "layer {l}, neuron {j}: {sum} vs {z}");
            }
            // Past the first, a batch norm stands between a(l-1) and the input: â = γ (a − μ)/√(σ² + ε) + β.
            let Some(norm) = &step.batch_norm else {
                assert_eq!(l, 0, "every hidden layer is normalised");
                continue;
            };
            assert_eq!(norm.input, trace.layers[l - 1].a);
            assert_ne!(step.input, norm.input);
            for (k, &normalised) in step.input.iter().enumerate() {
                let standard = (norm.input[k] - norm.mean[k]) / (norm.variance[k] + norm.epsilon as f32).sqrt();
                let expected = norm.gamma[k] * standard + norm.beta[k];
                assert!((expected - normalised).abs() < 1e-5, "layer {l}, feature {k}: {expected} vs {normalised}");
            }
        }
    }

    #[test]
    fn with_dropout_the_traced_pass_shows_its_mask_and_the_loss_in_use() {
        let json = r#"{ "problem": "circle", "train_ratio": 0.5, "samples": 100, "seed": 2, "features": ["x1", "x2"],
            "network": { "layers": [8, 8], "dropout": 0.5 } }"#;
        let setup = serde_json::from_str::<PlaygroundRequest>(json).unwrap().prepare().unwrap();
        let network = setup
            .request
            .network
            .build::<f32>(2, 1, setup.request.training.loss(), &mut neurone::seeded_rng(3))
            .unwrap();
        let trace = trace(&network, None, &neurone::seeded_rng(4), &setup, 7).unwrap();
        assert_eq!(trace.objective.name, "binary_cross_entropy");
        assert!(trace.layers[0].dropout.is_none(), "the inputs are not dropped");
        for (l, layer) in trace.layers.iter().enumerate().skip(1) {
            let dropout = layer.dropout.as_ref().unwrap();
            assert_eq!(dropout.input, trace.layers[l - 1].a);
            assert!(dropout.mask.iter().all(|&m| m == 0.0 || m == 2.0), "{:?}", dropout.mask);
            let masked: Vec<f32> = dropout.input.iter().zip(&dropout.mask).map(|(a, m)| a * m).collect();
            assert_eq!(layer.input, masked, "layer {l} reads a(l-1) ⊙ mask");
        }
        let masks: Vec<f32> =
            trace.layers.iter().filter_map(|layer| layer.dropout.as_ref()).flat_map(|d| d.mask.clone()).collect();
        assert!(masks.contains(&0.0) && masks.contains(&2.0), "16 draws at p = 0.5 drop some and keep some: {masks:?}");
        // The step from the start: t = 1, the batch mean over the default 32 points.
        let step = trace.step.unwrap();
        assert_eq!((step.number, step.batch), (1, 32));
    }

    #[test]
    fn thinning_keeps_the_first_and_last_epochs() {
        let losses: Vec<[f64; 3]> = (1..=1000).map(|epoch| [epoch as f64, 0.0, 0.0]).collect();
        let points = thinned(&losses);
        assert!(points.len() <= CURVE_POINTS + 1);
        assert_eq!((points[0][0], points.last().unwrap()[0]), (1.0, 1000.0));
    }
}
