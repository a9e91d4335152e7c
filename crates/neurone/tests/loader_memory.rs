//! No input can make a loader allocate far beyond its file's size: headers that announce
//! billions of images or absurd tensor shapes, gzip streams that inflate past what their header
//! says, and CSV files whose one-hot encoding would explode are refused before the allocation.
//!
//! A counting allocator measures the peak of live bytes on the test's thread while each loader
//! runs; it must stay within a small multiple of the input's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use neurone::data::{CsvOptions, read_csv_from};
use neurone::datasets::read_idx_from;
use neurone::{Activation, Model, Network, seeded_rng};

/// The system allocator, keeping each thread's live and peak bytes.
struct Measuring;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + bytes);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

fn shrink(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        shrink(layout.size());
        grow(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Measuring = Measuring;

/// The most bytes live at once on this thread while `run` runs, beyond those live before.
fn peak_bytes<T>(run: impl FnOnce() -> T) -> (usize, T) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let result = run();
    (PEAK.with(Cell::get) - before, result)
}

/// Fails unless `run` errs with `fragment` and its peak stays under `factor` × `input` bytes
/// plus 1 MiB (for the loaders' fixed costs).
fn refused_within<T>(input: usize, factor: usize, fragment: &str, run: impl FnOnce() -> Result<T, neurone::Error>) {
    let (peak, result) = peak_bytes(run);
    let message = match result {
        Ok(_) => panic!("accepted; expected an error with {fragment:?}"),
        Err(error) => error.to_string(),
    };
    assert!(message.contains(fragment), "expected {fragment:?} in {message}");
    let limit = factor * input + (1 << 20);
    assert!(peak <= limit, "{message}: a peak of {peak} bytes for an input of {input} bytes (limit {limit})");
}

fn idx(magic: u32, sizes: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = std::iter::once(magic).chain(sizes.iter().copied()).flat_map(u32::to_be_bytes).collect();
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn idx_headers_announcing_more_than_the_file_holds_allocate_nothing_large() {
    let labels = idx(0x0801, &[1], &[3]);
    // 2^31 images of 28×28 (1.7 TB) announced by a 100-byte file.
    let images = idx(0x0803, &[1 << 31, 28, 28], &[0; 84]);
    assert_eq!(images.len(), 100);
    refused_within(100, 4, "announces images of 2147483648×28×28", || {
        read_idx_from::<f32>(&images, "images", &labels, "labels")
    });
    let gzipped = gzip(&images);
    refused_within(gzipped.len(), 4, "announces images of 2147483648×28×28", || {
        read_idx_from::<f32>(&gzipped, "images", &labels, "labels")
    });
    // A gzip bomb: the header announces one 28×28 image, the stream inflates to 50 MB.
    let mut bomb = idx(0x0803, &[1, 28, 28], &[]);
    bomb.resize(50_000_000, 0);
    let bomb = gzip(&bomb);
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    refused_within(28 * 28, 16, "the header announces images of 1×28×28 = 784 bytes, but the file holds 785", || {
        read_idx_from::<f32>(&bomb, "images", &labels, "labels")
    });
}

/// A small valid model file and its safetensors header, to lie in.
fn model_parts() -> (serde_json::Value, Vec<u8>) {
    let network: Network = Network::builder(3)
        .dense(4, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(1))
        .unwrap();
    let bytes = Model::new(network, Default::default()).to_bytes().unwrap();
    let length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    (serde_json::from_slice(&bytes[8..8 + length]).unwrap(), bytes[8 + length..].to_vec())
}

fn model_bytes(header: &serde_json::Value, data: &[u8]) -> Vec<u8> {
    let mut json = serde_json::to_vec(header).unwrap();
    json.resize(json.len().next_multiple_of(8), b' ');
    [(json.len() as u64).to_le_bytes().as_slice(), &json, data].concat()
}

#[test]
fn model_headers_announcing_huge_tensors_or_networks_allocate_nothing_large() {
    let (header, data) = model_parts();
    let load = |bytes: &[u8]| Model::<f32>::from_bytes(bytes, "model.safetensors");

    let mut huge_shape = header.clone();
    huge_shape["layers.0.weight"]["shape"] = serde_json::json!([1u64 << 31, 1u64 << 31]);
    let bytes = model_bytes(&huge_shape, &data);
    refused_within(bytes.len(), 4, "not a valid safetensors file", || load(&bytes));

    let mut huge_offsets = header.clone();
    huge_offsets["layers.0.weight"]["data_offsets"] = serde_json::json!([0u64, 1u64 << 40]);
    let bytes = model_bytes(&huge_offsets, &data);
    refused_within(bytes.len(), 4, "not a valid safetensors file", || load(&bytes));

    let mut lying_length = model_bytes(&header, &data);
    lying_length[..8].copy_from_slice(&(1u64 << 50).to_le_bytes());
    refused_within(lying_length.len(), 4, "goes beyond the file", || load(&lying_length));

    for (key, value) in [("inputs", 1u64 << 40), ("units", 1u64 << 40)] {
        let mut architecture: serde_json::Value =
            serde_json::from_str(header["__metadata__"]["architecture"].as_str().unwrap()).unwrap();
        match key {
            "inputs" => architecture["inputs"] = value.into(),
            _ => architecture["layers"][0]["units"] = value.into(),
        }
        let mut lying = header.clone();
        lying["__metadata__"]["architecture"] = architecture.to_string().into();
        let bytes = model_bytes(&lying, &data);
        refused_within(bytes.len(), 4, "tensor `layers.0.weight` has shape [4, 3], expected", || load(&bytes));
    }
}

#[test]
fn csv_files_whose_one_hot_encoding_would_explode_are_refused_first() {
    // An identifier column: 200,000 distinct values would one-hot encode into a
    // 200,000 × 200,001 matrix (320 GB in f64) from a 1.9 MB file.
    let mut csv = String::from("id,y\n");
    (0..200_000).for_each(|i| csv.push_str(&format!("c{i},{}\n", i % 7)));
    refused_within(
        csv.len(),
        32,
        "one-hot encoding would make 200000 rows × 200001 values, too many for a file of 1888895 bytes; column `id` alone has 200000 categories",
        || read_csv_from::<f32>(csv.as_bytes(), "ids.csv", &CsvOptions::new("y")),
    );
    // The same for a text target of distinct values (a regression target mistaken for classes).
    let mut csv = String::from("x,y\n");
    (0..200_000).for_each(|i| csv.push_str(&format!("{},t{i}\n", i % 7)));
    refused_within(csv.len(), 32, "column `y` alone has 200000 categories", || {
        read_csv_from::<f32>(csv.as_bytes(), "labels.csv", &CsvOptions::new("y"))
    });
}

#[test]
fn valid_loads_stay_within_a_small_multiple_of_the_file() {
    // Many categories are fine while the encoding stays proportionate: 500 of them in 10,000
    // rows with numeric columns.
    let mut csv = String::from("a,b,colour,y\n");
    (0..10_000).for_each(|i| csv.push_str(&format!("{},{},c{},{}\n", i % 13, i % 17, i % 500, i % 5)));
    let (peak, result) = peak_bytes(|| read_csv_from::<f32>(csv.as_bytes(), "many.csv", &CsvOptions::new("y")));
    let data = result.unwrap();
    assert_eq!(data.dataset.inputs().shape(), (10_000, 502));
    // The encoded inputs themselves take 10,000 × 502 × 4 bytes (f32), built from f64.
    let encoded = 10_000 * 502 * (4 + 8);
    assert!(peak <= encoded + 64 * csv.len(), "peak {peak} bytes for a {}-byte file", csv.len());
}
