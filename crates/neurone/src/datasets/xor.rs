//! The four points of XOR, the classic problem a single-layer perceptron cannot solve.

use crate::{Dataset, Matrix, Scalar};

/// The XOR truth table: inputs (0,0), (0,1), (1,0), (1,1) with targets 0, 1, 1, 0 (one column,
/// for a sigmoid output).
///
/// ```
/// let xor = neurone::datasets::xor::<f32>();
/// assert_eq!(xor.inputs().row(2), &[1.0, 0.0]);
/// assert_eq!(xor.targets().as_slice(), &[0.0, 1.0, 1.0, 0.0]);
/// ```
pub fn xor<S: Scalar>() -> Dataset<S> {
    let (zero, one) = (S::ZERO, S::ONE);
    let inputs = Matrix::from_rows(&[[zero, zero], [zero, one], [one, zero], [one, one]]).expect("rows of two");
    let targets = Matrix::column(&[zero, one, one, zero]);
    Dataset::new(inputs, targets)
        .and_then(|data| data.with_feature_names(["x1", "x2"]))
        .expect("four inputs, four targets, two names")
}
