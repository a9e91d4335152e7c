//! Data: datasets of inputs and targets, CSV reading, splits and scalers.

mod csv;
mod dataset;
mod schema;

pub use self::csv::{CsvData, CsvOptions, read_csv, read_csv_from};
pub use dataset::Dataset;
pub use schema::{Column, ColumnKind, CsvSchema, EncodedRows};
