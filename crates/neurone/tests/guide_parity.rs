//! The guide exists in English and in French. These tests keep the two in step: the same
//! sections in the same order, the same links in each section (to the page of the same
//! language where one exists), the same commands, and anchors that lead to a heading.

use std::path::{Path, PathBuf};

/// The pages that have a French twin, `NAME.fr.md` beside `NAME.md`.
const PAGES: [&str; 5] = ["guide", "experiments", "worked-pass", "exercises", "ui"];

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(docs().join(name)).unwrap_or_else(|error| panic!("docs/{name}: {error}"))
}

/// A page cut at its `## ` headings: the text before the first heading, then each section.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut sections = vec![(String::new(), String::new())];
    let mut in_code = false;
    for line in text.lines() {
        in_code ^= line.trim_start().starts_with("```");
        match line.strip_prefix("## ") {
            Some(heading) if !in_code => sections.push((heading.to_string(), String::new())),
            _ => sections.last_mut().unwrap().1.push_str(&format!("{line}\n")),
        }
    }
    sections
}

/// The number a heading starts with (`6. The learning rate` → `6.`), if any.
fn number(heading: &str) -> Option<&str> {
    let end = heading.find(". ")?;
    heading[..end].chars().all(|c| c.is_ascii_digit()).then(|| &heading[..=end])
}

/// The targets of the markdown links `[text](target)` of `text`, code excepted.
fn links(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code || line.starts_with("    ") {
            continue;
        }
        for piece in line.split("](").skip(1) {
            if let Some(end) = piece.find(')') {
                targets.push(piece[..end].to_string());
            }
        }
    }
    targets
}

/// The commands of `text`: its indented lines that run something, without their comments.
fn commands(text: &str) -> Vec<String> {
    let runs = ["neurone ", "cargo ", "NEURONE_DATA=", "docs/", "bash ", "python"];
    // Indented by four spaces, or more inside a list.
    text.lines()
        .filter_map(|line| line.strip_prefix("    ").map(str::trim_start))
        .filter(|line| runs.iter().any(|start| line.starts_with(start)))
        .map(|line| line.split(" # ").next().unwrap().trim_end().to_string())
        .collect()
}

/// GitHub's anchor for a heading: lower case, spaces as hyphens, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of every heading of `text` (`#` to `######`), code excepted.
fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut anchors = Vec::new();
    for line in text.lines() {
        in_code ^= line.trim_start().starts_with("```");
        if !in_code && line.starts_with('#') {
            anchors.push(anchor(line.trim_start_matches('#').trim_start()));
        }
    }
    anchors
}

/// A link target with the language taken out: `experiments.fr.md#x` and `experiments.md#y`
/// both become `experiments.md`.
fn page_of(target: &str) -> String {
    target.split('#').next().unwrap().replace(".fr.md", ".md")
}

#[test]
fn both_languages_have_the_same_sections_in_the_same_order() {
    for page in PAGES {
        let (english, french) = (sections(&read(&format!("{page}.md"))), sections(&read(&format!("{page}.fr.md"))));
        let headings = |sections: &[(String, String)]| {
            sections.iter().map(|(h, _)| number(h).map(str::to_string)).collect::<Vec<_>>()
        };
        assert_eq!(
            english.len(),
            french.len(),
            "{page}: {} sections in English, {} in French",
            english.len(),
            french.len()
        );
        assert_eq!(headings(&english), headings(&french), "{page}: the sections are numbered differently");
    }
}

#[test]
fn each_section_links_the_same_pages_and_runs_the_same_commands_in_both_languages() {
    for page in PAGES {
        let (english, french) = (sections(&read(&format!("{page}.md"))), sections(&read(&format!("{page}.fr.md"))));
        for ((heading, english), (french_heading, french)) in english.iter().zip(&french) {
            let pages = |text: &str| links(text).iter().map(|target| page_of(target)).collect::<Vec<_>>();
            assert_eq!(pages(english), pages(french), "{page}, `{heading}` / `{french_heading}`: the links differ");
            assert_eq!(
                commands(english),
                commands(french),
                "{page}, `{heading}` / `{french_heading}`: the commands differ"
            );
        }
    }
}

#[test]
fn french_pages_link_french_pages_and_every_anchor_names_a_heading() {
    let mut checked = 0;
    for page in PAGES {
        for (name, french) in [(format!("{page}.md"), false), (format!("{page}.fr.md"), true)] {
            let text = read(&name);
            // The first line links the other language; every other link stays in this one.
            let body = text.split_once('\n').unwrap().1;
            for target in links(body) {
                if target.starts_with("http") {
                    continue;
                }
                let (file, fragment) = target.split_once('#').unwrap_or((&target, ""));
                let file = if file.is_empty() { name.clone() } else { file.to_string() };
                if file.ends_with(".md") {
                    let twin = file.replace(".fr.md", ".md").replace(".md", ".fr.md");
                    let expected =
                        if french && docs().join(&twin).exists() { twin } else { file.replace(".fr.md", ".md") };
                    assert_eq!(file, expected, "{name}: `{target}` should lead to `{expected}`");
                }
                let path = docs().join(&file);
                assert!(path.exists(), "{name}: `{target}` leads nowhere");
                if !fragment.is_empty() {
                    let headings = anchors(&read(&file));
                    assert!(
                        headings.iter().any(|h| h == fragment),
                        "{name}: `#{fragment}` is no heading of {file}: {headings:?}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} links checked");
}

#[test]
fn the_parsers_see_what_they_should() {
    let page = "*x [en](guide.md).*\n\n## 1. One\n\nSee [two](#2-two) and\n\n    neurone train a.toml   # why\n\n```rust\n## not a heading\n```\n## 2. Two\n";
    let sections = sections(page);
    assert_eq!(sections.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>(), ["", "1. One", "2. Two"]);
    assert_eq!(links(&sections[1].1), ["#2-two"]);
    assert_eq!(commands(&sections[1].1), ["neurone train a.toml"]);
    assert_eq!(anchor("3. Le surapprentissage, et trois remèdes"), "3-le-surapprentissage-et-trois-remèdes");
    assert_eq!(anchor("1. Les fonctions d'activation"), "1-les-fonctions-dactivation");
    assert_eq!(page_of("experiments.fr.md#1-x"), "experiments.md");
    assert_eq!(anchors(page), ["1-one", "2-two"]);
}
