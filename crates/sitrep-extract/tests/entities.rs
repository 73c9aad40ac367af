//! Entity resolution on team-written text (fictional names and places), one test per
//! phenomenon: surnames and titles joining full names, possessives, roles from pre-modifiers
//! and appositions, pronouns by gender (and none for "I"/"we" in quotations), definite
//! descriptions, seats of power, and the token index the quote stage reads. A fixture with
//! all of them is kept as an insta snapshot. The seed articles' entities are printed for
//! reading by hand (`cargo test -p sitrep-extract --release --test entities -- --nocapture`).
//!
//! Without the model (`models/en_core_web_sm`, see `./scripts/fetch-models`) each test says so
//! on stderr and checks nothing.

use std::path::Path;
use std::sync::OnceLock;

use sitrep_extract::Analyzer;
use sitrep_extract::entities::{MentionKind, Resolution, ResolvedEntity, resolve};
use sitrep_nlp::Doc;

fn analyzer() -> Option<&'static Analyzer> {
    static ANALYZER: OnceLock<Option<Analyzer>> = OnceLock::new();
    ANALYZER
        .get_or_init(|| {
            let dir = sitrep_nlp::default_model_dir();
            if !dir.join("ner").join("model").exists() {
                eprintln!(
                    "skipped: model not found in {} (run ./scripts/fetch-models)",
                    dir.display()
                );
                return None;
            }
            Some(Analyzer::load(&dir).expect("model loads"))
        })
        .as_ref()
}

/// The analysis and resolution of `text`, spans checked against the text.
fn resolved(text: &str) -> Option<(Doc, Resolution)> {
    let doc = analyzer()?.pipeline().analyze(text);
    let resolution = resolve(&doc);
    for e in &resolution.entities {
        for m in &e.mentions {
            assert_eq!(doc.tokens[m.tokens.start].start, m.start);
            assert_eq!(doc.tokens[m.tokens.end - 1].end, m.end);
        }
        let mut sorted = e.mentions.clone();
        sorted.sort_by_key(|m| m.start);
        assert_eq!(sorted, e.mentions, "mentions of {} in text order", e.name);
    }
    Some((doc, resolution))
}

/// The entity named `name`.
fn entity<'a>(resolution: &'a Resolution, name: &str) -> &'a ResolvedEntity {
    let found: Vec<&ResolvedEntity> = resolution
        .entities
        .iter()
        .filter(|e| e.name == name)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one entity named {name:?} in {:#?}",
        resolution.entities
    );
    found[0]
}

/// The texts of an entity's mentions of one kind.
fn mentions<'a>(doc: &'a Doc, e: &ResolvedEntity, kind: MentionKind) -> Vec<&'a str> {
    e.mentions
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| &doc.text[m.start..m.end])
        .collect()
}

/// The entity of the `nth` token spelled `word`.
fn entity_of_word<'a>(
    doc: &Doc,
    resolution: &'a Resolution,
    word: &str,
    nth: usize,
) -> Option<&'a str> {
    let i = (0..doc.tokens.len())
        .filter(|&i| doc.token_text(i) == word)
        .nth(nth)
        .unwrap_or_else(|| panic!("no token {word:?} #{nth}"));
    resolution
        .entity_at(i)
        .map(|e| resolution.entities[e].name.as_str())
}

#[test]
fn surnames_and_titles_join_the_full_name() {
    let text = "Press Secretary Marta Olvenk spoke to reporters in Tessaly on Monday. \
                Olvenk said the ministry would publish its figures next week. \
                Asked about the delay, Ms. Olvenk declined to comment.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    let e = entity(&r, "Marta Olvenk");
    assert_eq!(e.kind, "PERSON");
    assert_eq!(
        mentions(&doc, e, MentionKind::Name),
        ["Marta Olvenk", "Olvenk", "Olvenk"]
    );
    assert!(
        e.roles.iter().any(|r| r == "Press Secretary"),
        "{:?}",
        e.roles
    );
    // Honorifics are no roles.
    assert!(e.roles.iter().all(|r| !r.contains("Ms")), "{:?}", e.roles);
}

#[test]
fn possessives_stay_outside_the_mention() {
    let text = "Governor Tomas Reddick defended the budget on Friday. \
                Reddick's office said the cuts were temporary.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    let e = entity(&r, "Tomas Reddick");
    assert_eq!(
        mentions(&doc, e, MentionKind::Name),
        ["Tomas Reddick", "Reddick"]
    );
    assert!(e.roles.iter().any(|r| r == "Governor"), "{:?}", e.roles);
}

#[test]
fn roles_from_pre_modifiers_and_appositions_are_kept_once() {
    let text = "Velorian President Anton Brask arrived in Dresk on Tuesday. \
                President Brask was greeted by Oren Talvik, the Velorian ambassador to Orlund. \
                Brask and Talvik then drove to the palace.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    let brask = entity(&r, "Anton Brask");
    assert_eq!(brask.roles, ["Velorian President"]);
    let talvik = entity(&r, "Oren Talvik");
    assert!(
        talvik
            .roles
            .iter()
            .any(|x| x.starts_with("Velorian ambassador")),
        "{:?}",
        talvik.roles
    );
    // The apposition describes him: its noun is a mention of his.
    assert_eq!(
        entity_of_word(&doc, &r, "ambassador", 0),
        Some("Oren Talvik")
    );
}

#[test]
fn pronouns_follow_gender_and_number() {
    let text = "Anton Brask met Marta Olvenk in Tessaly on Wednesday. \
                She told him the harbour deal was ready. \
                He said his government would sign it within a month.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity_of_word(&doc, &r, "She", 0), Some("Marta Olvenk"));
    assert_eq!(entity_of_word(&doc, &r, "him", 0), Some("Anton Brask"));
    assert_eq!(entity_of_word(&doc, &r, "He", 0), Some("Anton Brask"));
    assert_eq!(entity_of_word(&doc, &r, "his", 0), Some("Anton Brask"));
    let olvenk = entity(&r, "Marta Olvenk");
    assert_eq!(mentions(&doc, olvenk, MentionKind::Pronoun), ["She"]);
}

#[test]
fn first_person_pronouns_in_quotations_are_left_alone() {
    let text = "Marta Olvenk spoke after the vote. \
                \"I warned them, and we will keep warning them,\" Olvenk said.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity_of_word(&doc, &r, "I", 0), None);
    assert_eq!(entity_of_word(&doc, &r, "we", 0), None);
    assert_eq!(entity_of_word(&doc, &r, "Olvenk", 1), Some("Marta Olvenk"));
}

#[test]
fn definite_descriptions_join_the_entity_with_that_role() {
    let text = "Special Envoy Peter Talvik landed in Dresk late on Sunday. \
                Officials said the envoy would stay for three days.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    let e = entity(&r, "Peter Talvik");
    assert_eq!(mentions(&doc, e, MentionKind::Description), ["the envoy"]);
    // A role noun no entity carries joins nothing.
    let text = "Special Envoy Peter Talvik landed in Dresk. The mayor was not there.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity_of_word(&doc, &r, "mayor", 0), None);
}

#[test]
fn descriptions_two_entities_could_carry_are_left_alone() {
    let text = "Velorian President Anton Brask met Tarvian President Peter Olm on Friday. \
                Officials said the president would return home on Sunday.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity_of_word(&doc, &r, "president", 0), None);
}

#[test]
fn object_pronouns_are_not_their_clauses_subject() {
    let text = "Anton Brask said on Friday that he would like to meet Peter Olm, his Tarvian \
                counterpart, and talk to him about the harbour.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity_of_word(&doc, &r, "he", 0), Some("Anton Brask"));
    assert_eq!(entity_of_word(&doc, &r, "him", 0), Some("Peter Olm"));
    assert_eq!(
        entity_of_word(&doc, &r, "counterpart", 0),
        Some("Peter Olm")
    );
}

#[test]
fn seats_of_power_stand_for_their_state() {
    let text = "The Kremlin rejected the proposal on Thursday, while Washington said \
                talks would continue. Officials in Berlin declined to comment.";
    let Some((_, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity(&r, "Kremlin").stands_for.as_deref(), Some("Russia"));
    assert_eq!(
        entity(&r, "Washington").stands_for.as_deref(),
        Some("United States")
    );
    assert_eq!(entity(&r, "Berlin").stands_for.as_deref(), Some("Germany"));
}

#[test]
fn country_aliases_fold_into_one_entity() {
    let text = "The United States and Tessaly signed the accord. \
                U.S. officials called it a first step, and the US embassy agreed.";
    let Some((_, r)) = resolved(text) else {
        return;
    };
    assert_eq!(entity(&r, "United States").mentions.len(), 3);
}

#[test]
fn empty_and_odd_bodies_give_no_entities() {
    for text in ["", "\n\n", "he said she said", "\"We\""] {
        let Some((_, r)) = resolved(text) else {
            return;
        };
        assert!(r.entities.is_empty(), "{text:?}: {:?}", r.entities);
    }
}

#[test]
fn roles_pronouns_descriptions_and_metonyms() {
    let Some(analyzer) = analyzer() else {
        return;
    };
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

/// The seed articles' entities, for reading (`--nocapture`); checks that every person has a
/// name mention and that the seeds' speakers are found.
#[test]
fn seed_entities_are_printed() {
    let Some(analyzer) = analyzer() else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/examples/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no seeds in {}", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut names = Vec::new();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
    {
        let text = std::fs::read_to_string(path).expect("seed is readable");
        let doc = analyzer.pipeline().analyze(&text);
        let r = resolve(&doc);
        println!("== {}", path.display());
        for (i, e) in r.entities.iter().enumerate() {
            assert!(e.mentions.iter().any(|m| m.kind == MentionKind::Name));
            let ms: Vec<&str> = e.mentions.iter().map(|m| &text[m.start..m.end]).collect();
            println!(
                "e{} {} {:?} roles={:?} stands_for={:?} mentions={:?}",
                i + 1,
                e.kind,
                e.name,
                e.roles,
                e.stands_for,
                ms
            );
            names.push(e.name.clone());
        }
    }
    if !paths.is_empty() {
        for person in [
            "Karoline Leavitt",
            "Steve Witkoff",
            "Vladimir Putin",
            "Donald Trump",
        ] {
            assert!(names.iter().any(|n| n == person), "{person} in {names:?}");
        }
    }
}

/// Regression: the model types "Councillor Ansel Dorn" as an organisation; a personal title
/// before one to three capitalised words makes it a person, with the title as a role, and the
/// surname later joins it. A body opened by a title word stays a body.
#[test]
fn a_personal_title_makes_a_name_typed_as_an_organisation_a_person() {
    let text = "Councillor Ansel Dorn says the harbour plan works.\n\n\
                Dorn said it again on Friday.\n\n\
                The Mayor's Office did not reply.";
    let Some((doc, r)) = resolved(text) else {
        return;
    };
    let e = entity(&r, "Ansel Dorn");
    assert_eq!(e.kind, "PERSON");
    assert_eq!(
        mentions(&doc, e, MentionKind::Name),
        ["Councillor Ansel Dorn", "Dorn"]
    );
    assert!(e.roles.iter().any(|r| r == "Councillor"), "{:?}", e.roles);
    assert!(
        r.entities
            .iter()
            .all(|e| !e.name.contains("Office") || e.kind != "PERSON"),
        "{:#?}",
        r.entities
    );
}
