//! Filling in missing inputs, as scikit-learn's `SimpleImputer`: the mean of a numeric column,
//! the most frequent category of a categorical one, fitted on the training split only.

use super::{ColumnKind, CsvSchema};
use crate::{Error, Matrix, Scalar};

/// The value each encoded input takes where it is missing (NaN).
///
/// A missing category is encoded as NaN in every one-hot input of its column; the fill of
/// those inputs is the one-hot code of the column's most frequent category, so that a filled
/// row is encoded exactly as a row holding that category.
///
/// ```
/// use neurone::data::{Column, ColumnKind, CsvSchema, Imputer};
/// use neurone::Matrix;
/// let schema = CsvSchema {
///     features: vec![
///         Column { name: "age".into(), kind: ColumnKind::Numeric },
///         Column { name: "smoker".into(), kind: ColumnKind::Categorical { categories: vec!["no".into(), "yes".into()] } },
///     ],
///     target: Column { name: "charges".into(), kind: ColumnKind::Numeric },
/// };
/// let nan = f64::NAN;
/// let train = Matrix::from_rows(&[[20.0, 1.0, 0.0], [40.0, nan, nan], [nan, 1.0, 0.0], [30.0, 0.0, 1.0]])?;
/// let imputer = Imputer::fit(&schema, &train)?;
/// assert_eq!(imputer.fills, [30.0, 1.0, 0.0]); // mean age, most frequent: "no"
/// assert_eq!(imputer.transform(&train)?.row(1), &[40.0, 1.0, 0.0]);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Imputer {
    /// One value per encoded input, in the network's input order.
    pub fills: Vec<f64>,
}

impl Imputer {
    /// Fits the fills on `inputs` (the training split, encoded with `schema`, NaN where a value
    /// is missing). A column with no value at all in the training split is an error.
    pub fn fit<S: Scalar>(schema: &CsvSchema, inputs: &Matrix<S>) -> Result<Self, Error> {
        if inputs.cols() != schema.input_width() {
            return Err(Error::Shape(format!(
                "the imputer's schema has {} inputs, the data {}",
                schema.input_width(),
                inputs.cols()
            )));
        }
        let mut fills = Vec::with_capacity(inputs.cols());
        let mut start = 0;
        for column in &schema.features {
            let width = column.width();
            // A row's value is present when its first encoded input is (missing ones are NaN throughout).
            let present =
                || inputs.iter_rows().map(|row| &row[start..start + width]).filter(|v| !v[0].to_f64().is_nan());
            let count = present().count();
            if count == 0 {
                return Err(Error::invalid(
                    "missing",
                    format!("column `{}` has no value in the training split to impute from", column.name),
                ));
            }
            match &column.kind {
                ColumnKind::Numeric => fills.push(present().map(|v| v[0].to_f64()).sum::<f64>() / count as f64),
                ColumnKind::Categorical { .. } => {
                    let mut counts = vec![0.0; width];
                    for values in present() {
                        counts.iter_mut().zip(values).for_each(|(count, value)| *count += value.to_f64());
                    }
                    // Ties go to the first category in sorted order, as scikit-learn's `most_frequent`.
                    let most =
                        (0..width).fold(0, |best, index| if counts[index] > counts[best] { index } else { best });
                    fills.extend((0..width).map(|index| if index == most { 1.0 } else { 0.0 }));
                }
            }
            start += width;
        }
        Ok(Self { fills })
    }

    /// `inputs` with every NaN replaced by its input's fill.
    pub fn transform<S: Scalar>(&self, inputs: &Matrix<S>) -> Result<Matrix<S>, Error> {
        if inputs.cols() != self.fills.len() {
            return Err(Error::Shape(format!(
                "the imputer fills {} inputs, the data has {}",
                self.fills.len(),
                inputs.cols()
            )));
        }
        let fills: Vec<S> = self.fills.iter().map(|&fill| S::from_f64(fill)).collect();
        let values = inputs
            .iter_rows()
            .flat_map(|row| {
                row.iter().zip(&fills).map(|(&value, &fill)| if value.to_f64().is_nan() { fill } else { value })
            })
            .collect();
        Matrix::new(inputs.rows(), inputs.cols(), values)
    }

    /// The number of inputs it fills in.
    pub fn width(&self) -> usize {
        self.fills.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    fn schema() -> CsvSchema {
        let categories = vec!["a".into(), "b".into(), "c".into()];
        CsvSchema {
            features: vec![
                Column { name: "x".into(), kind: ColumnKind::Numeric },
                Column { name: "k".into(), kind: ColumnKind::Categorical { categories } },
            ],
            target: Column { name: "y".into(), kind: ColumnKind::Numeric },
        }
    }

    #[test]
    fn means_and_most_frequent_categories_ignore_the_missing_rows() {
        let nan = f32::NAN;
        let inputs = Matrix::from_rows(&[
            [1.0, 0.0, 0.0, 1.0],
            [nan, 0.0, 0.0, 1.0],
            [4.0, nan, nan, nan],
            [1.0, 1.0, 0.0, 0.0],
        ])
        .unwrap();
        let imputer = Imputer::fit(&schema(), &inputs).unwrap();
        assert_eq!(imputer.fills, [2.0, 0.0, 0.0, 1.0]);
        let filled = imputer.transform(&inputs).unwrap();
        assert_eq!(filled.row(1), &[2.0, 0.0, 0.0, 1.0]);
        assert_eq!(filled.row(2), &[4.0, 0.0, 0.0, 1.0]);
        assert_eq!(filled.row(3), inputs.row(3), "present values are left as they are");
    }

    #[test]
    fn ties_go_to_the_first_category_and_an_empty_column_is_an_error() {
        let inputs = Matrix::from_rows(&[[1.0f64, 0.0, 1.0, 0.0], [2.0, 1.0, 0.0, 0.0]]).unwrap();
        assert_eq!(Imputer::fit(&schema(), &inputs).unwrap().fills, [1.5, 1.0, 0.0, 0.0]);
        let nan = f64::NAN;
        let inputs = Matrix::from_rows(&[[nan, 0.0, 1.0, 0.0]]).unwrap();
        let error = Imputer::fit(&schema(), &inputs).unwrap_err();
        assert_eq!(error.to_string(), "invalid missing: column `x` has no value in the training split to impute from");
        assert!(Imputer::fit(&schema(), &Matrix::<f64>::zeros(1, 3)).is_err());
    }
}
