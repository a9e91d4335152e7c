//! The workbench: pieces written outside the crate (`crates/neurone/examples/silu.rs`, a SiLU
//! activation and the course's squared error) pass `gradient_check`, and the two mistakes the
//! guide makes on purpose fail it, each in the way the guide explains.

#[path = "../examples/silu.rs"]
mod silu;

use neurone::layer::Dense;
use neurone::workbench::Sequential;
use neurone::{Activation, Init, Matrix, Network, gradient_check, seeded_rng};
use silu::{HalfSquaredError, check};

#[test]
fn silu_and_the_squared_error_written_outside_the_crate_pass_the_gradient_check() {
    let report = check(false, false).unwrap();
    assert_eq!(report.tensors.len(), 6, "three dense layers, weight and bias each");
    assert!(report.max_relative_error() < 1e-6, "{report}");
}

#[test]
fn the_slope_taken_at_a_instead_of_z_fails_below_the_first_silu() {
    let report = check(true, false).unwrap();
    for tensor in &report.tensors {
        // Layer 4, the output layer, sits above every SiLU: its gradient never meets σ'.
        let wrong = tensor.layer < 4;
        assert_eq!(tensor.max_relative_error > 0.1, wrong, "{report}");
        assert_eq!(tensor.max_relative_error < 1e-6, !wrong, "{report}");
    }
}

#[test]
fn the_gradient_without_the_1_over_n_is_n_times_too_large_everywhere() {
    let report = check(false, true).unwrap();
    // 8 samples: the analytic gradient is 8 times the numeric one, |8g − g| / 8g = 7/8.
    for tensor in &report.tensors {
        assert!((tensor.max_relative_error - 7.0 / 8.0).abs() < 1e-6, "{report}");
    }
}

#[test]
fn neurones_dense_layers_as_pieces_give_the_networks_gradients() {
    let mut network: Network<f64> = Network::builder(3)
        .dense(4, Activation::Tanh)
        .dense(2, Activation::Identity)
        .build(&mut seeded_rng(5))
        .unwrap();
    let layer = |index: usize| network.layers()[index].as_dense().unwrap().clone();
    let mut pieces =
        Sequential::new(3, HalfSquaredError { no_mean: false }).then(layer(0)).unwrap().then(layer(1)).unwrap();
    let x = Matrix::from_rows(&[[0.5, -1.0, 2.0], [0.1, 0.3, -0.7], [1.5, 0.0, 0.2]]).unwrap();
    let y = Matrix::from_rows(&[[1.0, 0.0], [-1.0, 0.5], [0.2, 0.2]]).unwrap();
    let from_pieces = pieces.compute_gradients(&x, &y).unwrap();
    let from_network = network.compute_gradients(&x, &y).unwrap();
    assert!((from_pieces - from_network).abs() < 1e-12, "J: {from_pieces} vs {from_network}");
    let gradients: Vec<Vec<f64>> = pieces.parameters_mut().into_iter().map(|(_, p)| p.gradient.to_vec()).collect();
    let expected: Vec<Vec<f64>> = network.parameters().map(|(_, p)| p.gradient.to_vec()).collect();
    assert_eq!(gradients.len(), expected.len());
    for (gradient, expected) in gradients.iter().zip(&expected) {
        assert!(gradient.iter().zip(expected).all(|(g, e)| (g - e).abs() < 1e-12), "{gradient:?} vs {expected:?}");
    }
    assert!(gradient_check(&pieces, &x, &y).unwrap().max_relative_error() < 1e-6);
}

#[test]
fn the_pieces_learn_the_sine() {
    let (before, after) = silu::train(300).unwrap();
    assert!(after < before / 10.0, "J {before} → {after}");
}

#[test]
fn a_piece_that_does_not_fit_and_targets_of_the_wrong_shape_are_errors() {
    let dense = Dense::new(3, 1, Activation::Identity, Init::Zeros, Init::Zeros, &mut seeded_rng(0));
    let error = Sequential::new(2, HalfSquaredError { no_mean: false }).then(dense).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid layers[0]: dense identity: shape mismatch: a dense layer taking 3 values cannot follow a width of 2"
    );
    let mut network =
        silu::sine_network(silu::Silu { slope_of_a: false }, HalfSquaredError { no_mean: false }, 0).unwrap();
    let error = network.compute_gradients(&Matrix::column(&[1.0, 2.0]), &Matrix::column(&[1.0])).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch: the targets are 1×1, the network needs 2×1");
    let error = network.forward(&Matrix::zeros(2, 3)).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch: the inputs have 3 columns, the network takes 1");
}

/// The table the guide quotes after `command`, in `guide`: the indented lines from `tensor` on,
/// up to the verdict.
fn quoted_table(guide: &str, command: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs").join(guide))
        .unwrap();
    let after =
        text.split_once(&format!("    {command}\n")).unwrap_or_else(|| panic!("{guide} does not run `{command}`")).1;
    let lines = after
        .lines()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .skip_while(|line| !line.starts_with("tensor"));
    lines
        .take_while(|line| line.starts_with("tensor") || line.starts_with("layers."))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn the_guides_quote_the_tables_the_example_prints() {
    let example = "cargo run --release -p neurone --example silu";
    for guide in ["guide.md", "guide.fr.md"] {
        for (arguments, slope_of_a, no_mean) in
            [("", false, false), (" -- slope-of-a", true, false), (" -- no-mean", false, true)]
        {
            let printed = check(slope_of_a, no_mean).unwrap().to_string();
            assert_eq!(quoted_table(guide, &format!("{example}{arguments}")), printed, "{guide}, {arguments}");
        }
    }
}
