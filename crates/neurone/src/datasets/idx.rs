//! The IDX format of MNIST: a big-endian header (magic number, then one u32 per dimension)
//! followed by the unsigned bytes, row-major. Files may be gzipped.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use crate::{Dataset, Error, Matrix, Scalar};

/// The magic number of an IDX file of unsigned bytes in 3 dimensions (images: n × rows × cols).
pub(crate) const IMAGES_MAGIC: u32 = 0x0000_0803;
/// The magic number of an IDX file of unsigned bytes in 1 dimension (labels: n).
pub(crate) const LABELS_MAGIC: u32 = 0x0000_0801;

/// Number of classes of MNIST-format labels (the digits 0–9).
const CLASSES: usize = 10;

/// Reads a pair of MNIST-format IDX files (gzipped or not; no checksum): 8-bit grey images
/// as inputs scaled to [0, 1] (one row of rows × cols pixels per image) and digit labels 0–9 as
/// one-hot targets. Fits MNIST and the formats that copy it (e.g. Fashion-MNIST).
pub fn read_idx<S: Scalar>(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Dataset<S>, Error> {
    let (images, labels) = (images.as_ref(), labels.as_ref());
    let read = |path: &Path| std::fs::read(path).map_err(Error::io(path));
    read_idx_from(&read(images)?, images, &read(labels)?, labels)
}

/// Reads a pair of MNIST-format IDX files from memory, like [`read_idx`] (gzipped or not);
/// `images_name` and `labels_name` stand for the files in errors.
///
/// ```
/// use neurone::datasets::read_idx_from;
/// let images = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255]; // 1 image of 1×2 pixels
/// let labels = [0, 0, 8, 1, 0, 0, 0, 1, 7]; // its label: 7
/// let data = read_idx_from::<f32>(&images, "images", &labels, "labels")?;
/// assert_eq!(data.inputs().row(0), &[0.0, 1.0]);
/// assert!(read_idx_from::<f32>(&images[..17], "images", &labels, "labels").is_err());
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn read_idx_from<S: Scalar>(
    images: &[u8],
    images_name: impl AsRef<Path>,
    labels: &[u8],
    labels_name: impl AsRef<Path>,
) -> Result<Dataset<S>, Error> {
    let (images_name, labels_name) = (images_name.as_ref(), labels_name.as_ref());
    let images = decompress(images, images_name)?;
    let labels = decompress(labels, labels_name)?;
    idx_dataset(&images, images_name, &labels, labels_name)
}

/// The content of an IDX file's bytes, decompressed if they are gzipped. The header is read
/// first and at most the length it announces (plus one byte, to detect excess) is decompressed,
/// so memory follows what the file really holds.
fn decompress<'b>(raw: &'b [u8], path: &Path) -> Result<std::borrow::Cow<'b, [u8]>, Error> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    let corrupt = |error: std::io::Error| {
        Error::data(path, format!("cannot decompress ({error}): the gzip file is truncated or corrupt"))
    };
    let mut decoder = GzDecoder::new(raw);
    let mut bytes = Vec::new();
    (&mut decoder).take(4).read_to_end(&mut bytes).map_err(corrupt)?;
    if bytes.len() == 4 {
        let dimensions = u64::from(bytes[3]);
        (&mut decoder).take(4 * dimensions).read_to_end(&mut bytes).map_err(corrupt)?;
        let announced = bytes[4..].chunks_exact(4).try_fold(1u64, |product, size| {
            product.checked_mul(u64::from(u32::from_be_bytes(size.try_into().expect("4 bytes"))))
        });
        let payload = announced.map_or(u64::MAX, |bytes| bytes.saturating_add(1));
        decoder.take(payload).read_to_end(&mut bytes).map_err(corrupt)?;
    }
    Ok(std::borrow::Cow::Owned(bytes))
}

/// Checks an IDX file's header against `magic` and its length against the dimensions; returns
/// the dimensions and the data bytes.
pub(crate) fn parse<'b>(bytes: &'b [u8], path: &Path, magic: u32) -> Result<(Vec<usize>, &'b [u8]), Error> {
    let sizes = parse_header(bytes, path, magic)?;
    let data = &bytes[header_length(magic)..];
    check_length(&sizes, data.len(), path, magic)?;
    Ok((sizes, data))
}

/// The length of the header of an IDX file of `magic`: the magic number, then one u32 per
/// dimension.
fn header_length(magic: u32) -> usize {
    4 + 4 * (magic & 0xff) as usize
}

fn what(magic: u32) -> &'static str {
    if magic == IMAGES_MAGIC { "images" } else { "labels" }
}

/// The dimensions an IDX file's header announces, checked against `magic`.
fn parse_header(bytes: &[u8], path: &Path, magic: u32) -> Result<Vec<usize>, Error> {
    let what = what(magic);
    let word = |offset: usize| u32::from_be_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"));
    if bytes.len() < 4 {
        return Err(Error::data(path, format!("{} bytes is too short for an IDX header", bytes.len())));
    }
    if word(0) != magic {
        return Err(Error::data(
            path,
            format!("magic number {} (0x{:08x}) is not {magic} (0x{magic:08x}), that of IDX {what}", word(0), word(0)),
        ));
    }
    if bytes.len() < header_length(magic) {
        return Err(Error::data(path, format!("{} bytes is too short for the IDX {what} header", bytes.len())));
    }
    Ok((0..(magic & 0xff) as usize).map(|index| word(4 + 4 * index) as usize).collect())
}

/// Checks that `found` bytes follow the header, as many as its dimensions announce.
fn check_length(sizes: &[usize], found: usize, path: &Path, magic: u32) -> Result<(), Error> {
    let expected = sizes.iter().try_fold(1usize, |product, &size| product.checked_mul(size));
    if expected != Some(found) {
        let shape: Vec<String> = sizes.iter().map(usize::to_string).collect();
        return Err(Error::data(
            path,
            format!(
                "the header announces {} of {} = {} bytes, but the file holds {found} bytes after the header",
                what(magic),
                shape.join("×"),
                expected.map_or("too many".to_string(), |bytes| bytes.to_string()),
            ),
        ));
    }
    Ok(())
}

/// A grey level 0–255 as a value in [0, 1].
fn pixel<S: Scalar>(value: u8) -> S {
    S::from_f64(f64::from(value) * (1.0 / 255.0))
}

/// IDX images decoded as their bytes arrive, each pixel straight into `S`, so that the bytes
/// are never held whole beside the pixels (see `DataSource::load_in_pieces`). The header and
/// the length are checked by [`ImageDecoder::finish`], as [`parse`] checks them.
pub(crate) struct ImageDecoder<S> {
    header: Vec<u8>,
    /// The pixels the header announces, once it is read and valid.
    expected: Option<usize>,
    pixels: Vec<S>,
    /// The bytes after the header, counted beyond the announced ones (for the error).
    received: usize,
    /// The most pixels the file can hold, which bounds what a lying header makes us reserve.
    limit: usize,
}

impl<S: Scalar> ImageDecoder<S> {
    /// A decoder for a file of at most `limit` bytes.
    pub(crate) fn new(limit: u64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Self { header: Vec::new(), expected: None, pixels: Vec::new(), received: 0, limit }
    }

    /// The next bytes of the file.
    pub(crate) fn push(&mut self, mut piece: &[u8]) {
        let header = header_length(IMAGES_MAGIC);
        if self.header.len() < header {
            let taken = (header - self.header.len()).min(piece.len());
            self.header.extend_from_slice(&piece[..taken]);
            piece = &piece[taken..];
            if self.header.len() == header {
                // A header that does not parse is reported by `finish`.
                let sizes = parse_header(&self.header, Path::new(""), IMAGES_MAGIC).ok();
                self.expected = sizes.and_then(|sizes| sizes.iter().try_fold(1usize, |n, &size| n.checked_mul(size)));
                self.pixels.reserve_exact(self.expected.unwrap_or(0).min(self.limit));
            }
        }
        self.received += piece.len();
        let room = self.expected.unwrap_or(0).saturating_sub(self.pixels.len());
        self.pixels.extend(piece[..piece.len().min(room)].iter().map(|&value| pixel::<S>(value)));
    }

    /// The dimensions and the pixels, or the error [`parse`] gives for the same bytes.
    pub(crate) fn finish(self, path: &Path) -> Result<(Vec<usize>, Vec<S>), Error> {
        let sizes = parse_header(&self.header, path, IMAGES_MAGIC)?;
        check_length(&sizes, self.received, path, IMAGES_MAGIC)?;
        Ok((sizes, self.pixels))
    }
}

/// Pairs the images and labels of two IDX files' contents into a dataset.
pub(crate) fn idx_dataset<S: Scalar>(
    images: &[u8],
    images_path: &Path,
    labels: &[u8],
    labels_path: &Path,
) -> Result<Dataset<S>, Error> {
    let (image_sizes, pixels) = parse(images, images_path, IMAGES_MAGIC)?;
    let inputs = pixels.iter().map(|&value| pixel(value)).collect();
    labelled_images(&image_sizes, inputs, images_path, labels, labels_path)
}

/// Images of `image_sizes` (n × rows × cols), already decoded into `inputs`, with the labels
/// of an IDX file's content as one-hot targets.
pub(crate) fn labelled_images<S: Scalar>(
    image_sizes: &[usize],
    inputs: Vec<S>,
    images_path: &Path,
    labels: &[u8],
    labels_path: &Path,
) -> Result<Dataset<S>, Error> {
    let (label_sizes, labels) = parse(labels, labels_path, LABELS_MAGIC)?;
    let (count, pixels_per_image) = (image_sizes[0], image_sizes[1] * image_sizes[2]);
    if label_sizes[0] != count {
        return Err(Error::data(
            labels_path,
            format!("{} labels for the {count} images of {}", label_sizes[0], images_path.display()),
        ));
    }
    if let Some(index) = labels.iter().position(|&label| usize::from(label) >= CLASSES) {
        return Err(Error::data(labels_path, format!("label {} of image {index} is not a digit 0–9", labels[index])));
    }
    let mut targets = vec![S::ZERO; count * CLASSES];
    for (row, &label) in labels.iter().enumerate() {
        targets[row * CLASSES + usize::from(label)] = S::ONE;
    }
    Dataset::new(Matrix::new(count, pixels_per_image, inputs)?, Matrix::new(count, CLASSES, targets)?)?
        .with_class_names((0..CLASSES).map(|digit| digit.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: u32, sizes: &[u32]) -> Vec<u8> {
        std::iter::once(magic).chain(sizes.iter().copied()).flat_map(u32::to_be_bytes).collect()
    }

    #[test]
    fn two_tiny_images_with_labels() {
        let mut images = header(IMAGES_MAGIC, &[2, 1, 2]);
        images.extend_from_slice(&[0, 255, 51, 102]);
        let mut labels = header(LABELS_MAGIC, &[2]);
        labels.extend_from_slice(&[3, 0]);
        let data: Dataset<f64> = idx_dataset(&images, Path::new("i"), &labels, Path::new("l")).unwrap();
        assert_eq!(data.inputs().as_slice(), &[0.0, 1.0, 0.2, 0.4]);
        assert_eq!(data.targets().row(0), &[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(data.targets().row(1)[0], 1.0);
        assert_eq!(data.class_names().unwrap()[9], "9");
    }

    #[test]
    fn header_errors_name_the_file() {
        let path = Path::new("x.idx");
        let message = |bytes: &[u8], magic| parse(bytes, path, magic).unwrap_err().to_string();
        assert_eq!(message(&[0, 0], LABELS_MAGIC), "x.idx: 2 bytes is too short for an IDX header");
        assert_eq!(
            message(&header(LABELS_MAGIC, &[1, 1]), IMAGES_MAGIC),
            "x.idx: magic number 2049 (0x00000801) is not 2051 (0x00000803), that of IDX images"
        );
        assert_eq!(
            message(&header(IMAGES_MAGIC, &[1]), IMAGES_MAGIC),
            "x.idx: 8 bytes is too short for the IDX images header"
        );
        let mut short = header(LABELS_MAGIC, &[3]);
        short.extend_from_slice(&[1, 2]);
        assert_eq!(
            message(&short, LABELS_MAGIC),
            "x.idx: the header announces labels of 3 = 3 bytes, but the file holds 2 bytes after the header"
        );
    }

    #[test]
    fn labels_must_be_digits_and_match_the_images() {
        let mut images = header(IMAGES_MAGIC, &[1, 1, 1]);
        images.push(9);
        let mut labels = header(LABELS_MAGIC, &[1]);
        labels.push(10);
        let error = idx_dataset::<f32>(&images, Path::new("i"), &labels, Path::new("l")).unwrap_err();
        assert_eq!(error.to_string(), "l: label 10 of image 0 is not a digit 0–9");
        let mut two_labels = header(LABELS_MAGIC, &[2]);
        two_labels.extend_from_slice(&[1, 2]);
        let error = idx_dataset::<f32>(&images, Path::new("i"), &two_labels, Path::new("l")).unwrap_err();
        assert_eq!(error.to_string(), "l: 2 labels for the 1 images of i");
    }
}
