//! Files: models saved as safetensors (readable from Python and PyTorch), exported as ONNX
//! or as C and `no_std` Rust source,
//! and written so that a crash never leaves half of one behind.

mod architecture;
mod atomic;
mod checkpoint_format;
mod export;
mod file_kind;
mod model;
mod model_format;
mod onnx;
mod onnx_proto;
mod preprocessing_json;
pub mod run_files;
mod tensor_file;

pub use atomic::write_atomic;
pub use checkpoint_format::{CHECKPOINT_FORMAT_NAME, CHECKPOINT_FORMAT_VERSION};
pub use export::{CodeExport, Comparison};
pub use model::Model;
pub use model_format::{FORMAT_NAME, FORMAT_VERSION};
pub use onnx::ONNX_OPSET;
