//! A fingerprint of the source of every crate an extraction depends on (sitrep-extract,
//! sitrep-nlp, sitrep-geo, sitrep-model: their `src` and `data` folders), for the stories
//! evaluation's extraction cache key: a change to the extraction code gives a new key, so a
//! stale cache is never read.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

const CRATES: [&str; 4] = ["sitrep-extract", "sitrep-nlp", "sitrep-geo", "sitrep-model"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut paths = Vec::new();
    for name in CRATES {
        for sub in ["src", "data", "Cargo.toml"] {
            let p = root.join("..").join(name).join(sub);
            if !p.exists() {
                // A missing path would make cargo rerun this script on every build.
                continue;
            }
            println!("cargo:rerun-if-changed={}", p.display());
            if p.is_dir() {
                files(&p, &mut paths);
            } else {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut h = DefaultHasher::new();
    for p in &paths {
        let rel = p.strip_prefix(&root).unwrap_or(p);
        h.write(rel.to_string_lossy().as_bytes());
        h.write_u8(0);
        h.write(&std::fs::read(p).unwrap_or_default());
        h.write_u8(0);
    }
    println!(
        "cargo:rustc-env=SITREP_EXTRACTION_SOURCE={:016x}",
        h.finish()
    );
}
