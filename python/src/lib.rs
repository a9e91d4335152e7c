//! `neurone._engine`: the library's networks, training and model files for the Python
//! package. This layer only converts: numpy arrays to and from the library's matrices, the
//! estimators' JSON descriptions to the spec types, the library's errors to Python exceptions.
//! Every option, default and check stays in the library.

mod arrays;
mod engine;
mod errors;
mod interrupt;
mod state;

use pyo3::prelude::*;

#[pymodule]
fn _engine(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<engine::Engine>()?;
    module.add_function(wrap_pyfunction!(set_threads, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// Sets the number of threads the library's large matrix products use (at least 1); results
/// are the same bits whatever the number.
#[pyfunction]
fn set_threads(threads: usize) {
    neurone::set_threads(threads);
}
