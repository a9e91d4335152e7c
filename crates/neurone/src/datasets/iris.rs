//! Fisher's iris, embedded in the library: 150 flowers, 4 measurements, 3 species.

use crate::Scalar;
use crate::data::{CsvData, CsvOptions, read_csv_from};

/// The embedded `iris.csv`: header `sepal_length,sepal_width,petal_length,petal_width,species`,
/// 150 rows (50 per species), Fisher's values in cm.
pub const IRIS_CSV: &str = include_str!("../../data/iris.csv");

/// Fisher's iris as a classification dataset: four measurements as inputs, the species
/// (`setosa`, `versicolor`, `virginica`) as one-hot targets, with the schema that encodes new
/// flowers the same way.
///
/// ```
/// let iris = neurone::datasets::iris::<f32>();
/// assert_eq!(iris.dataset.inputs().shape(), (150, 4));
/// assert_eq!(iris.dataset.class_names().unwrap(), ["setosa", "versicolor", "virginica"]);
/// assert_eq!(iris.dataset.targets().row(0), &[1.0, 0.0, 0.0]);
/// ```
pub fn iris<S: Scalar>() -> CsvData<S> {
    read_csv_from(IRIS_CSV.as_bytes(), "iris.csv (embedded)", &CsvOptions::new("species"))
        .expect("the embedded iris.csv is well-formed (checked by the tests)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_flowers_per_species_with_fishers_first_and_last_rows() {
        let iris = iris::<f64>();
        let targets = iris.dataset.targets();
        for class in 0..3 {
            assert_eq!(targets.iter_rows().filter(|row| row[class] == 1.0).count(), 50);
        }
        assert_eq!(iris.dataset.inputs().row(0), &[5.1, 3.5, 1.4, 0.2]);
        assert_eq!(iris.dataset.inputs().row(149), &[5.9, 3.0, 5.1, 1.8]);
        assert_eq!(targets.row(149), &[0.0, 0.0, 1.0]);
        assert_eq!(iris.schema.input_names(), ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    }
}
