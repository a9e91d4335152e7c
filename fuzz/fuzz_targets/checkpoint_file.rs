//! Bytes → `Checkpoint::from_bytes`, as f32 and as f64: an error or a checkpoint, never a panic,
//! a hang or an allocation beyond the input's size. A checkpoint that loads must save again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurone::Checkpoint;

fuzz_target!(|data: &[u8]| {
    if let Ok(checkpoint) = Checkpoint::<f32>::from_bytes(data, "fuzz.safetensors") {
        let _ = checkpoint.to_bytes().expect("a loaded checkpoint encodes");
    }
    let _ = Checkpoint::<f64>::from_bytes(data, "fuzz.safetensors");
});
