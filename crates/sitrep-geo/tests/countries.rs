//! The team's table of countries and organisations (`data/countries.tsv`), compiled in.

use sitrep_geo::{Countries, IGO, Via};

fn table() -> Countries {
    Countries::builtin().expect("the team's table parses")
}

#[track_caller]
fn name(term: &str, expected: Option<&str>) {
    assert_eq!(table().country_by_name(term), expected, "{term:?}");
}

#[track_caller]
fn adjective(term: &str, expected: Option<&str>) {
    assert_eq!(table().country_of_adjective(term), expected, "{term:?}");
}

#[test]
fn names_and_aliases() {
    for us in [
        "United States",
        "the United States",
        "US",
        "U.S.",
        "USA",
        "U.S.A.",
        "America",
        "the U.S.'s",
    ] {
        name(us, Some("USA"));
    }
    for uk in [
        "UK",
        "U.K.",
        "Britain",
        "Great Britain",
        "the United Kingdom",
        "Britain's",
    ] {
        name(uk, Some("GBR"));
    }
    name("Russian Federation", Some("RUS"));
    name("Türkiye", Some("TUR"));
    name("Turkiye", Some("TUR"));
    name("Cote d\u{2019}Ivoire", Some("CIV"));
    name("Côte d'Ivoire", Some("CIV"));
    name("the Netherlands", Some("NLD"));
    name("Burma", Some("MMR"));
    name("DRC", Some("COD"));
    // Short names go to the state news means by them.
    name("Congo", Some("COD"));
    name("Korea", Some("KOR"));
    // Parts of a state stand for it as actors, not as names (they are places of their own).
    name("Scotland", None);
    assert_eq!(table().actor("Scotland").map(|a| a.code), Some("GBR"));
    name("Atlantis", None);
    // Organisations are not countries.
    name("NATO", None);
    name("the European Union", None);
}

#[test]
fn short_acronyms_only_in_capitals() {
    name("us", None);
    name("Us", None);
    assert_eq!(table().actor("who"), None);
    assert_eq!(table().actor("car"), None);
    assert_eq!(
        table().actor("WHO").map(|a| a.name),
        Some("World Health Organization")
    );
    // Longer acronyms are written "Nato", "Opec" by some outlets.
    assert_eq!(table().actor("Nato").map(|a| a.name), Some("NATO"));
}

#[test]
fn adjectives_and_demonyms() {
    adjective("Russian", Some("RUS"));
    adjective("Russians", Some("RUS"));
    adjective("Ukrainian", Some("UKR"));
    adjective("Israeli", Some("ISR"));
    adjective("Palestinian", Some("PSE"));
    adjective("Palestinians'", Some("PSE"));
    adjective("North Korean", Some("PRK"));
    adjective("South Korean", Some("KOR"));
    adjective("British", Some("GBR"));
    adjective("Dutch", Some("NLD"));
    adjective("Filipino", Some("PHL"));
    // Shared by two states: left out.
    adjective("Korean", None);
    adjective("Russia", None);
}

#[test]
fn metonyms_and_organisations() {
    let t = table();
    let kremlin = t.actor("the Kremlin").expect("the Kremlin");
    assert_eq!(
        (kremlin.code, kremlin.via, kremlin.is_country),
        ("RUS", Via::Metonym, true)
    );
    assert_eq!(t.actor("Downing Street").map(|a| a.code), Some("GBR"));
    assert_eq!(t.actor("White House").map(|a| a.code), Some("USA"));
    let nato = t.actor("NATO").expect("NATO");
    assert_eq!((nato.code, nato.is_country), (IGO, false));
    let eu = t.actor("Brussels").expect("Brussels");
    assert_eq!((eu.name, eu.via), ("European Union", Via::Metonym));
    assert_eq!(t.actor("U.N.").map(|a| a.name), Some("United Nations"));
    // A name beats an adjective beats a metonym.
    assert_eq!(t.actor("U.S.").map(|a| a.via), Some(Via::Name));
    assert_eq!(t.name_of("RUS"), Some("Russia"));
}

#[test]
fn malformed_tables_are_errors() {
    let err = Countries::parse("RUS\n", "t.tsv").expect_err("one column");
    assert_eq!(
        err.to_string(),
        "t.tsv:1: expected 2 to 5 tab-separated columns, found 1"
    );
    let err = Countries::parse("# c\nRu\tRussia\n", "t.tsv").expect_err("bad code");
    assert_eq!(
        err.to_string(),
        "t.tsv:2: code \"Ru\" is not three capital letters"
    );
    let err = Countries::parse("", "t.tsv").expect_err("empty");
    assert_eq!(err.to_string(), "t.tsv:0: no rows");
}
