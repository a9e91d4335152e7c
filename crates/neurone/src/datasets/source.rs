//! Where real datasets live: a data folder (`NEURONE_DATA`, else a per-user cache), filled on
//! demand by downloading each missing file from its canonical address and checking its SHA-256.

use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

use crate::Error;

/// A file a dataset needs: its name in the data folder, where to get it, and what it must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    /// The file's path in the data folder, e.g. `insurance.csv` or `mnist/t10k-labels-idx1-ubyte`
    /// (for a gzipped file, without `.gz`: either `name` or `name.gz` is accepted).
    pub name: String,
    /// The canonical address to download it from.
    pub url: String,
    /// The SHA-256 of the content, in lowercase hex (of the decompressed content when gzipped).
    pub sha256: String,
    /// The size of the content in bytes (decompressed); larger content is refused.
    pub size: u64,
    /// Whether the download is gzip-compressed (and stored as `name.gz`).
    pub gzipped: bool,
}

/// A file found or downloaded, and its (decompressed, verified) content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    /// Where the file is in the data folder.
    pub path: PathBuf,
    /// Its content, decompressed when it was gzipped.
    pub bytes: Vec<u8>,
}

/// What a download is doing, for the caller's progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadEvent<'a> {
    /// A missing file is about to be downloaded from `url` to `path`.
    Started {
        /// The address downloaded.
        url: &'a str,
        /// Where the file will be stored.
        path: &'a Path,
    },
    /// `received` bytes of `total` (when the server says) have arrived.
    Progress {
        /// The address downloaded.
        url: &'a str,
        /// Bytes received so far.
        received: u64,
        /// The announced size, if any.
        total: Option<u64>,
    },
    /// The file was verified and stored at `path`.
    Finished {
        /// The address downloaded.
        url: &'a str,
        /// Where the file was stored.
        path: &'a Path,
        /// Bytes downloaded.
        bytes: u64,
    },
}

/// Something that fetches the bytes at a URL: [`HttpFetch`](super::HttpFetch) over the
/// network, or a stand-in in tests.
pub trait Fetch: Send + Sync {
    /// The body at `url`, at most `limit` bytes (more is an error), calling `progress` with the
    /// bytes received so far and the total when known.
    fn fetch(&self, url: &str, limit: u64, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<Vec<u8>, Error>;
}

type ProgressCallback = Box<dyn Fn(&DownloadEvent<'_>) + Send + Sync>;

/// The data folder datasets are read from, with what to do when a file is missing.
///
/// ```no_run
/// use neurone::datasets::{DataSource, DownloadEvent, insurance};
/// let source = DataSource::from_env()?.on_progress(|event| {
///     if let DownloadEvent::Progress { received, total, .. } = event {
///         eprint!("\r{received} of {total:?} bytes");
///     }
/// });
/// let data = insurance::<f32>(&source)?;
/// # Ok::<(), neurone::Error>(())
/// ```
pub struct DataSource {
    folder: PathBuf,
    fetcher: Option<Box<dyn Fetch>>,
    progress: Option<ProgressCallback>,
}

impl std::fmt::Debug for DataSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("DataSource")
            .field("folder", &self.folder)
            .field("downloads", &self.fetcher.is_some())
            .finish()
    }
}

impl DataSource {
    /// Reads from `folder`, downloading missing files over HTTPS (with the `download` feature;
    /// without it, a missing file is an error).
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        #[cfg(feature = "download")]
        let fetcher: Option<Box<dyn Fetch>> = Some(Box::new(super::HttpFetch::new()));
        #[cfg(not(feature = "download"))]
        let fetcher: Option<Box<dyn Fetch>> = None;
        Self { folder: folder.into(), fetcher, progress: None }
    }

    /// Reads from [`default_folder`]: `NEURONE_DATA` if set, else the per-user cache.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self::new(default_folder()?))
    }

    /// Fetches missing files with `fetcher` instead.
    pub fn with_fetcher(mut self, fetcher: impl Fetch + 'static) -> Self {
        self.fetcher = Some(Box::new(fetcher));
        self
    }

    /// Never downloads: a missing file is an error.
    pub fn offline(mut self) -> Self {
        self.fetcher = None;
        self
    }

    /// Calls `callback` as downloads start, progress and finish.
    pub fn on_progress(mut self, callback: impl Fn(&DownloadEvent<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// The data folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The content of `file`: read from the data folder if there, else downloaded and stored
    /// there (atomically); either way checked against its size and SHA-256.
    pub fn load(&self, file: &RemoteFile) -> Result<LoadedFile, Error> {
        let compressed = self.folder.join(format!("{}.gz", file.name));
        if let Some(path) = self.stored(file)? {
            let raw = fs::read(&path).map_err(Error::io(&path))?;
            let bytes = content(&raw, &path, file.size).and_then(|bytes| check_sha256(bytes, file, &path))?;
            return Ok(LoadedFile { path, bytes });
        }
        let path = if file.gzipped { compressed } else { self.folder.join(&file.name) };
        let Some(fetcher) = &self.fetcher else {
            return Err(Error::data(
                &path,
                "not found, and downloading is off; put the file there or set NEURONE_DATA to a folder holding it",
            ));
        };
        self.report(&DownloadEvent::Started { url: &file.url, path: &path });
        let raw = fetcher.fetch(&file.url, download_limit(file.size), &mut |received, total| {
            self.report(&DownloadEvent::Progress { url: &file.url, received, total })
        })?;
        let bytes = content(&raw, &path, file.size)
            .and_then(|bytes| check_sha256(bytes, file, &path))
            .map_err(|error| Error::Download { url: file.url.clone(), reason: error.to_string() })?;
        let folder = path.parent().unwrap_or(&self.folder);
        fs::create_dir_all(folder).map_err(Error::io(folder))?;
        crate::io::write_atomic(&path, &raw)?;
        self.report(&DownloadEvent::Finished { url: &file.url, path: &path, bytes: raw.len() as u64 });
        Ok(LoadedFile { path, bytes })
    }

    /// The content of `file`, as [`DataSource::load`] gives it, but passed to `consume` piece
    /// by piece as it is read (and decompressed) rather than held whole: MNIST's 47 MB of
    /// training images become their pixels without a copy of the bytes beside them. A missing
    /// file is downloaded and stored first, as by [`DataSource::load`]. The size and SHA-256
    /// are checked to the end even when `consume` fails, and their errors come first, as they
    /// would from `load`: an error means that what `consume` made must be thrown away. Returns
    /// the file's path.
    pub fn load_in_pieces(
        &self,
        file: &RemoteFile,
        consume: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<PathBuf, Error> {
        let path = match self.stored(file)? {
            Some(path) => path,
            None => self.load(file)?.path,
        };
        let opened = fs::File::open(&path).map_err(Error::io(&path))?;
        let mut reader = std::io::BufReader::new(opened);
        let gzipped = reader.fill_buf().map_err(Error::io(&path))?.starts_with(&[0x1f, 0x8b]);
        let mut reader: Box<dyn Read> = if gzipped { Box::new(GzDecoder::new(reader)) } else { Box::new(reader) };
        let (mut hasher, mut length, mut consumed) = (Sha256::new(), 0u64, Ok(()));
        let mut piece = vec![0; 1 << 16];
        loop {
            let read = reader.read(&mut piece).map_err(|error| match gzipped {
                true => corrupt_gzip(&path, &error),
                false => Error::io(&path)(error),
            })?;
            if read == 0 {
                break;
            }
            length += read as u64;
            if length > file.size {
                return Err(too_large(&path, file.size));
            }
            hasher.update(&piece[..read]);
            if consumed.is_ok() {
                consumed = consume(&piece[..read]);
            }
        }
        check_digest(&hasher.finalize(), file, &path)?;
        consumed.map(|()| path)
    }

    /// The file's path in the data folder (plain, or gzipped when downloads are), if it is
    /// there; a file far larger than its content can be is refused before it is read.
    fn stored(&self, file: &RemoteFile) -> Result<Option<PathBuf>, Error> {
        let plain = self.folder.join(&file.name);
        let compressed = self.folder.join(format!("{}.gz", file.name));
        let candidates = if file.gzipped { vec![plain, compressed] } else { vec![plain] };
        let Some(path) = candidates.into_iter().find(|path| path.is_file()) else { return Ok(None) };
        let length = fs::metadata(&path).map_err(Error::io(&path))?.len();
        if length > download_limit(file.size) {
            return Err(Error::data(&path, format!("{length} bytes is more than the expected {}", file.size)));
        }
        Ok(Some(path))
    }

    fn report(&self, event: &DownloadEvent<'_>) {
        if let Some(progress) = &self.progress {
            progress(event);
        }
    }
}

/// The most bytes a file holding `size` bytes of content may take: a gzip of incompressible
/// data is barely larger than the data.
fn download_limit(size: u64) -> u64 {
    size + size / 64 + 1024
}

/// The data folder: `NEURONE_DATA` if set, else `$XDG_CACHE_HOME/neurone`, else
/// `~/.cache/neurone` (`%LOCALAPPDATA%\neurone` on Windows).
pub fn default_folder() -> Result<PathBuf, Error> {
    folder_from(|name| std::env::var_os(name))
}

fn folder_from(variable: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, Error> {
    let set = |name: &str| variable(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(folder) = set("NEURONE_DATA") {
        return Ok(folder);
    }
    // The XDG rule: a relative XDG_CACHE_HOME is invalid and ignored.
    if let Some(cache) = set("XDG_CACHE_HOME").filter(|path| path.is_absolute()) {
        return Ok(cache.join("neurone"));
    }
    if let Some(home) = set("HOME") {
        return Ok(home.join(".cache").join("neurone"));
    }
    if let Some(local) = set("LOCALAPPDATA") {
        return Ok(local.join("neurone"));
    }
    Err(Error::invalid("data folder", "none of NEURONE_DATA, XDG_CACHE_HOME, HOME or LOCALAPPDATA is set"))
}

/// The content of a file: `raw` itself, or its decompression when it starts with the gzip
/// magic bytes; more than `limit` bytes is an error, so a corrupt or hostile file cannot make
/// us allocate without bound.
pub(crate) fn content(raw: &[u8], path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return if raw.len() as u64 > limit { Err(too_large(path, limit)) } else { Ok(raw.to_vec()) };
    }
    let mut bytes = Vec::new();
    GzDecoder::new(raw).take(limit + 1).read_to_end(&mut bytes).map_err(|error| corrupt_gzip(path, &error))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> Error {
    Error::data(path, format!("the content is larger than the expected {limit} bytes"))
}

fn corrupt_gzip(path: &Path, error: &std::io::Error) -> Error {
    Error::data(path, format!("cannot decompress ({error}): the gzip file is truncated or corrupt"))
}

fn check_sha256(bytes: Vec<u8>, file: &RemoteFile, path: &Path) -> Result<Vec<u8>, Error> {
    check_digest(&Sha256::digest(&bytes), file, path)?;
    Ok(bytes)
}

fn check_digest(digest: &[u8], file: &RemoteFile, path: &Path) -> Result<(), Error> {
    let actual: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    if actual != file.sha256 {
        return Err(Error::data(
            path,
            format!(
                "SHA-256 {actual} differs from the expected {}: the file is corrupt or another version; \
                 delete it to download it again",
                file.sha256
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A fetcher serving fixed bytes in two halves and counting its calls.
    struct FakeFetch {
        body: Vec<u8>,
        calls: Arc<AtomicUsize>,
    }

    impl Fetch for FakeFetch {
        fn fetch(&self, _url: &str, limit: u64, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<Vec<u8>, Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            assert!(self.body.len() as u64 <= limit);
            let total = Some(self.body.len() as u64);
            progress(self.body.len() as u64 / 2, total);
            progress(self.body.len() as u64, total);
            Ok(self.body.clone())
        }
    }

    fn folder(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!("neurone-source-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&folder);
        folder
    }

    fn remote(content: &[u8], gzipped: bool) -> RemoteFile {
        RemoteFile {
            name: "table.csv".into(),
            url: "https://example.org/table.csv".into(),
            sha256: Sha256::digest(content).iter().map(|byte| format!("{byte:02x}")).collect(),
            size: content.len() as u64,
            gzipped,
        }
    }

    fn gzip(content: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn the_folder_comes_from_neurone_data_then_the_user_cache() {
        let lookup = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
        };
        const ALL: [(&str, &str); 3] = [("NEURONE_DATA", "/data"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")];
        assert_eq!(folder_from(lookup(&ALL)).unwrap(), Path::new("/data"));
        assert_eq!(folder_from(lookup(&ALL[1..])).unwrap(), Path::new("/xdg/neurone"));
        assert_eq!(
            folder_from(lookup(&[("XDG_CACHE_HOME", "relative"), ("HOME", "/h")])).unwrap(),
            Path::new("/h/.cache/neurone")
        );
        assert_eq!(
            folder_from(lookup(&[("NEURONE_DATA", ""), ("HOME", "/h")])).unwrap(),
            Path::new("/h/.cache/neurone")
        );
        assert!(folder_from(lookup(&[])).is_err());
    }

    #[test]
    fn a_missing_file_is_downloaded_verified_stored_and_then_read_locally() {
        let folder = folder("download");
        let content = b"a,b\n1,2\n".to_vec();
        let calls = Arc::new(AtomicUsize::new(0));
        let events = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&events);
        let source = DataSource::new(&folder)
            .with_fetcher(FakeFetch { body: content.clone(), calls: Arc::clone(&calls) })
            .on_progress(move |event| recorded.lock().unwrap().push(format!("{event:?}")));
        let loaded = source.load(&remote(&content, false)).unwrap();
        assert_eq!(loaded.bytes, content);
        assert_eq!(fs::read(folder.join("table.csv")).unwrap(), content);
        let events = events.lock().unwrap().clone();
        assert_eq!(events.len(), 4, "{events:?}");
        assert!(events[0].starts_with("Started"));
        assert!(events[2].contains("received: 8, total: Some(8)"));
        assert!(events[3].starts_with("Finished"));

        assert_eq!(source.load(&remote(&content, false)).unwrap().bytes, content);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the second load reads the stored file");
        fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_gzipped_file_is_checked_decompressed_and_accepted_plain_too() {
        let folder = folder("gzip");
        let content = b"IDX-like content".to_vec();
        let calls = Arc::new(AtomicUsize::new(0));
        let source = DataSource::new(&folder).with_fetcher(FakeFetch { body: gzip(&content), calls });
        let loaded = source.load(&remote(&content, true)).unwrap();
        assert_eq!((loaded.bytes, loaded.path.clone()), (content.clone(), folder.join("table.csv.gz")));
        fs::remove_file(&loaded.path).unwrap();
        fs::write(folder.join("table.csv"), &content).unwrap();
        let offline = DataSource::new(&folder).offline();
        assert_eq!(offline.load(&remote(&content, true)).unwrap().path, folder.join("table.csv"));
        fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn wrong_content_is_refused_and_not_stored() {
        let folder = folder("wrong");
        let calls = Arc::new(AtomicUsize::new(0));
        let source = DataSource::new(&folder).with_fetcher(FakeFetch { body: b"tampered".to_vec(), calls });
        let error = source.load(&remote(b"original", false)).unwrap_err().to_string();
        assert!(error.starts_with("cannot download https://example.org/table.csv: "), "{error}");
        assert!(error.contains("differs from the expected"), "{error}");
        assert!(!folder.join("table.csv").exists());
    }

    #[test]
    fn local_files_are_checked_too() {
        let folder = folder("local");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("table.csv"), b"edited").unwrap();
        let error = DataSource::new(&folder).offline().load(&remote(b"pristine", false)).unwrap_err().to_string();
        assert!(error.contains("delete it to download it again"), "{error}");
        let content = b"some content that compresses, compresses, compresses";
        let truncated = gzip(content);
        fs::remove_file(folder.join("table.csv")).unwrap();
        fs::write(folder.join("table.csv.gz"), &truncated[..truncated.len() / 2]).unwrap();
        let error = DataSource::new(&folder).offline().load(&remote(content, true)).unwrap_err().to_string();
        assert!(error.contains("the gzip file is truncated or corrupt"), "{error}");
        fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn offline_without_the_file_says_what_to_do() {
        let folder = folder("offline");
        let error = DataSource::new(&folder).offline().load(&remote(b"x", false)).unwrap_err().to_string();
        assert!(error.ends_with(
            "not found, and downloading is off; put the file there or set NEURONE_DATA to a folder holding it"
        ));
    }
}
