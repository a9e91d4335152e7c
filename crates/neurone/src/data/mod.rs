//! Data: datasets of inputs and targets (owned, or borrowed as views), CSV reading, missing
//! values, splits, scalers, classes as rows, and sparse rows.

mod classes;
mod csv;
mod dataset;
mod imputer;
mod missing;
mod preprocessing;
mod scaler;
mod schema;
mod sparse;
mod split;
mod view;

pub use self::csv::{CsvData, CsvOptions, read_csv, read_csv_from};
pub use classes::{class_of_rows, predicted_class};
pub use dataset::Dataset;
pub use imputer::Imputer;
pub use missing::{MISSING_MARKERS, MissingCount, MissingValues, is_missing};
pub use preprocessing::Preprocessing;
pub use scaler::{Scaler, ScalerKind};
pub use schema::{Column, ColumnKind, CsvSchema, EncodedRows};
pub(crate) use sparse::SparseBuffers;
pub use sparse::SparseRows;
pub use split::{Fold, SplitFractions, SplitIndices, Splits, k_fold, split, split_indices, split_owned};
pub(crate) use view::copy_row;
pub use view::{DatasetView, Inputs};
