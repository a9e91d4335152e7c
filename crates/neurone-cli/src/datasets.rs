//! `neurone datasets`: the built-in datasets, where each is stored, and whether it is there.

use std::path::Path;

use neurone::datasets::{RemoteFile, default_folder, insurance_file, mnist_files};

use crate::error::CliError;

/// Prints one line per dataset.
pub fn list() -> Result<(), CliError> {
    let folder = default_folder()?;
    print_line!("data folder: {} (NEURONE_DATA, else the per-user cache)\n", folder.display());
    let rows = [
        ("dataset", "source", "status".to_owned()),
        ("sine", "generated", "always available: y = sin x on [0, 2π]".to_owned()),
        ("xor", "built in", "always available: the four points".to_owned()),
        ("iris", "embedded", "always available: 150 flowers, 3 species".to_owned()),
        ("insurance", "data folder", status(&folder, &[insurance_file()])),
        ("mnist", "data folder", status(&folder, &mnist_files())),
        ("csv", "your file", "any CSV with a header row: data.path and data.target".to_owned()),
    ];
    for (dataset, source, status) in rows {
        print_line!("{dataset:<11}{source:<15}{status}");
    }
    Ok(())
}

/// "present: PATH", or which files are missing and where they would come from.
fn status(folder: &Path, files: &[RemoteFile]) -> String {
    let present = |file: &RemoteFile| {
        let plain = folder.join(&file.name);
        let compressed = folder.join(format!("{}.gz", file.name));
        [plain, compressed].into_iter().find(|path| path.is_file())
    };
    let missing: Vec<&RemoteFile> = files.iter().filter(|file| present(file).is_none()).collect();
    match missing.as_slice() {
        [] => match files.iter().filter_map(present).collect::<Vec<_>>().as_slice() {
            [path] => format!("present: {}", path.display()),
            paths => {
                let folder = paths[0].parent().unwrap_or(folder);
                format!("present: {} files in {}", paths.len(), folder.display())
            }
        },
        [first, ..] => format!(
            "missing {} of {} files (downloaded on first use, e.g. from {})",
            missing.len(),
            files.len(),
            first.url
        ),
    }
}
