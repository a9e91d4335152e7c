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
    // A NEURONE_KERNELS naming no instruction set this CPU runs fails the import with the
    // library's message, as the command line refuses to start, rather than being ignored.
    neurone::instruction_set().map_err(|error| pyo3::exceptions::PyValueError::new_err(error.to_string()))?;
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
