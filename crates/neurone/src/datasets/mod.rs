//! Ready-made datasets: the course's generated problems (sine, XOR), iris embedded in the
//! library, and real datasets (insurance, MNIST) read from a data folder and downloaded into it
//! when missing.

#[cfg(feature = "download")]
mod http;
mod idx;
mod insurance;
mod iris;
mod mnist;
mod sine;
mod source;
mod xor;

#[cfg(feature = "download")]
pub use http::HttpFetch;
pub use idx::{read_idx, read_idx_from};
pub use insurance::{insurance, insurance_file};
pub use iris::{IRIS_CSV, iris};
pub use mnist::{Mnist, MnistPart, check_mnist_part, mnist, mnist_files, mnist_part};
pub use sine::{sine, sine_grid};
pub use source::{DataSource, DownloadEvent, Fetch, LoadedFile, RemoteFile, default_folder};
pub use xor::xor;
