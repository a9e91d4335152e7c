//! Files: models saved as safetensors (readable from Python and PyTorch), exported as ONNX,
//! and written so that a crash never leaves half of one behind.

mod architecture;
mod atomic;
mod model;
mod model_file;
mod onnx;
mod onnx_proto;
mod preprocessing_json;
mod tensor_file;

pub use atomic::write_atomic;
pub use model::Model;
pub use model_file::{FORMAT_NAME, FORMAT_VERSION};
pub use onnx::ONNX_OPSET;
