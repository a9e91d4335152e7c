//! Files: models saved as safetensors (readable from Python and PyTorch), exported as ONNX,
//! and written so that a crash never leaves half of one behind.

mod architecture;
mod atomic;
mod checkpoint_file;
mod model;
mod model_file;
mod onnx;
mod onnx_proto;
mod preprocessing_json;
mod tensor_file;

pub use atomic::write_atomic;
pub use checkpoint_file::{CHECKPOINT_FORMAT_NAME, CHECKPOINT_FORMAT_VERSION};
pub use model::Model;
pub use model_file::{FORMAT_NAME, FORMAT_VERSION};
pub use onnx::ONNX_OPSET;
