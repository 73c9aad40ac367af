//! The JSON output is the contract: every record the model serialises must validate against
//! `docs/schema/article.schema.json`, and the schema must reject what the contract forbids.

use sitrep_model::*;

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/schema/article.schema.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    match jsonschema::validator_for(&value) {
        Ok(v) => v,
        Err(e) => panic!("schema does not compile: {e}"),
    }
}

/// A record with every part of the contract filled in.
fn full_record() -> ArticleRecord {
    let mut article = Article::new(
        "wire.jsonl:3#w-1",
        "Mayor Ilse Brandt said the ferry would run.\n\nIt did.".to_string(),
    );
    article.title = Some("Ferry runs".into());
    article.published = NaiveDate::from_ymd_opt(2025, 5, 2);
    article.authors = vec!["Mara Quill".into()];
    let mention = Mention {
        text: "Ilse Brandt".into(),
        start: 6,
        end: 17,
    };
    let extraction = Extraction {
        entities: vec![Entity {
            id: "e1".into(),
            name: "Ilse Brandt".into(),
            kind: "PERSON".into(),
            roles: vec!["Mayor".into()],
            stands_for: Some("Velden".into()),
            mentions: vec![mention.clone()],
        }],
        quotes: vec![
            Quote {
                field: Default::default(),
                text: "the ferry would run".into(),
                kind: QuoteKind::Indirect,
                speaker: Some(Speaker {
                    entity: Some("e1".into()),
                    name: "Ilse Brandt".into(),
                    mention,
                }),
                cue: Some("said".into()),
                start: 23,
                end: 42,
            },
            Quote {
                field: TextField::Title,
                text: "ferry runs again".into(),
                kind: QuoteKind::Partial,
                speaker: None,
                cue: None,
                start: 8,
                end: 24,
            },
        ],
        events: vec![Event {
            kind: "CONSULT".into(),
            mode: None,
            context: vec![],
            cameo_root: "04".into(),
            quad_class: QuadClass::VerbalCooperation,
            source: vec![Actor {
                entity: Some("e1".into()),
                name: "Ilse Brandt".into(),
                country: Some("DEU".into()),
                sector: Some("government".into()),
                mention: Some(Mention {
                    text: "Brandt".into(),
                    start: 6,
                    end: 12,
                }),
            }],
            target: vec![],
            location: Some(Location {
                name: "Velden".into(),
                country: None,
                lat: Some(1.5),
                lon: Some(2.5),
                mention: None,
            }),
            date: Some(EventDate {
                text: "on Friday".into(),
                value: NaiveDate::from_ymd_opt(2025, 5, 2),
                start: None,
                end: None,
            }),
            casualties: Some(Casualties {
                killed: Some(3),
                injured: None,
                ..Default::default()
            }),
            negated: false,
            hypothetical: false,
            modality: "asserted".to_string(),
            cameo: Some("040".into()),
            trigger: Some(Mention {
                text: "met".into(),
                start: 13,
                end: 16,
            }),
            start: 0,
            end: 43,
        }],
    };
    ArticleRecord::new(article, extraction)
}

#[test]
fn serialised_records_validate() {
    let schema = schema();
    for record in [
        full_record(),
        ArticleRecord::from_article(Article::new("a.txt", "Text.".into())),
    ] {
        let value = serde_json::to_value(&record).unwrap_or_default();
        let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

#[test]
fn schema_rejects_contract_violations() {
    let schema = schema();
    let good = serde_json::to_value(full_record()).unwrap_or_default();
    let mutations: [(&str, serde_json::Value); 4] = [
        ("/schema", "sitrep/2".into()),
        ("/published", "2 May 2025".into()),
        ("/quotes/0/kind", "hearsay".into()),
        ("/events/0/quad_class", "neutral".into()),
    ];
    for (pointer, bad) in mutations {
        let mut v = good.clone();
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = bad;
        }
        assert!(!schema.is_valid(&v), "schema accepted a bad {pointer}");
    }
}

fn story_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/schema/story.schema.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    match jsonschema::validator_for(&value) {
        Ok(v) => v,
        Err(e) => panic!("story schema does not compile: {e}"),
    }
}

/// A story with a disagreement and a proposal whose positions run from proposed to
/// conditional.
fn full_story() -> Story {
    let on = |article: &str, start: usize, end: usize| (article.to_string(), start, end);
    let (a, s, e) = on("a1", 0, 40);
    Story {
        schema: SCHEMA.to_string(),
        id: "sa1".into(),
        title: "Ceasefire proposed".into(),
        articles: vec!["a1".into(), "a2".into()],
        outlets: vec!["Harbor Ledger".into()],
        span: StorySpan {
            first: NaiveDate::from_ymd_opt(2026, 3, 2),
            last: NaiveDate::from_ymd_opt(2026, 3, 4),
        },
        thread: Some("t1".into()),
        entities: vec![StoryEntity {
            name: "Norland".into(),
            kind: "GPE".into(),
            articles: 2,
            variants: vec![],
        }],
        quotes: vec![],
        events: vec![],
        disagreements: vec![Disagreement {
            subject: "Alina Korsa".into(),
            slot: "role".into(),
            values: vec![
                SourcedValue {
                    value: "Minister".into(),
                    article: "a1".into(),
                    start: 0,
                    end: 8,
                },
                SourcedValue {
                    value: "former Minister".into(),
                    article: "a2".into(),
                    start: 0,
                    end: 15,
                },
            ],
            within_article: false,
        }],
        proposals: vec![Proposal {
            subject: "30-day ceasefire".into(),
            variants: vec!["30-day truce".into()],
            positions: vec![
                Position {
                    party: "Alina Korsa".into(),
                    stance: "proposed".into(),
                    conditions: vec![],
                    date: NaiveDate::from_ymd_opt(2026, 3, 2),
                    article: a,
                    start: s,
                    end: e,
                },
                Position {
                    party: "Norland".into(),
                    stance: "conditional".into(),
                    conditions: vec![SourcedText {
                        text: "Vestria withdraws".into(),
                        article: "a2".into(),
                        start: 50,
                        end: 67,
                    }],
                    date: NaiveDate::from_ymd_opt(2026, 3, 4),
                    article: "a2".into(),
                    start: 0,
                    end: 70,
                },
            ],
        }],
    }
}

#[test]
fn serialised_stories_validate() {
    let schema = story_schema();
    let value = serde_json::to_value(full_story()).unwrap_or_default();
    let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Stories written before proposals existed still read.
    let mut old = value.clone();
    if let Some(o) = old.as_object_mut() {
        o.remove("proposals");
    }
    let back: Story = serde_json::from_value(old).unwrap_or_else(|e| panic!("{e}"));
    assert!(back.proposals.is_empty());
}

#[test]
fn story_schema_rejects_bad_positions() {
    let schema = story_schema();
    let value = serde_json::to_value(full_story()).unwrap_or_default();
    // A stance outside the set.
    let mut bad = value.clone();
    bad["proposals"][0]["positions"][0]["stance"] = "maybe".into();
    assert!(!schema.is_valid(&bad));
    // A conditional position without its conditions.
    let mut bad = value.clone();
    bad["proposals"][0]["positions"][1]["conditions"] = serde_json::json!([]);
    assert!(!schema.is_valid(&bad));
    // A position without its source.
    let mut bad = value;
    if let Some(o) = bad["proposals"][0]["positions"][0].as_object_mut() {
        o.remove("article");
    }
    assert!(!schema.is_valid(&bad));
}
