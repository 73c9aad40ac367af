//! Event coding on team-written sentences (fictional people, real countries), one case per
//! phenomenon: type and CAMEO root, source and target actors with country and sector, modality
//! and negation, place, date against the publication date, casualties; plus span checks.

use std::sync::OnceLock;

use chrono::NaiveDate;
use sitrep_extract::Analyzer;
use sitrep_model::{Event, Extraction};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        let dir = sitrep_nlp::default_model_dir();
        assert!(
            dir.join("ner").join("model").exists(),
            "model not found in {}: run ./scripts/fetch-models first",
            dir.display()
        );
        let analyzer = Analyzer::load(&dir).expect("model loads");
        assert!(
            analyzer.gazetteer_error().is_none(),
            "gazetteer: {:?} (run ./scripts/fetch-models)",
            analyzer.gazetteer_error()
        );
        analyzer
    })
}

const PUBLISHED: &str = "2025-03-14"; // a Friday

fn extract(text: &str) -> Extraction {
    let published = NaiveDate::parse_from_str(PUBLISHED, "%Y-%m-%d").ok();
    let x = analyzer().extract_dated(None, text, published);
    // Every span points at its text.
    for e in &x.events {
        assert!(e.start <= e.end && e.end <= text.len());
        if let Some(t) = &e.trigger {
            assert_eq!(&text[t.start..t.end], t.text);
        }
        for a in e.source.iter().chain(&e.target) {
            if let Some(m) = &a.mention {
                assert_eq!(&text[m.start..m.end], m.text);
            }
            if let Some(id) = &a.entity {
                assert!(x.entities.iter().any(|en| &en.id == id), "{id}");
            }
        }
        if let Some(d) = &e.date
            && let (Some(s), Some(en)) = (d.start, d.end)
        {
            assert_eq!(&text[s..en], d.text);
        }
    }
    x
}

/// The event of type `kind` (exactly one expected).
fn event(text: &str, kind: &str) -> Event {
    let x = extract(text);
    let found: Vec<&Event> = x.events.iter().filter(|e| e.kind == kind).collect();
    assert_eq!(
        found.len(),
        1,
        "{kind} events in {text:?}: {:#?}",
        x.events
            .iter()
            .map(|e| (&e.kind, e.trigger.as_ref().map(|t| &t.text)))
            .collect::<Vec<_>>()
    );
    found[0].clone()
}

fn names(actors: &[sitrep_model::Actor]) -> Vec<String> {
    actors.iter().map(|a| a.name.clone()).collect()
}

fn country(actors: &[sitrep_model::Actor]) -> Option<String> {
    actors.first().and_then(|a| a.country.clone())
}

fn sector(actors: &[sitrep_model::Actor]) -> Option<String> {
    actors.first().and_then(|a| a.sector.clone())
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[test]
fn forces_of_a_country_are_its_military() {
    let e = event(
        "Russian forces shelled the village of Marinka on Tuesday.",
        "ASSAULT",
    );
    assert_eq!(e.cameo_root, "19");
    assert_eq!(e.quad_class, sitrep_model::QuadClass::MaterialConflict);
    assert_eq!(country(&e.source).as_deref(), Some("RUS"));
    assert_eq!(sector(&e.source).as_deref(), Some("military"));
    assert_eq!(e.context, vec!["military".to_string()]);
    assert_eq!(e.modality, "asserted");
    assert!(!e.hypothetical && !e.negated);
    let d = e.date.expect("date");
    assert_eq!(
        (d.text.as_str(), d.value),
        ("on Tuesday", date("2025-03-11"))
    );
}

#[test]
fn a_seat_of_power_is_its_government() {
    let e = event(
        "The Kremlin rejected the plan drawn up by Brasova.",
        "REJECT",
    );
    assert_eq!(country(&e.source).as_deref(), Some("RUS"));
    assert_eq!(sector(&e.source).as_deref(), Some("government"));
}

#[test]
fn an_alliance_official_is_an_igo() {
    let e = event(
        "NATO Secretary-General Pieter Vandam met Ukrainian President Oleksa Marchuk in Brussels.",
        "CONSULT",
    );
    assert_eq!(country(&e.source).as_deref(), Some("IGO"));
    assert_eq!(sector(&e.source).as_deref(), Some("igo"));
    assert_eq!(names(&e.target), vec!["Oleksa Marchuk"]);
    assert_eq!(country(&e.target).as_deref(), Some("UKR"));
    let place = e.location.expect("place");
    assert_eq!(place.country.as_deref(), Some("BEL"));
}

#[test]
fn a_passive_agent_is_the_source() {
    let e = event(
        "A convoy of aid trucks was attacked by rebels near Goma.",
        "ASSAULT",
    );
    assert_eq!(sector(&e.source).as_deref(), Some("rebel"));
    let place = e.location.expect("place");
    assert_eq!(place.country.as_deref(), Some("COD"));
}

#[test]
fn talks_held_are_a_consultation_with_their_partner() {
    let e = event(
        "Envoy Dario Velt held talks with Iranian officials in Muscat on Sunday.",
        "CONSULT",
    );
    assert_eq!(names(&e.source), vec!["Dario Velt"]);
    assert_eq!(country(&e.target).as_deref(), Some("IRN"));
    assert_eq!(e.location.and_then(|l| l.country).as_deref(), Some("OMN"));
    assert_eq!(e.date.and_then(|d| d.value), date("2025-03-09"));
}

#[test]
fn a_proposed_ceasefire_did_not_happen() {
    let x = extract("Kyiv accepted a US-proposed 30-day ceasefire.");
    let truce = x
        .events
        .iter()
        .find(|e| e.trigger.as_ref().is_some_and(|t| t.text == "ceasefire"))
        .expect("the ceasefire is an event");
    assert_eq!(truce.modality, "proposed");
    assert!(truce.hypothetical);
}

#[test]
fn what_must_happen_first_is_demanded() {
    let x = extract("\"We need to see a ceasefire first,\" Mara Holt said.");
    let truce = x
        .events
        .iter()
        .find(|e| e.trigger.as_ref().is_some_and(|t| t.text == "ceasefire"))
        .expect("ceasefire");
    assert_eq!(truce.modality, "demanded");
    assert!(truce.hypothetical);
}

#[test]
fn a_wish_to_meet_is_not_a_meeting() {
    let e = event(
        "Tomas Brill said he would love to meet Anka Virt.",
        "CONSULT",
    );
    assert!(e.hypothetical, "{e:?}");
    assert_ne!(e.modality, "asserted");
}

#[test]
fn a_guess_about_what_a_party_will_do_is_not_a_report() {
    let e = event(
        "Analysts say Vestria is unlikely to accept the proposal without guarantees.",
        "AGREE",
    );
    assert!(e.hypothetical, "{e:?}");
    assert_eq!(e.modality, "hypothetical");
    let e = event("The council is likely to approve the truce.", "AGREE");
    assert!(e.hypothetical, "{e:?}");
}

#[test]
fn a_contracted_auxiliary_is_not_part_of_the_actor() {
    let x = extract("Tomas Brill said: “I’d love to meet with Anka Virt and talk to her.”");
    let names: Vec<&str> = x
        .events
        .iter()
        .flat_map(|e| e.source.iter().chain(&e.target))
        .filter_map(|a| a.mention.as_ref().map(|m| m.text.as_str()))
        .collect();
    assert!(!names.is_empty(), "{:?}", x.events);
    assert!(names.iter().all(|n| !n.contains('’')), "{names:?}");
}

#[test]
fn i_in_a_quote_is_its_speaker_and_him_is_someone_else() {
    let x = extract(
        "Tomas Brill, the Vestrian foreign minister, spoke to reporters on Monday. \
         “I want to meet him soon,” Brill said of Anka Virt.",
    );
    let meet = x
        .events
        .iter()
        .find(|e| e.trigger.as_ref().is_some_and(|t| t.text == "meet"))
        .unwrap_or_else(|| panic!("{:?}", x.events));
    let source: Vec<&str> = meet.source.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(source, ["Tomas Brill"], "{meet:?}");
    assert!(meet.source[0].entity.is_some());
    // "him" is not the speaker.
    assert!(
        meet.target.iter().all(|a| a.name != "Tomas Brill"),
        "{meet:?}"
    );
}

#[test]
fn the_subject_of_a_quote_is_not_an_actor_of_the_verb_of_saying() {
    let x = extract("“We will see whether Vestria is serious,” Tomas Brill declared.");
    let said = x
        .events
        .iter()
        .find(|e| e.kind == "STATEMENT")
        .unwrap_or_else(|| panic!("{:?}", x.events));
    let source: Vec<&str> = said.source.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(source, ["Tomas Brill"], "{said:?}");
    // Not "We" (as written or resolved to the speaker himself).
    assert!(said.target.is_empty(), "{said:?}");
}

#[test]
fn what_a_question_asks_about_did_not_happen_by_its_account() {
    let e = event("Did the army attack the village of Velda?", "ASSAULT");
    assert!(e.hypothetical, "{e:?}");
    let e = event(
        "Brill asked: “Or did Vestria withdraw its troops from the border?”",
        "RETREAT",
    );
    assert!(e.hypothetical, "{e:?}");
    // A wh-question takes its event as given.
    let e = event("Why did the army attack the village of Velda?", "ASSAULT");
    assert!(!e.hypothetical, "{e:?}");
}

#[test]
fn a_future_meeting_is_future_and_dated_ahead() {
    let e = event(
        "Foreign Minister Lena Sorvik will meet her Turkish counterpart on Tuesday.",
        "CONSULT",
    );
    assert_eq!(e.modality, "future");
    assert!(e.hypothetical);
    assert_eq!(e.date.and_then(|d| d.value), date("2025-03-18"));
}

#[test]
fn a_condition_makes_it_conditional() {
    let e = event(
        "Moscow will withdraw its troops if Kyiv drops its claim.",
        "RETREAT",
    );
    assert_eq!(country(&e.source).as_deref(), Some("RUS"));
    assert!(e.hypothetical);
}

#[test]
fn negation_is_kept() {
    let e = event("The army did not attack the town of Velda.", "ASSAULT");
    assert!(e.negated);
    let e = event("The rebels refused to release the hostages.", "CONCEDE");
    assert!(e.negated, "{e:?}");
}

#[test]
fn casualties_of_a_strike_join_it() {
    let x = extract(
        "An Israeli airstrike on the town of Rafah killed at least 34 people and wounded more than 100.",
    );
    let strikes: Vec<&Event> = x.events.iter().filter(|e| e.kind == "ASSAULT").collect();
    assert_eq!(strikes.len(), 1, "{:#?}", x.events);
    let e = strikes[0];
    assert_eq!(country(&e.source).as_deref(), Some("ISR"));
    let c = e.casualties.clone().expect("casualties");
    assert_eq!((c.killed, c.injured), (Some(34), Some(100)));
    assert!(!c.mentions.is_empty());
    let place = e.location.clone().expect("place");
    assert_eq!(place.mention.map(|m| m.text).as_deref(), Some("Rafah"));
}

#[test]
fn a_place_name_is_chosen_by_context() {
    let x = extract(
        "Police in Florida arrested two men in St. Petersburg, Florida on Monday after a protest.",
    );
    let e = x
        .events
        .iter()
        .find(|e| e.kind == "COERCE")
        .expect("arrest");
    let place = e.location.clone().expect("place");
    assert_eq!(place.country.as_deref(), Some("USA"));
    let x = extract("Russian police detained 40 protesters in St. Petersburg on Monday.");
    let e = x
        .events
        .iter()
        .find(|e| e.kind == "COERCE")
        .expect("detention");
    let place = e.location.clone().expect("place");
    assert_eq!(place.country.as_deref(), Some("RUS"));
    assert_eq!(e.casualties.as_ref().and_then(|c| c.detained), Some(40));
}

#[test]
fn an_object_that_is_no_actor_is_not_a_target() {
    let e = event(
        "Senator Ivo Darrow blamed the war on poor planning.",
        "ACCUSE",
    );
    assert!(e.target.is_empty(), "{:?}", e.target);
    assert_eq!(names(&e.source), vec!["Ivo Darrow"]);
}

#[test]
fn sanctions_imposed_have_source_and_target() {
    let e = event(
        "The European Union imposed new sanctions on Belarus on Thursday.",
        "SANCTION",
    );
    assert_eq!(country(&e.source).as_deref(), Some("IGO"));
    assert_eq!(country(&e.target).as_deref(), Some("BLR"));
    assert_eq!(e.context, vec!["economic".to_string()]);
    assert_eq!(e.date.and_then(|d| d.value), date("2025-03-13"));
}

#[test]
fn no_date_without_a_publication_date() {
    let x = analyzer().extract_dated(
        None,
        "Chinese troops clashed with Indian soldiers on Tuesday.",
        None,
    );
    let e = x
        .events
        .iter()
        .find(|e| e.kind == "ASSAULT")
        .expect("clash");
    let d = e.date.clone().expect("date text kept");
    assert_eq!(d.text, "on Tuesday");
    assert_eq!(d.value, None);
}

#[test]
fn text_without_events_has_none() {
    let x = extract("The weather in the valley was mild and the markets were quiet.");
    assert!(x.events.is_empty(), "{:#?}", x.events);
    let x = extract("");
    assert!(x.events.is_empty());
}
