//! Proposals and positions on hand-built records (no model needed): one proposal followed over
//! four articles from proposed to conditional to rejected to accepted, every position sourced;
//! two proposals told apart by their numbers; a sentence naming a proposal without a stance
//! gives no position.

use sitrep_model::*;

fn entity(id: &str, name: &str, kind: &str, body: &str) -> Entity {
    let start = body.find(name).unwrap_or(0);
    Entity {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        roles: Vec::new(),
        mentions: vec![Mention {
            text: name.into(),
            start,
            end: start + name.len(),
        }],
        stands_for: None,
    }
}

fn article(id: &str, day: u32, body: &str, entities: &[(&str, &str)]) -> ArticleRecord {
    let mut a = Article::new(id, body.to_string());
    a.id = id.to_string();
    a.published = NaiveDate::from_ymd_opt(2026, 3, day);
    let entities = entities
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| entity(&format!("e{i}"), name, kind, body))
        .collect();
    ArticleRecord::new(
        a,
        Extraction {
            entities,
            quotes: Vec::new(),
            events: Vec::new(),
        },
    )
}

#[test]
fn one_ceasefire_from_proposed_to_accepted() {
    // Given out of order: positions come back in publication order.
    let records = vec![
        article(
            "d",
            10,
            "Norland accepted the 30-day ceasefire on Sunday.",
            &[("Norland", "GPE")],
        ),
        article(
            "a",
            2,
            "Minister Alina Korsa proposed a 30-day ceasefire on Monday.",
            &[("Alina Korsa", "PERSON")],
        ),
        article(
            "c",
            6,
            "President Tomas Reyk rejected the 30-day truce, calling it a trap.",
            &[("Tomas Reyk", "PERSON")],
        ),
        article(
            "b",
            4,
            "Norland would accept the ceasefire only if Vestria withdraws its troops, officials said.",
            &[("Norland", "GPE"), ("Vestria", "GPE")],
        ),
    ];
    let linked = sitrep_link::link(&records);
    assert_eq!(linked.proposals.len(), 1, "{:#?}", linked.proposals);
    let p = &linked.proposals[0];
    assert_eq!(p.subject, "30-day ceasefire");
    assert_eq!(p.variants, ["30-day truce"]);
    let seen: Vec<(&str, &str, &str)> = p
        .positions
        .iter()
        .map(|x| (x.article.as_str(), x.party.as_str(), x.stance.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("a", "Alina Korsa", "proposed"),
            ("b", "Norland", "conditional"),
            ("c", "Tomas Reyk", "rejected"),
            ("d", "Norland", "accepted"),
        ]
    );
    // Every position and condition points at its words.
    for x in &p.positions {
        let body = &records.iter().find(|r| r.id == x.article).map(|r| &r.body);
        let sentence = body.map(|b| &b[x.start..x.end]).unwrap_or_default();
        assert!(sentence.contains(x.party.split(' ').next().unwrap_or("")));
    }
    let cond = &p.positions[1].conditions;
    assert_eq!(cond.len(), 1);
    assert_eq!(cond[0].text, "Vestria withdraws its troops");
    assert_eq!(cond[0].article, "b");
    assert_eq!(
        &records[3].body[cond[0].start..cond[0].end],
        "Vestria withdraws its troops"
    );
    assert_eq!(p.positions[0].date, NaiveDate::from_ymd_opt(2026, 3, 2));
}

#[test]
fn different_numbers_are_different_proposals() {
    let records = vec![article(
        "a",
        1,
        "General Otto Vance proposed a 90-day ceasefire. Envoy Lina Marsh rejected a 7-day ceasefire.",
        &[("Otto Vance", "PERSON"), ("Lina Marsh", "PERSON")],
    )];
    let linked = sitrep_link::link(&records);
    let subjects: Vec<&str> = linked
        .proposals
        .iter()
        .map(|p| p.subject.as_str())
        .collect();
    assert_eq!(subjects, ["90-day ceasefire", "7-day ceasefire"]);
    assert_eq!(linked.proposals[1].positions[0].stance, "rejected");
}

#[test]
fn naming_a_proposal_is_not_a_position() {
    let records = vec![article(
        "a",
        1,
        "The ceasefire held overnight in Almsby. A 30-day truce has been discussed for weeks.",
        &[("Almsby", "GPE")],
    )];
    assert!(sitrep_link::link(&records).proposals.is_empty());
}

#[test]
fn refusing_to_accept_and_a_back_reference() {
    let records = vec![article(
        "a",
        1,
        "Mayor Edda Lund unveiled a flood relief plan. Councillor Piet Arends refused to accept the plan.",
        &[("Edda Lund", "PERSON"), ("Piet Arends", "PERSON")],
    )];
    let linked = sitrep_link::link(&records);
    assert_eq!(linked.proposals.len(), 1);
    let stances: Vec<(&str, &str)> = linked.proposals[0]
        .positions
        .iter()
        .map(|x| (x.party.as_str(), x.stance.as_str()))
        .collect();
    assert_eq!(
        stances,
        [("Edda Lund", "proposed"), ("Piet Arends", "rejected")]
    );
}

#[test]
fn a_guess_is_not_a_position_and_without_is_a_condition() {
    let records = vec![article(
        "a",
        1,
        "Analysts said Norland is unlikely to accept the 30-day ceasefire. Vestria will not sign the 30-day ceasefire without security guarantees.",
        &[("Norland", "GPE"), ("Vestria", "GPE")],
    )];
    let linked = sitrep_link::link(&records);
    assert_eq!(linked.proposals.len(), 1);
    let p = &linked.proposals[0].positions;
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(
        (p[0].party.as_str(), p[0].stance.as_str()),
        ("Vestria", "conditional")
    );
    assert_eq!(p[0].conditions[0].text, "security guarantees");
}
