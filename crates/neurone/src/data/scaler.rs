//! Feature scaling: standardisation and min-max, fitted on the training split only and then
//! applied unchanged to every split (and inverted to bring regression predictions back).

use crate::{Error, Matrix, Scalar};

/// Which scaling a [`Scaler`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalerKind {
    /// `(x − mean) / standard deviation`: zero mean, unit variance (scikit-learn's `StandardScaler`).
    Standard,
    /// `(x − min) / (max − min)`: values in [0, 1] on the fitted data (scikit-learn's `MinMaxScaler`).
    MinMax,
}

/// A fitted per-column affine map `x' = (x − offset) / scale`.
///
/// Plain data: `offsets` are the means (standard) or minima (min-max) and `scales` the standard
/// deviations or ranges of the data it was fitted on. A constant column would have a scale of
/// 0; like scikit-learn it gets a scale of 1 instead, so it is only shifted (to 0) and never
/// divided by zero.
///
/// ```
/// use neurone::{Matrix, data::Scaler};
/// let train = Matrix::from_rows(&[[1.0f64, 10.0], [3.0, 10.0]])?;
/// let scaler = Scaler::standard(&train)?;
/// assert_eq!(scaler.offsets, [2.0, 10.0]);
/// assert_eq!(scaler.scales, [1.0, 1.0]); // the constant column keeps a scale of 1
/// let scaled = scaler.transform(&train)?;
/// assert_eq!(scaled.as_slice(), &[-1.0, 0.0, 1.0, 0.0]);
/// assert_eq!(scaler.inverse_transform(&scaled)?, train);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scaler {
    /// The kind of scaling fitted.
    pub kind: ScalerKind,
    /// Subtracted from each column: its mean (standard) or minimum (min-max).
    pub offsets: Vec<f64>,
    /// Then divided into each column: its standard deviation or range, or 1 where that is 0.
    pub scales: Vec<f64>,
}

impl Scaler {
    /// Fits a scaler of `kind` to the columns of `data` (the training split).
    pub fn fit<S: Scalar>(kind: ScalerKind, data: &Matrix<S>) -> Result<Self, Error> {
        if data.rows() == 0 {
            return Err(Error::Shape("cannot fit a scaler to zero rows".into()));
        }
        if let Some(index) = data.as_slice().iter().position(|value| !value.is_finite()) {
            let (row, column) = (index / data.cols(), index % data.cols());
            return Err(Error::invalid("data", format!("the value at row {row}, column {column} is not finite")));
        }
        let columns = 0..data.cols();
        let column = |j: usize| data.iter_rows().take(data.rows()).map(move |row| row[j].to_f64());
        let (offsets, spreads): (Vec<f64>, Vec<f64>) = match kind {
            ScalerKind::Standard => columns
                .map(|j| {
                    let mean = column(j).sum::<f64>() / data.rows() as f64;
                    // Population variance (divide by n), as scikit-learn does.
                    let variance = column(j).map(|x| (x - mean).powi(2)).sum::<f64>() / data.rows() as f64;
                    (mean, variance.sqrt())
                })
                .unzip(),
            ScalerKind::MinMax => columns
                .map(|j| {
                    let min = column(j).fold(f64::INFINITY, f64::min);
                    let max = column(j).fold(f64::NEG_INFINITY, f64::max);
                    (min, max - min)
                })
                .unzip(),
        };
        let scales = spreads.into_iter().map(|spread| if spread > 0.0 { spread } else { 1.0 }).collect();
        Ok(Self { kind, offsets, scales })
    }

    /// A standardising scaler fitted to `data`.
    pub fn standard<S: Scalar>(data: &Matrix<S>) -> Result<Self, Error> {
        Self::fit(ScalerKind::Standard, data)
    }

    /// A min-max scaler fitted to `data`.
    pub fn min_max<S: Scalar>(data: &Matrix<S>) -> Result<Self, Error> {
        Self::fit(ScalerKind::MinMax, data)
    }

    /// Number of columns it scales.
    pub fn width(&self) -> usize {
        self.offsets.len()
    }

    /// `(x − offset) / scale` for every value of `data`.
    pub fn transform<S: Scalar>(&self, data: &Matrix<S>) -> Result<Matrix<S>, Error> {
        self.map(data, |x, offset, scale| (x - offset) / scale)
    }

    /// `x · scale + offset`: undoes [`transform`](Self::transform), e.g. to read regression
    /// predictions in the target's units.
    pub fn inverse_transform<S: Scalar>(&self, data: &Matrix<S>) -> Result<Matrix<S>, Error> {
        self.map(data, |x, offset, scale| x * scale + offset)
    }

    fn map<S: Scalar>(&self, data: &Matrix<S>, f: impl Fn(f64, f64, f64) -> f64) -> Result<Matrix<S>, Error> {
        if data.cols() != self.width() {
            return Err(Error::Shape(format!("a scaler fitted on {} columns given {}", self.width(), data.cols())));
        }
        let mut out = data.clone();
        let width = self.width().max(1);
        for (index, value) in out.as_mut_slice().iter_mut().enumerate() {
            let j = index % width;
            *value = S::from_f64(f(value.to_f64(), self.offsets[j], self.scales[j]));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Matrix<f64> {
        Matrix::from_rows(&[[1.0, 5.0, 7.0], [2.0, 5.0, 1.0], [6.0, 5.0, 4.0]]).unwrap()
    }

    #[test]
    fn standard_uses_the_population_deviation() {
        let scaler = Scaler::standard(&data()).unwrap();
        // Column 0: mean 3, variance (4 + 1 + 9) / 3 = 14/3. Column 2: mean 4, variance 6.
        assert_eq!(scaler.offsets, [3.0, 5.0, 4.0]);
        assert!((scaler.scales[0] - (14.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(scaler.scales[1], 1.0);
        assert!((scaler.scales[2] - 6.0f64.sqrt()).abs() < 1e-15);
        let scaled = scaler.transform(&data()).unwrap();
        for j in 0..3 {
            let column: Vec<f64> = (0..3).map(|i| scaled[(i, j)]).collect();
            let mean = column.iter().sum::<f64>() / 3.0;
            let variance = column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0;
            assert!(mean.abs() < 1e-15);
            assert!((variance - if j == 1 { 0.0 } else { 1.0 }).abs() < 1e-12);
        }
    }

    #[test]
    fn min_max_maps_the_fitted_range_to_zero_one() {
        let scaler = Scaler::min_max(&data()).unwrap();
        assert_eq!(scaler.offsets, [1.0, 5.0, 1.0]);
        assert_eq!(scaler.scales, [5.0, 1.0, 6.0]);
        let scaled = scaler.transform(&data()).unwrap();
        assert_eq!(scaled.row(0), &[0.0, 0.0, 1.0]);
        assert_eq!(scaled.row(2), &[1.0, 0.0, 0.5]);
        // Fitted on training data, applied to other data: values may leave [0, 1].
        let other = Matrix::from_rows(&[[11.0, 5.0, -2.0]]).unwrap();
        assert_eq!(scaler.transform(&other).unwrap().row(0), &[2.0, 0.0, -0.5]);
    }

    #[test]
    fn inverse_transform_restores_a_regression_target() {
        let target = Matrix::column(&[16884.92f32, 1725.55, 4449.46]);
        let scaler = Scaler::standard(&target).unwrap();
        let back = scaler.inverse_transform(&scaler.transform(&target).unwrap()).unwrap();
        for (a, b) in back.as_slice().iter().zip(target.as_slice()) {
            assert!((a - b).abs() < 1e-2, "{a} vs {b}");
        }
    }

    #[test]
    fn errors_for_empty_non_finite_or_mismatched_data() {
        assert!(Scaler::standard(&Matrix::<f32>::zeros(0, 2)).is_err());
        let error = Scaler::min_max(&Matrix::from_rows(&[[1.0f64, f64::NAN]]).unwrap()).unwrap_err();
        assert_eq!(error.to_string(), "invalid data: the value at row 0, column 1 is not finite");
        let error = Scaler::standard(&data()).unwrap().transform(&Matrix::<f64>::zeros(1, 2)).unwrap_err();
        assert_eq!(error.to_string(), "shape mismatch: a scaler fitted on 3 columns given 2");
    }
}
