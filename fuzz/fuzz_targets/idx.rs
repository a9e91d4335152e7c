//! Bytes → an IDX images file and an IDX labels file (split where the first byte says, over
//! the rest), plain or gzipped → `read_idx_from`: an error or a dataset, never a panic or an
//! allocation beyond what the bytes hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurone::datasets::read_idx_from;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    // The labels take the last `split` bytes (an MNIST labels file is short), the images the rest.
    let split = rest.len().saturating_sub(usize::from(split));
    let (images, labels) = rest.split_at(split);
    if let Ok(dataset) = read_idx_from::<f32>(images, "images", labels, "labels") {
        assert_eq!(dataset.inputs().rows(), dataset.targets().rows());
    }
});
