//! Prints the entities resolved in each file, one line per entity (type, name, roles, state a
//! seat of power stands for, mentions), for reading by hand:
//!
//! ```sh
//! cargo run --release -p sitrep-extract --example entities -- ../shared/examples/seeds/*.txt
//! ```
//!
//! A `.conll` file (GUM: `index TAB token ...`) is read as its tokens joined by spaces.

use sitrep_extract::entities::{MentionKind, resolve};

fn main() {
    let dir = sitrep_nlp::default_model_dir();
    let nlp = match sitrep_nlp::Pipeline::load(&dir) {
        Ok(nlp) => nlp,
        Err(e) => {
            eprintln!(
                "entities: cannot load the model from {}: {e}",
                dir.display()
            );
            std::process::exit(2);
        }
    };
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("entities: cannot read {path}: {e}");
                continue;
            }
        };
        let doc = if path.ends_with(".conll") {
            let words: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split('\t').nth(1))
                .collect();
            nlp.analyze_words(&words, None)
        } else {
            nlp.analyze(&text)
        };
        println!("== {path}");
        let resolution = resolve(&doc);
        for (i, e) in resolution.entities.iter().enumerate() {
            let mentions: Vec<String> = e
                .mentions
                .iter()
                .map(|m| {
                    let mark = match m.kind {
                        MentionKind::Name => "",
                        MentionKind::Pronoun => "~",
                        MentionKind::Description => "=",
                    };
                    format!("{mark}{}", &doc.text[m.start..m.end])
                })
                .collect();
            let stands_for = e
                .stands_for
                .as_deref()
                .map_or(String::new(), |s| format!(" -> {s}"));
            println!(
                "e{} {} {:?}{stands_for} roles={:?} mentions={}",
                i + 1,
                e.kind,
                e.name,
                e.roles,
                mentions.join(" | ")
            );
        }
    }
}
