//! Command-line errors: one line for the user, and the exit code that says whose fault it was.

use std::fmt;
use std::path::Path;

/// A failed command: a mistake in what the user gave (exit code 2), or a failure of the run
/// itself (exit code 1), such as diverging training or a disk that cannot be written.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: a missing or malformed file, a bad value, an impossible combination.
    Usage(String),
    /// The input was fine but the work failed.
    Failure(String),
    /// The user stopped the run (Ctrl-C); what was done is saved.
    Interrupted(String),
}

impl CliError {
    /// 2 for usage errors (as clap exits on bad arguments), 1 for failures, 130 for an
    /// interruption (the shell's convention for SIGINT).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failure(_) => 1,
            CliError::Interrupted(_) => 130,
        }
    }

    /// Prefixes the message with the file it concerns.
    pub fn in_file(self, path: &Path) -> Self {
        let prefix = |message: String| format!("{}: {message}", path.display());
        match self {
            CliError::Usage(message) => CliError::Usage(prefix(message)),
            CliError::Failure(message) => CliError::Failure(prefix(message)),
            CliError::Interrupted(message) => CliError::Interrupted(message),
        }
    }
}

impl From<neurone::Error> for CliError {
    /// Divergence, download errors and file-system failures are failures of the run; a file
    /// the user named that is missing, a folder or unreadable is bad input, as is every other
    /// library error (a value, file or shape the user chose).
    fn from(error: neurone::Error) -> Self {
        use std::io::ErrorKind::{IsADirectory, NotADirectory, NotFound, PermissionDenied};
        match &error {
            neurone::Error::Io { source, .. }
                if matches!(source.kind(), NotFound | IsADirectory | NotADirectory | PermissionDenied) =>
            {
                CliError::Usage(error.to_string())
            }
            neurone::Error::Diverged { .. } | neurone::Error::Io { .. } | neurone::Error::Download { .. } => {
                CliError::Failure(error.to_string())
            }
            _ => CliError::Usage(error.to_string()),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) | CliError::Failure(message) | CliError::Interrupted(message) => {
                f.write_str(message)
            }
        }
    }
}
