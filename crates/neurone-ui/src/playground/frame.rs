//! What the page draws after each stretch of training: the output over the plane (the decision
//! boundary, or the fitted curve), each neuron's output as a heat map, the weights, the loss
//! curves, and the equations of one sample's forward and backward pass with their numbers.

use serde::Serialize;

use neurone::{Error, Matrix, Mode, Network};

use super::setup::Setup;

/// Points per side of the grid the heat maps are computed on (points along x for a curve).
pub const GRID: usize = 40;
/// The most points of each loss curve sent: older epochs are thinned out.
const CURVE_POINTS: usize = 300;

/// One frame of the playground, serialised to JSON for the page.
#[derive(Serialize)]
pub struct Frame<'a> {
    /// Epochs trained.
    pub epoch: usize,
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
    /// The dense layers, from input to output.
    pub layers: Vec<LayerTrace>,
}

/// One dense layer's part of [`Trace`].
#[derive(Serialize)]
pub struct LayerTrace {
    /// a(l-1), the layer's input.
    pub input: Vec<f32>,
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

/// The grid's coordinates, row after row from the top down, as the network's inputs.
pub fn grid_inputs(setup: &Setup) -> Matrix<f32> {
    let [(x_low, x_high), (y_low, y_high)] = setup.request.problem.bounds();
    let curve = setup.request.problem.is_curve();
    let rows = if curve { 1 } else { GRID };
    let at = |index: usize, count: usize, low: f64, high: f64| low + (high - low) * index as f64 / (count - 1) as f64;
    let coordinates = (0..rows).flat_map(move |row| {
        (0..GRID).map(move |column| {
            let x2 = if curve { 0.0 } else { at(rows - 1 - row, rows, y_low, y_high) };
            (at(column, GRID, x_low, x_high), x2)
        })
    });
    setup.request.feature_rows(coordinates)
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
/// and ∂J/∂W of every dense layer, read from the library's own layers after its passes.
pub fn trace(network: &Network<f32>, setup: &Setup, sample: usize) -> Result<Trace, Error> {
    let sample = sample.min(setup.train.len() - 1);
    let x = Matrix::new(1, setup.train.inputs().cols(), setup.train.inputs().row(sample).to_vec())?;
    let y = Matrix::new(1, 1, setup.train.targets().row(sample).to_vec())?;
    let mut network = network.clone();
    network.forward(&x, Mode::Eval)?;
    let loss = network.backward(&x, &y)?;
    let mut input = x.as_slice().to_vec();
    let mut layers = Vec::new();
    for layer in network.layers().iter().filter_map(|layer| layer.as_dense()) {
        layers.push(LayerTrace {
            input: std::mem::take(&mut input),
            z: layer.z().to_vec(),
            a: layer.a().to_vec(),
            activation: layer.activation().to_string(),
            delta: layer.delta().to_vec(),
            weight_gradient: layer.weight_gradient().to_vec(),
        });
        input = layer.a().to_vec();
    }
    let point = setup.points.iter().filter(|(_, is_train)| *is_train).nth(sample).map_or([0.0; 3], |(point, _)| *point);
    Ok(Trace { sample, point, loss, layers })
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

    #[test]
    fn thinning_keeps_the_first_and_last_epochs() {
        let losses: Vec<[f64; 3]> = (1..=1000).map(|epoch| [epoch as f64, 0.0, 0.0]).collect();
        let points = thinned(&losses);
        assert!(points.len() <= CURVE_POINTS + 1);
        assert_eq!((points[0][0], points.last().unwrap()[0]), (1.0, 1000.0));
    }
}
