//! Data: datasets of inputs and targets.

mod dataset;

pub use dataset::Dataset;
