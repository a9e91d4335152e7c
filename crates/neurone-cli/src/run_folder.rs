//! A run's output folder: chosen so that no run is written over another, and locked while a
//! run writes into it.
//!
//! Without `--out`, a run gets `runs/NAME`, or the first free of `runs/NAME-2`, `runs/NAME-3`, …
//! (the convention of Ultralytics and Lightning); the folder is made with `create_dir`, which
//! fails when it exists, so two runs started at once get two folders. A folder named with
//! `--out` that already holds files is refused unless `--overwrite` is given (or the run
//! resumes it). Either way the run holds `.neurone.lock`, created with `create_new` and holding
//! its process id, until it ends: a second run into the folder is refused, naming the first.

use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use neurone::io::run_files::LOCK as LOCK_FILE;

use crate::error::CliError;

/// The folder a run writes into, locked until this value is dropped.
pub struct RunFolder {
    path: PathBuf,
    /// Whether this run made the folder (then a failed run removes it again, if empty).
    created: bool,
}

impl RunFolder {
    /// `runs/NAME`, or the first of `runs/NAME-2`, `runs/NAME-3`, … that does not exist yet.
    pub fn numbered(name: &str) -> Result<Self, CliError> {
        let runs = Path::new("runs");
        std::fs::create_dir_all(runs).map_err(|error| usage(runs, &error))?;
        for number in 1.. {
            let path = if number == 1 { runs.join(name) } else { runs.join(format!("{name}-{number}")) };
            match std::fs::create_dir(&path) {
                Ok(()) => return Self::lock(path, true),
                Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(usage(&path, &error)),
            }
        }
        unreachable!("some number is free")
    }

    /// The folder the user named: made if missing; if it holds files (those of another run),
    /// refused unless `overwrite`.
    pub fn named(path: &Path, overwrite: bool) -> Result<Self, CliError> {
        let created = !path.exists();
        std::fs::create_dir_all(path).map_err(|error| usage(path, &error))?;
        let folder = Self::lock(path.to_path_buf(), created)?;
        if !overwrite && folder.holds_files()? {
            return Err(CliError::Usage(format!(
                "{}: the folder already holds files (another run's?); pass --overwrite to write over them, \
                 or give another --out",
                path.display()
            )));
        }
        Ok(folder)
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// After a failed run: the folder this run made is removed with what the run wrote into
    /// it (an incomplete run), unless `keep` (it holds a checkpoint to resume from).
    pub fn discard(self, keep: bool) {
        if self.created && !keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }

    /// Takes the folder's lock: a lock left by a process that has ended is replaced; one held
    /// by a running process is an error naming it.
    fn lock(path: PathBuf, created: bool) -> Result<Self, CliError> {
        let lock = path.join(LOCK_FILE);
        for _ in 0..2 {
            match std::fs::File::create_new(&lock) {
                Ok(mut file) => {
                    let written = writeln!(file, "{}", std::process::id());
                    // From here on, dropping the folder removes the lock (and the folder if empty).
                    let folder = Self { path, created };
                    written.map_err(|error| CliError::Failure(format!("{}: {error}", lock.display())))?;
                    return Ok(folder);
                }
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&lock).ok().and_then(|text| text.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if process_is_running(pid) => {
                            return Err(CliError::Usage(format!(
                                "{}: another run (process {pid}) is writing into this folder; wait for it to end \
                                 or give another --out",
                                path.display()
                            )));
                        }
                        // Left by a run that ended without removing it (killed), or half-written.
                        _ => std::fs::remove_file(&lock).map_err(|error| usage(&lock, &error))?,
                    }
                }
                Err(error) => return Err(usage(&lock, &error)),
            }
        }
        Err(CliError::Usage(format!("{}: another run keeps taking this folder's lock", path.display())))
    }

    /// Whether the folder holds anything besides the lock.
    fn holds_files(&self) -> Result<bool, CliError> {
        let entries = std::fs::read_dir(&self.path).map_err(|error| usage(&self.path, &error))?;
        Ok(entries.flatten().any(|entry| entry.file_name() != LOCK_FILE))
    }
}

impl Drop for RunFolder {
    /// Releases the lock; a folder this run made and left empty (a refused or failed run) is
    /// removed.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path.join(LOCK_FILE));
        if self.created {
            let _ = std::fs::remove_dir(&self.path);
        }
    }
}

/// Whether a process with this id is running. Linux says so in /proc; elsewhere (macOS,
/// Windows) a lock is taken to be held, and the error names the file to remove.
fn process_is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if cfg!(target_os = "linux") && proc.join("self").exists() { proc.join(pid.to_string()).exists() } else { true }
}

fn usage(path: &Path, error: &std::io::Error) -> CliError {
    CliError::Usage(format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!("neurone-run-folder-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        folder
    }

    #[test]
    fn a_locked_folder_is_refused_naming_the_process_and_released_when_dropped() {
        let path = scratch("locked");
        let first = RunFolder::named(&path, false).unwrap();
        let error = RunFolder::named(&path, true).err().unwrap().to_string();
        assert!(error.contains(&format!("process {}", std::process::id())), "{error}");
        drop(first);
        assert!(!path.exists(), "an empty folder made by the run is removed");
    }

    #[test]
    #[cfg_attr(not(target_os = "linux"), ignore = "a process's liveness is read in /proc")]
    fn a_stale_lock_is_replaced() {
        let path = scratch("stale");
        std::fs::create_dir_all(&path).unwrap();
        // No process has this id: Linux ids stay below 2^22.
        std::fs::write(path.join(LOCK_FILE), "4294967295\n").unwrap();
        let folder = RunFolder::named(&path, false).unwrap();
        assert_eq!(std::fs::read_to_string(path.join(LOCK_FILE)).unwrap().trim(), std::process::id().to_string());
        drop(folder);
        assert!(path.exists() && !path.join(LOCK_FILE).exists());
        std::fs::remove_dir_all(&path).unwrap();
    }

    #[test]
    fn a_folder_with_files_is_refused_unless_overwrite() {
        let path = scratch("files");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("model.safetensors"), "x").unwrap();
        let error = RunFolder::named(&path, false).err().unwrap().to_string();
        assert!(error.contains("--overwrite"), "{error}");
        assert!(!path.join(LOCK_FILE).exists(), "a refusal releases the lock");
        assert!(RunFolder::named(&path, true).is_ok());
        std::fs::remove_dir_all(&path).unwrap();
    }
}
