//! Bytes → `Model::from_bytes`, as f32 and as f64: an error or a model, never a panic, a hang
//! or an allocation beyond the input's size. A model that loads must predict one row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurone::{Matrix, Model};

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::<f32>::from_bytes(data, "fuzz.safetensors") {
        let width = model.network.inputs();
        let _ = model.predict(&Matrix::new(1, width, vec![0.5; width]).expect("a 1-row matrix"));
    }
    let _ = Model::<f64>::from_bytes(data, "fuzz.safetensors");
});
