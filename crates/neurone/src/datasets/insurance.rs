//! Medical insurance charges (regression): age, sex, BMI, children, smoker, region → charges.

use super::{DataSource, RemoteFile};
use crate::data::{CsvData, CsvOptions, read_csv_from};
use crate::{Error, Scalar};

/// The insurance file: 1338 rows, from the book "Machine Learning with R" (Brett Lantz).
pub fn insurance_file() -> RemoteFile {
    RemoteFile {
        name: "insurance.csv".into(),
        url: "https://raw.githubusercontent.com/stedy/Machine-Learning-with-R-datasets/master/insurance.csv".into(),
        sha256: "505c1cbc2e63d0363bac59501563df2530aadf4cdb9cfee226f4ef32f5468281".into(),
        size: 54288,
        gzipped: false,
    }
}

/// The insurance dataset from `source`, `charges` (USD) as the regression target: inputs
/// `age`, `sex` (2 one-hot columns), `bmi`, `children`, `smoker` (2), `region` (4), 11 in all.
///
/// ```no_run
/// use neurone::datasets::{DataSource, insurance};
/// let data = insurance::<f32>(&DataSource::from_env()?)?;
/// assert_eq!(data.dataset.inputs().shape(), (1338, 11));
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn insurance<S: Scalar>(source: &DataSource) -> Result<CsvData<S>, Error> {
    let file = source.load(&insurance_file())?;
    read_csv_from(file.bytes.as_slice(), &file.path, &CsvOptions::new("charges"))
}
