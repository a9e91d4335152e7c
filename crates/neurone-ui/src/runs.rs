//! The runs page's API: the run folders under the runs folder (each with its configuration,
//! metrics and plots), and their files, read-only.
//!
//! Nothing outside the runs folder can be read: a path with `..`, an absolute one, a hidden
//! file, or a symbolic link that leads out (once resolved) is refused; only the kinds of file
//! a run writes are served.

use std::path::{Component, Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use neurone::io::run_files;
use serde::Serialize;

/// The most run folders listed, and how deep under the runs folder they are looked for
/// (`runs/NAME`, and `runs/SEARCH/NAME` for a search's refit).
const MAX_RUNS: usize = 500;
const MAX_DEPTH: usize = 2;
/// The largest file served.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// A run folder, as the page lists it.
#[derive(Serialize)]
struct Run {
    /// Its path under the runs folder, with `/` between names.
    name: String,
    /// `config.toml`, if present.
    config: Option<String>,
    /// `metrics.json`, if present and JSON.
    metrics: Option<serde_json::Value>,
    /// Whether it has a `history.csv` (fetched as a file).
    history: bool,
    /// Its PNG plots, by file name.
    plots: Vec<String>,
    /// True while a run holds the folder's lock (training in progress).
    in_progress: bool,
    /// Seconds since the Unix epoch of its last change.
    modified: f64,
}

/// The routes of the runs page's API, reading `root`.
pub fn routes(root: PathBuf) -> Router {
    Router::new().route("/api/runs", get(list)).route("/api/runs/files/{*path}", get(file)).with_state(root)
}

/// `GET /api/runs`: every run folder, most recent first.
async fn list(State(root): State<PathBuf>) -> Response {
    match tokio::task::spawn_blocking(move || find_runs(&root)).await {
        Ok(runs) => Json(runs).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn find_runs(root: &Path) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut folders = vec![(root.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            // Symbolic links are not followed: a run folder is a real folder inside the root.
            if hidden || !entry.file_type().is_ok_and(|kind| kind.is_dir()) || runs.len() >= MAX_RUNS {
                continue;
            }
            if let Some(run) = read_run(root, &path) {
                runs.push(run);
            } else if depth + 1 < MAX_DEPTH {
                folders.push((path, depth + 1));
            }
        }
    }
    runs.sort_by(|a, b| b.modified.total_cmp(&a.modified).then_with(|| a.name.cmp(&b.name)));
    runs
}

/// The run in `folder`, if it is one (it has a `config.toml` or a `history.csv`).
fn read_run(root: &Path, folder: &Path) -> Option<Run> {
    let config = std::fs::read_to_string(folder.join(run_files::CONFIG)).ok();
    let history = folder.join(run_files::HISTORY);
    let has_history = history.is_file();
    if config.is_none() && !has_history {
        return None;
    }
    let metrics =
        std::fs::read(folder.join(run_files::METRICS)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let mut plots: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".png") && !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    plots.sort();
    let modified = [folder.to_path_buf(), history]
        .iter()
        .filter_map(|path| path.metadata().and_then(|metadata| metadata.modified()).ok())
        .filter_map(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|since| since.as_secs_f64())
        .fold(0.0, f64::max);
    let name = folder
        .strip_prefix(root)
        .ok()?
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Some(Run {
        name,
        config,
        metrics,
        history: has_history,
        plots,
        in_progress: folder.join(run_files::LOCK).exists(),
        modified,
    })
}

/// `GET /api/runs/files/{path}`: a file of a run, if it is inside the runs folder and of a
/// kind a run writes.
async fn file(State(root): State<PathBuf>, UrlPath(path): UrlPath<String>) -> Response {
    let Some(content_type) = content_type(&path) else {
        return (StatusCode::NOT_FOUND, "not a file a run writes").into_response();
    };
    let Some(resolved) = resolve(&root, &path) else {
        return (StatusCode::NOT_FOUND, "no such file in the runs folder").into_response();
    };
    match tokio::fs::read(&resolved).await {
        Ok(bytes) => {
            ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-store")], bytes).into_response()
        }
        Err(_) => (StatusCode::NOT_FOUND, "no such file in the runs folder").into_response(),
    }
}

/// The content type of the files a run writes, by extension; `None` for any other file.
fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    Some(match extension {
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "toml" | "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// `relative` (already percent-decoded) inside `root`: only plain names (no `..`, no root, no
/// hidden names), and once every symbolic link is resolved, still inside `root`, a regular
/// file of at most 64 MiB.
pub fn resolve(root: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    let plain = relative.components().all(|component| match component {
        Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
        _ => false,
    });
    if !plain || relative.as_os_str().is_empty() || relative.to_string_lossy().contains('\\') {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let resolved = root.join(relative).canonicalize().ok()?;
    let metadata = resolved.metadata().ok()?;
    (resolved.starts_with(&root) && metadata.is_file() && metadata.len() <= MAX_FILE_BYTES).then_some(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_root_resolve() {
        let folder = std::env::temp_dir().join(format!("neurone-ui-resolve-{}", std::process::id()));
        let root = folder.join("runs");
        std::fs::create_dir_all(root.join("sine")).unwrap();
        std::fs::write(root.join("sine/history.csv"), "epoch\n").unwrap();
        std::fs::write(folder.join("secret.csv"), "secret\n").unwrap();
        std::os::unix::fs::symlink(folder.join("secret.csv"), root.join("sine/link.csv")).unwrap();

        assert!(resolve(&root, "sine/history.csv").is_some());
        for path in
            ["../secret.csv", "sine/../../secret.csv", "/etc/passwd", "sine/link.csv", "sine/.hidden.csv", "", "sine"]
        {
            assert_eq!(resolve(&root, path), None, "{path}");
        }
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
