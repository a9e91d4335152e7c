//! The guide quotes neurone's code: file paths, `Type::function` names and excerpts. These tests
//! fail when the code changes under a quotation, so that the guide is updated with it.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guides() -> Vec<(PathBuf, String)> {
    [
        "docs/guide.md",
        "docs/guide.fr.md",
        "docs/experiments.md",
        "docs/experiments.fr.md",
        "docs/worked-pass.md",
        "docs/worked-pass.fr.md",
    ]
    .iter()
    .map(|name| root().join(name))
    .map(|path| {
        let text = std::fs::read_to_string(&path).unwrap();
        (path, text)
    })
    .collect()
}

/// Every `.rs` file under `folder`, with its text.
fn sources(folder: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path, text));
        }
    }
    files
}

/// The text between backticks, outside code blocks.
fn inline_code(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            spans.extend(line.split('`').skip(1).step_by(2));
        }
    }
    spans
}

/// Code without whitespace or a trailing comma before a closing bracket, so that an excerpt
/// written on one line matches the same call as rustfmt spreads it over several.
fn squeezed(code: &str) -> String {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    code.replace(",)", ")")
}

#[test]
fn quoted_files_exist() {
    let mut checked = 0;
    for (guide, text) in guides() {
        for span in inline_code(&text) {
            let looks_like_path = span.ends_with(".rs") || span.ends_with(".toml") || span.ends_with(".sh");
            if looks_like_path && span.contains('/') && !span.contains(' ') {
                // Paths are from the repository's root, or from the library's src/ for short ones
                // such as `layer/dense.rs`.
                let found =
                    [root().join(span), root().join("crates/neurone/src").join(span)].iter().any(|p| p.exists());
                assert!(found, "{}: `{span}` does not exist", guide.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "only {checked} paths found: is the guide still quoting files?");
}

#[test]
fn quoted_functions_exist() {
    let code: String = sources(&root().join("crates")).into_iter().map(|(_, text)| text).collect();
    let mut checked = 0;
    for (guide, text) in guides() {
        for span in inline_code(&text) {
            let is_name = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_');
            let Some((owner, function)) = span.split_once("::") else { continue };
            if !(is_name(owner) && is_name(function) && owner.starts_with(char::is_uppercase)) {
                continue;
            }
            // `Type::function`: a function of that name (variants such as `Init::Zeros` are
            // types' values, checked as such).
            let found = if function.starts_with(char::is_uppercase) {
                code.contains(&format!("{function}("))
                    || code.contains(&format!("{function},"))
                    || code.contains(&format!("{function} {{"))
            } else {
                code.contains(&format!("fn {function}(")) || code.contains(&format!("fn {function}<"))
            };
            assert!(found, "{}: `{span}` names nothing in crates/", guide.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} names found: is the guide still quoting functions?");
}

#[test]
fn rust_excerpts_are_in_the_code() {
    // The library's code, and its examples (the workbench's pieces).
    let files = [root().join("crates/neurone/src"), root().join("crates/neurone/examples")]
        .into_iter()
        .flat_map(|folder| sources(&folder));
    let code = squeezed(&files.map(|(_, text)| text).collect::<String>());
    let mut checked = 0;
    for (guide, text) in guides() {
        let mut in_rust = false;
        for line in text.lines() {
            match line.trim() {
                "```rust" => in_rust = true,
                "```" => in_rust = false,
                excerpt if in_rust && excerpt != "..." && !excerpt.is_empty() => {
                    assert!(code.contains(&squeezed(excerpt)), "{}: not in the code: {excerpt}", guide.display());
                    checked += 1;
                }
                _ => {}
            }
        }
    }
    assert!(checked >= 5, "only {checked} excerpt lines found: is the guide still quoting code?");
}
