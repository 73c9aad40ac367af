//! Entity resolution on a team-written fixture (fictional names): surnames and titles joining
//! full names, roles from pre-modifiers and appositions, pronouns, descriptions and
//! metonyms, as an insta snapshot; spans are checked against the text.

use std::path::Path;

use sitrep_extract::Analyzer;

#[test]
fn roles_pronouns_descriptions_and_metonyms() {
    let dir = sitrep_nlp::default_model_dir();
    assert!(
        dir.join("ner").join("model").exists(),
        "model not found in {}: run ./scripts/fetch-models first",
        dir.display()
    );
    let analyzer = Analyzer::load(&dir).expect("model loads");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/entities/roles_and_pronouns.txt");
    let body = std::fs::read_to_string(path).expect("fixture is readable");
    let extraction = analyzer.extract(&body);
    let mut out = String::new();
    for e in &extraction.entities {
        for m in &e.mentions {
            assert_eq!(&body[m.start..m.end], m.text);
        }
        let mentions: Vec<&str> = e.mentions.iter().map(|m| m.text.as_str()).collect();
        out.push_str(&format!(
            "{} {} {:?} roles={:?} stands_for={:?} mentions={:?}\n",
            e.id, e.kind, e.name, e.roles, e.stands_for, mentions
        ));
    }
    insta::assert_snapshot!(out);
}
