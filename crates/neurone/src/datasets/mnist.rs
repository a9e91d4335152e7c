//! MNIST handwritten digits: 28×28 grey images, 60,000 for training and 10,000 for testing.

use super::idx::{ImageDecoder, labelled_images};
use super::{DataSource, RemoteFile};
use crate::{Dataset, Error, Scalar};

/// MNIST's two standard parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Mnist<S> {
    /// 60,000 images (784 pixels in [0, 1] per row) with one-hot digit targets.
    pub train: Dataset<S>,
    /// 10,000 images, the usual test set.
    pub test: Dataset<S>,
}

const BASE_URL: &str = "https://ossci-datasets.s3.amazonaws.com/mnist/";

/// The four MNIST files: train images, train labels, test images, test labels. Each is
/// downloaded gzipped; the checksums are those of the decompressed (original) IDX files, so
/// either the `.gz` or the plain file is accepted in the data folder.
pub fn mnist_files() -> [RemoteFile; 4] {
    // Stored in a `mnist/` folder of the data folder, as in the shared data set.
    let file = |name: &str, sha256: &str, size: u64| RemoteFile {
        name: format!("mnist/{name}"),
        url: format!("{BASE_URL}{name}.gz"),
        sha256: sha256.into(),
        size,
        gzipped: true,
    };
    [
        file("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47_040_016),
        file("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60_008),
        file("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7_840_016),
        file("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10_008),
    ]
}

/// MNIST from `source` (downloaded when missing): pixels scaled to [0, 1], labels one-hot
/// with class names `0`–`9`.
///
/// ```no_run
/// use neurone::datasets::{DataSource, mnist};
/// let mnist = mnist::<f32>(&DataSource::from_env()?)?;
/// assert_eq!(mnist.train.inputs().shape(), (60_000, 784));
/// assert_eq!(mnist.test.len(), 10_000);
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn mnist<S: Scalar>(source: &DataSource) -> Result<Mnist<S>, Error> {
    Ok(Mnist { train: mnist_part(source, MnistPart::Train)?, test: mnist_part(source, MnistPart::Test)? })
}

/// One of MNIST's two parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MnistPart {
    /// The 60,000 training images.
    Train,
    /// The 10,000 test images.
    Test,
}

impl MnistPart {
    /// The part's images and labels files.
    fn files(self) -> (RemoteFile, RemoteFile) {
        let [train_images, train_labels, test_images, test_labels] = mnist_files();
        match self {
            MnistPart::Train => (train_images, train_labels),
            MnistPart::Test => (test_images, test_labels),
        }
    }
}

/// One part of MNIST from `source`, as [`mnist`] gives it: a run can read its test images
/// after training, rather than hold them while it trains.
pub fn mnist_part<S: Scalar>(source: &DataSource, part: MnistPart) -> Result<Dataset<S>, Error> {
    let (images, labels) = part.files();
    // The images are decoded as they are read: their bytes are never held beside the pixels.
    let mut decoder = ImageDecoder::new(images.size);
    let images_path = source.load_in_pieces(&images, &mut |piece| {
        decoder.push(piece);
        Ok(())
    })?;
    let (sizes, pixels) = decoder.finish(&images_path)?;
    let labels = source.load(&labels)?;
    labelled_images(&sizes, pixels, &images_path, &labels.bytes, &labels.path)
}

/// Makes sure that `part`'s files are in the data folder and intact (downloading them when
/// missing, checking their size and SHA-256), without holding their content: a part read later
/// — the test images after a long training — is then known to be there.
pub fn check_mnist_part(source: &DataSource, part: MnistPart) -> Result<(), Error> {
    let (images, labels) = part.files();
    for file in [images, labels] {
        source.load_in_pieces(&file, &mut |_| Ok(()))?;
    }
    Ok(())
}
