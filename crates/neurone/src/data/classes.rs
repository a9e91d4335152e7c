//! Classes as rows: the class a row of network outputs predicts, and the class each row of
//! one-hot targets stands for.

use crate::{Error, Matrix, Scalar};

/// The class a row of outputs predicts: the column of the largest value (the first on a tie),
/// or for a single column (a sigmoid's probability of class 1), class 1 from ½ up.
///
/// Rows of probabilities, scores and one-hot targets alike; a NaN is never the largest.
///
/// ```
/// use neurone::data::predicted_class;
/// assert_eq!(predicted_class(&[0.1f32, 0.7, 0.2]), 1);
/// assert_eq!(predicted_class(&[0.5f64, 0.5]), 0);
/// assert_eq!(predicted_class(&[0.5f32]), 1);
/// ```
pub fn predicted_class<S: Scalar>(row: &[S]) -> usize {
    if let [probability_of_one] = row {
        return usize::from(probability_of_one.to_f64() >= 0.5);
    }
    (1..row.len()).fold(0, |best, class| if row[class] > row[best] { class } else { best })
}

/// The class of each row of one-hot `targets` (the column holding the 1); for a single
/// column of 0/1 values, the value itself. Anything else is an error.
pub fn class_of_rows<S: Scalar>(targets: &Matrix<S>) -> Result<Vec<usize>, Error> {
    targets
        .iter_rows()
        .take(targets.rows())
        .enumerate()
        .map(|(row, values)| {
            // A one-hot row's 1 is its largest value: the class is the predicted one, provided
            // the row is exactly that one-hot.
            let class = predicted_class(values);
            let one_hot = match values {
                [value] => *value == S::ZERO || *value == S::ONE,
                _ => values
                    .iter()
                    .enumerate()
                    .all(|(column, &value)| value == if column == class { S::ONE } else { S::ZERO }),
            };
            if !one_hot {
                return Err(Error::invalid(
                    "targets",
                    format!("row {row} is not a one-hot class (one 1, zeros elsewhere) or a 0/1 value"),
                ));
            }
            Ok(class)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predicted_class_is_the_first_largest_or_a_sigmoid_from_one_half() {
        assert_eq!(predicted_class(&[0.1f64, 0.2, 0.7]), 2);
        assert_eq!(predicted_class(&[0.4f64, 0.4, 0.2]), 0, "a tie goes to the first");
        assert_eq!(predicted_class(&[f32::NAN, 0.3, 0.2]), 0, "comparisons with NaN are false");
        assert_eq!(predicted_class(&[0.2f64, f64::NAN, 0.9]), 2);
        assert_eq!(predicted_class(&[0.49f32]), 0);
        assert_eq!(predicted_class(&[0.5f32]), 1);
        assert_eq!(predicted_class(&[f64::NAN]), 0);
        assert_eq!(predicted_class::<f64>(&[]), 0);
    }

    #[test]
    fn classes_from_one_hot_rows_or_a_binary_column() {
        let one_hot = Matrix::from_rows(&[[0.0f32, 1.0, 0.0], [1.0, 0.0, 0.0]]).unwrap();
        assert_eq!(class_of_rows(&one_hot).unwrap(), [1, 0]);
        assert_eq!(class_of_rows(&Matrix::column(&[1.0f64, 0.0])).unwrap(), [1, 0]);
        let soft = Matrix::from_rows(&[[0.5f32, 0.5]]).unwrap();
        assert_eq!(
            class_of_rows(&soft).unwrap_err().to_string(),
            "invalid targets: row 0 is not a one-hot class (one 1, zeros elsewhere) or a 0/1 value"
        );
        for not_a_class in [[2.0f32, 0.0], [1.0, 1.0], [0.0, 0.0], [f32::NAN, 1.0], [1.0, 0.5]] {
            assert!(class_of_rows(&Matrix::from_rows(&[not_a_class]).unwrap()).is_err(), "{not_a_class:?}");
        }
        assert!(class_of_rows(&Matrix::column(&[2.0f32])).is_err());
        assert!(class_of_rows(&Matrix::column(&[0.5f32])).is_err());
    }
}
