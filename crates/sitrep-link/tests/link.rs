//! Linking on hand-built records (no model needed): canonical entities across spellings,
//! role conflicts against detail, casualty ranges, quote merging with variants.

use sitrep_model::*;

fn record(
    id: &str,
    body: &str,
    entities: Vec<Entity>,
    quotes: Vec<Quote>,
    events: Vec<Event>,
) -> ArticleRecord {
    let mut article = Article::new(id, body.to_string());
    article.id = id.to_string();
    ArticleRecord::new(
        article,
        Extraction {
            entities,
            quotes,
            events,
        },
    )
}

fn person(id: &str, name: &str, roles: &[&str], body: &str) -> Entity {
    let start = body
        .find(name.split_whitespace().last().unwrap_or(name))
        .unwrap_or(0);
    Entity {
        id: id.into(),
        name: name.into(),
        kind: "PERSON".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        mentions: vec![Mention {
            text: name.into(),
            start,
            end: start + name.len(),
        }],
        stands_for: None,
    }
}

fn strike(killed_text: &str, killed: u64, at: usize) -> Event {
    Event {
        kind: "ASSAULT".into(),
        mode: None,
        context: vec![],
        cameo_root: "19".into(),
        quad_class: QuadClass::MaterialConflict,
        source: vec![Actor {
            entity: Some("e1".into()),
            name: "Russia".into(),
            country: Some("RUS".into()),
            sector: None,
            mention: None,
        }],
        target: vec![],
        location: Some(Location {
            name: "Sumy".into(),
            country: Some("UKR".into()),
            lat: Some(50.9),
            lon: Some(34.8),
            mention: None,
        }),
        date: None,
        casualties: Some(Casualties {
            killed: Some(killed),
            mentions: vec![Mention {
                text: killed_text.into(),
                start: at,
                end: at + killed_text.len(),
            }],
            ..Default::default()
        }),
        negated: false,
        hypothetical: false,
        modality: "asserted".into(),
        cameo: None,
        trigger: None,
        start: 0,
        end: 10,
    }
}

fn russia(body: &str) -> Entity {
    let start = body.find("Russia").unwrap_or(0);
    Entity {
        id: "e1".into(),
        name: "Russia".into(),
        kind: "GPE".into(),
        roles: vec![],
        mentions: vec![Mention {
            text: "Russia".into(),
            start,
            end: start + 6,
        }],
        stands_for: None,
    }
}

#[test]
fn transliterations_are_one_entity_with_variants() {
    let a = "Zelensky spoke.";
    let b = "Zelenskiy spoke.";
    let linked = sitrep_link::link(&[
        record(
            "a",
            a,
            vec![person("e1", "Volodymyr Zelensky", &["President"], a)],
            vec![],
            vec![],
        ),
        record(
            "b",
            b,
            vec![person(
                "e1",
                "Volodymyr Zelenskiy",
                &["Ukrainian President"],
                b,
            )],
            vec![],
            vec![],
        ),
    ]);
    assert_eq!(linked.entities.len(), 1, "{:?}", linked.entities);
    assert_eq!(linked.entities[0].articles, 2);
    assert_eq!(linked.entities[0].variants.len(), 1);
    // "President" vs "Ukrainian President" is detail.
    assert!(
        linked.disagreements.is_empty(),
        "{:?}",
        linked.disagreements
    );
}

#[test]
fn a_former_title_contradicts_a_sitting_one() {
    let a = "Former President Arno Quist spoke.";
    let b = "President Arno Quist spoke.";
    let linked = sitrep_link::link(&[
        record(
            "a",
            a,
            vec![person("e1", "Arno Quist", &["Former President"], a)],
            vec![],
            vec![],
        ),
        record(
            "b",
            b,
            vec![person("e1", "Arno Quist", &["President"], b)],
            vec![],
            vec![],
        ),
    ]);
    assert_eq!(linked.disagreements.len(), 1);
    let d = &linked.disagreements[0];
    assert_eq!(
        (d.subject.as_str(), d.slot.as_str()),
        ("Arno Quist", "role")
    );
    assert!(!d.within_article);
    assert_eq!(&a[d.values[0].start..d.values[0].end], "Former President");
}

#[test]
fn casualty_ranges_conflict_only_when_they_cannot_both_hold() {
    let a = "Russia struck Sumy, killing at least 34 people.";
    let b = "Russia struck Sumy, killing more than 30 people.";
    let c = "Russia struck Sumy, killing 21 people.";
    let rec = |id: &str, body: &str, text: &str, n: u64| {
        let at = body.find(text).unwrap_or(0);
        record(
            id,
            body,
            vec![russia(body)],
            vec![],
            vec![strike(text, n, at)],
        )
    };
    let ok = sitrep_link::link(&[
        rec("a", a, "killing at least 34", 34),
        rec("b", b, "killing more than 30", 30),
    ]);
    assert!(ok.disagreements.is_empty(), "{:?}", ok.disagreements);
    assert_eq!(ok.events.len(), 1);
    assert_eq!(
        ok.events[0].articles,
        vec!["a".to_string(), "b".to_string()]
    );
    let bad = sitrep_link::link(&[
        rec("a", a, "killing at least 34", 34),
        rec("c", c, "killing 21", 21),
    ]);
    assert_eq!(bad.disagreements.len(), 1);
    assert_eq!(bad.disagreements[0].slot, "killed");
}

#[test]
fn one_quote_reported_twice_is_merged_with_its_variant() {
    let a = "\"The bridge will reopen in May,\" Quist said.";
    let b = "\"The bridge will reopen in June,\" Quist said.";
    let quote = |body: &str, text: &str| {
        let start = body.find(text).unwrap_or(0);
        let s = body.find("Quist").unwrap_or(0);
        Quote {
            text: text.into(),
            kind: QuoteKind::Direct,
            speaker: Some(Speaker {
                entity: Some("e1".into()),
                name: "Arno Quist".into(),
                mention: Mention {
                    text: "Quist".into(),
                    start: s,
                    end: s + 5,
                },
            }),
            cue: Some("said".into()),
            field: TextField::Body,
            start,
            end: start + text.len(),
        }
    };
    let linked = sitrep_link::link(&[
        record(
            "a",
            a,
            vec![person("e1", "Arno Quist", &[], a)],
            vec![quote(a, "The bridge will reopen in May,")],
            vec![],
        ),
        record(
            "b",
            b,
            vec![person("e1", "Arno Quist", &[], b)],
            vec![quote(b, "The bridge will reopen in June,")],
            vec![],
        ),
    ]);
    assert_eq!(linked.quotes.len(), 1, "{:?}", linked.quotes);
    assert_eq!(linked.quotes[0].articles.len(), 2);
    assert_eq!(linked.quotes[0].variants.len(), 1);
    assert_eq!(linked.quotes[0].speaker.as_deref(), Some("Arno Quist"));
}

#[test]
fn no_articles_link_to_nothing() {
    let linked = sitrep_link::link(&[]);
    assert!(linked.entities.is_empty() && linked.disagreements.is_empty());
}

#[test]
fn a_merged_event_is_told_with_its_resolved_actors() {
    let consult = |target: Actor| Event {
        kind: "CONSULT".into(),
        cameo_root: "04".into(),
        quad_class: QuadClass::VerbalCooperation,
        source: vec![Actor {
            entity: Some("e1".into()),
            name: "Arvo Lind".into(),
            country: None,
            sector: None,
            mention: None,
        }],
        target: vec![target],
        location: None,
        casualties: None,
        hypothetical: true,
        modality: "proposed".into(),
        ..strike("", 0, 0)
    };
    let a = "Arvo Lind wants to talk to Mira Holt soon.";
    let b = "Arvo Lind said he would love to meet him.";
    let holt = Actor {
        entity: Some("e2".into()),
        name: "Mira Holt".into(),
        country: None,
        sector: None,
        mention: None,
    };
    let him = Actor {
        entity: None,
        name: "him".into(),
        country: None,
        sector: None,
        mention: None,
    };
    let story = sitrep_link::link(&[
        record(
            "a",
            a,
            vec![
                person("e1", "Arvo Lind", &[], a),
                person("e2", "Mira Holt", &[], a),
            ],
            vec![],
            vec![consult(holt)],
        ),
        record(
            "b",
            b,
            vec![person("e1", "Arvo Lind", &[], b)],
            vec![],
            vec![consult(him)],
        ),
    ]);
    assert_eq!(story.events.len(), 1, "{:?}", story.events);
    let targets: Vec<&str> = story.events[0]
        .event
        .target
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(targets, ["Mira Holt"]);
    assert_eq!(story.events[0].articles, ["a", "b"]);
}
