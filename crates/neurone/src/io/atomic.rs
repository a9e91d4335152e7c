//! Atomic file writes: a temporary file in the same folder, flushed, then renamed.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::Error;

/// Writes `contents` to `path` so that readers see either the old file or the whole new one,
/// never a part: the bytes go to a temporary file beside it, are flushed to disk, and the
/// temporary file is renamed over `path` (an atomic operation within one file system).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let io_error = |source| Error::Io { path: path.to_path_buf(), source };
    let file_name = path.file_name().ok_or_else(|| io_error(std::io::Error::other("not a file path")))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(file_name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary_name);

    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let folder = std::env::temp_dir().join(format!("neurone-atomic-{}", std::process::id()));
        fs::create_dir_all(&folder).unwrap();
        let path = folder.join("out.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&folder).unwrap().count(), 1);
        fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_file() {
        let path = Path::new("/nonexistent-neurone-folder/out.csv");
        let error = write_atomic(path, b"x").unwrap_err();
        assert!(error.to_string().starts_with("/nonexistent-neurone-folder/out.csv: "), "{error}");
    }
}
