//! Golden files: one fixture per phenomenon in `tests/fixtures/`, the cleaned article as an
//! insta snapshot in `tests/snapshots/`. Review snapshot changes as data.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use sitrep_ingest::{CleanOptions, Inputs, clean};

/// A readable rendering of everything the cleaner found in one input.
fn render(path: &Path) -> String {
    let mut out = String::new();
    for item in Inputs::new(&[path.to_path_buf()]) {
        let doc = match item {
            Ok(doc) => doc,
            Err(e) => {
                let _ = writeln!(out, "input error: {}", e.reason);
                continue;
            }
        };
        let article = match clean(doc, &CleanOptions::default()) {
            Ok(a) => a,
            Err(e) => {
                let _ = writeln!(out, "clean error: {}", e.reason);
                continue;
            }
        };
        let _ = writeln!(out, "id: {}", article.id);
        let _ = writeln!(out, "format: {}", article.format.as_str());
        let _ = writeln!(out, "outlet: {:?}", article.outlet);
        let _ = writeln!(out, "url: {:?}", article.url);
        let _ = writeln!(out, "title: {:?}", article.title);
        let _ = writeln!(out, "subtitle: {:?}", article.subtitle);
        let _ = writeln!(
            out,
            "published: {:?}",
            article.published.map(|d| d.to_string())
        );
        let _ = writeln!(out, "authors: {:?}", article.authors);
        let _ = writeln!(out, "language: {:?}", article.language);
        let _ = writeln!(out, "diagnostics: {:?}", article.diagnostics);
        for block in &article.blocks {
            let text = &article.body[block.start..block.end];
            let (s, e) = article
                .offsets
                .range_to_source(block.start, block.end)
                .unwrap_or((0, 0));
            let exact = article.offsets.is_exact(block.start);
            let _ = writeln!(
                out,
                "[{:?} {}..{} <- source {s}..{e}{}] {text}",
                block.kind,
                block.start,
                block.end,
                if exact { "" } else { " ~" }
            );
        }
    }
    out
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn golden_fixtures() {
    let files = fixtures();
    assert!(files.len() >= 7, "fixtures missing: {files:?}");
    for path in files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("fixture")
            .to_string();
        insta::assert_snapshot!(name, render(&path));
    }
}

/// Every block's first word maps back to the same word in the source.
#[test]
fn offsets_point_at_the_same_words() {
    for path in fixtures() {
        for doc in Inputs::new(std::slice::from_ref(&path)).flatten() {
            let Ok(article) = clean(doc, &CleanOptions::default()) else {
                continue;
            };
            for block in &article.blocks {
                let text = &article.body[block.start..block.end];
                let word: String = text.chars().take_while(|c| c.is_alphanumeric()).collect();
                if word.len() < 2 || !article.offsets.is_exact(block.start) {
                    continue;
                }
                let src = article.offsets.to_source(block.start).unwrap_or(0);
                assert_eq!(
                    article.source.get(src..src + word.len()),
                    Some(word.as_str()),
                    "{}: {text}",
                    path.display()
                );
            }
        }
    }
}
