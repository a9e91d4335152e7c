//! The course's problems as ready-made datasets.

mod sine;

pub use sine::{sine, sine_grid};
