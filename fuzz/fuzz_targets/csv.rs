//! Bytes → CSV dataset with target column `y` (the second half, after the first NUL byte, is
//! encoded with the fitted schema, as `neurone predict` does with new rows): an error or a
//! dataset, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurone::data::{CsvOptions, read_csv_from};

fuzz_target!(|data: &[u8]| {
    let (train, new) = match data.iter().position(|&byte| byte == 0) {
        Some(split) => (&data[..split], Some(&data[split + 1..])),
        None => (data, None),
    };
    // The first byte's low bit treats the target as categorical (classification).
    let mut options = CsvOptions::new("y");
    if train.first().is_some_and(|byte| byte & 1 == 1) {
        options = options.categorical(["y"]);
    }
    if let Ok(read) = read_csv_from::<f32>(train, "fuzz.csv", &options) {
        assert_eq!(read.dataset.inputs().rows(), read.dataset.targets().rows());
        if let Some(new) = new {
            let _ = read.schema.encode_reader::<f32>(new, "new.csv");
        }
    }
});
