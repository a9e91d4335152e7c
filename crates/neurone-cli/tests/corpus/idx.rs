//! IDX files (MNIST's format). The command line reads them only as MNIST from the data folder,
//! where each file is checked against its size and SHA-256 before it is parsed: those rows run
//! `neurone train` on damaged MNIST files. The parser itself is reached through the library's
//! `read_idx`, in the rows of [`idx_reader_rows`].

use std::io::Write;

use super::Case;

pub fn idx(magic: u32, sizes: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = std::iter::once(magic).chain(sizes.iter().copied()).flat_map(u32::to_be_bytes).collect();
    bytes.extend_from_slice(data);
    bytes
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const IMAGES: u32 = 0x0803;
const LABELS: u32 = 0x0801;
const TRAIN_IMAGES: &str = "data/mnist/train-images-idx3-ubyte";

/// `neurone train` on MNIST with the training images file replaced by `bytes` (as `name`).
fn mnist_with(case: &'static str, name: &str, bytes: Vec<u8>) -> Case {
    Case::new(case, &["train", "mnist.toml", "--quiet", "--no-plots", "--out", "out"])
        .file("mnist.toml", "name = \"mnist\"\n[data]\ndataset = \"mnist\"\n[train]\nepochs = 1\n")
        .file(name, bytes)
        .data_folder("data")
}

pub fn idx_files() -> Vec<Case> {
    let checksum = "differs from the expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db: \
                    the file is corrupt or another version; delete it to download it again";
    vec![
        mnist_with("wrong_magic", TRAIN_IMAGES, idx(LABELS, &[2, 2, 2], &[0; 8]))
            .usage_error(format!("{TRAIN_IMAGES}: SHA-256 ")),
        mnist_with("counts_disagreeing_with_the_length", TRAIN_IMAGES, idx(IMAGES, &[60_000, 28, 28], &[0; 100]))
            .usage_error(checksum),
        mnist_with("larger_than_mnist", TRAIN_IMAGES, vec![0; 48_000_000])
            .usage_error(format!("{TRAIN_IMAGES}: 48000000 bytes is more than the expected 47040016")),
        mnist_with("gzip_bomb", &format!("{TRAIN_IMAGES}.gz"), gzip(&vec![0; 50_000_000]))
            .usage_error(format!("{TRAIN_IMAGES}.gz: the content is larger than the expected 47040016 bytes")),
        mnist_with(
            "truncated_gzip",
            &format!("{TRAIN_IMAGES}.gz"),
            gzip(&idx(IMAGES, &[1, 2, 2], &[1; 4]))[..20].to_vec(),
        )
        .usage_error(format!("{TRAIN_IMAGES}.gz: cannot decompress")),
    ]
}

/// A row for the library's IDX reader: images bytes, labels bytes, expected error fragment.
pub struct IdxRow {
    pub name: &'static str,
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
    pub fragment: &'static str,
}

pub fn idx_reader_rows() -> Vec<IdxRow> {
    let labels = idx(LABELS, &[2], &[3, 7]);
    let images = idx(IMAGES, &[2, 2, 2], &[0; 8]);
    let row = |name, images: Vec<u8>, labels: Vec<u8>, fragment| IdxRow { name, images, labels, fragment };
    vec![
        row(
            "wrong_images_magic",
            idx(LABELS, &[2, 2, 2], &[0; 8]),
            labels.clone(),
            "images: magic number 2049 (0x00000801) is not 2051 (0x00000803), that of IDX images",
        ),
        row(
            "wrong_labels_magic",
            images.clone(),
            idx(IMAGES, &[2], &[3, 7]),
            "labels: magic number 2051 (0x00000803) is not 2049 (0x00000801), that of IDX labels",
        ),
        row("magic_of_signed_bytes", idx(0x0903, &[2, 2, 2], &[0; 8]), labels.clone(), "images: magic number 2307"),
        row("empty_file", Vec::new(), labels.clone(), "images: 0 bytes is too short for an IDX header"),
        row(
            "header_cut_short",
            idx(IMAGES, &[2], &[]),
            labels.clone(),
            "images: 8 bytes is too short for the IDX images header",
        ),
        row(
            "fewer_pixels_than_announced",
            idx(IMAGES, &[3, 2, 2], &[0; 8]),
            labels.clone(),
            "images: the header announces images of 3×2×2 = 12 bytes, but the file holds 8 bytes after the header",
        ),
        row(
            "more_pixels_than_announced",
            idx(IMAGES, &[2, 2, 2], &[0; 9]),
            labels.clone(),
            "images: the header announces images of 2×2×2 = 8 bytes, but the file holds 9 bytes after the header",
        ),
        row(
            "two_billion_images_in_100_bytes",
            idx(IMAGES, &[1 << 31, 28, 28], &[0; 84]),
            labels.clone(),
            "images: the header announces images of 2147483648×28×28 = 1683627180032 bytes, but the file holds 84 bytes after the header",
        ),
        row(
            "overflowing_sizes",
            idx(IMAGES, &[u32::MAX, u32::MAX, u32::MAX], &[0; 8]),
            labels.clone(),
            "images: the header announces images of 4294967295×4294967295×4294967295 = too many bytes",
        ),
        row(
            "lying_gzipped_header",
            gzip(&idx(IMAGES, &[1 << 31, 28, 28], &[0; 84])),
            labels.clone(),
            "the header announces images of 2147483648×28×28 = 1683627180032 bytes, but the file holds 84 bytes",
        ),
        row("truncated_gzip", gzip(&images)[..20].to_vec(), labels.clone(), "images: cannot decompress"),
        row(
            "fewer_labels_than_images",
            images.clone(),
            idx(LABELS, &[1], &[3]),
            "labels: 1 labels for the 2 images of images",
        ),
        row(
            "label_not_a_digit",
            images.clone(),
            idx(LABELS, &[2], &[3, 10]),
            "labels: label 10 of image 1 is not a digit 0–9",
        ),
    ]
}
