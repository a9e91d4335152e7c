//! Data: datasets of inputs and targets, CSV reading, splits and scalers.

mod csv;
mod dataset;
mod preprocessing;
mod scaler;
mod schema;
mod split;

pub use self::csv::{CsvData, CsvOptions, read_csv, read_csv_from};
pub use dataset::Dataset;
pub use preprocessing::Preprocessing;
pub use scaler::{Scaler, ScalerKind};
pub use schema::{Column, ColumnKind, CsvSchema, EncodedRows};
pub use split::{Fold, SplitFractions, SplitIndices, Splits, class_of_rows, k_fold, split, split_indices};
