//! The gazetteer on the team's tiny fixture (`tests/fixture/places.tsv`): no fetched data needed.

use std::path::{Path, PathBuf};

use sitrep_geo::{Context, Gazetteer, GeoError, PlaceKind};

fn fixture() -> Gazetteer {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
    Gazetteer::load(&dir).expect("the fixture loads")
}

fn ctx(countries: &[&str]) -> Context {
    Context {
        countries: countries.iter().map(|c| c.to_string()).collect(),
    }
}

/// `name` in an article mentioning `countries` resolves to `expected` ("NAME COUNTRY ADMIN1",
/// admin1 left out when empty) or to nothing ("-").
#[track_caller]
fn check(name: &str, countries: &[&str], expected: &str) {
    let got = fixture()
        .resolve(name, &ctx(countries))
        .map(|p| {
            format!("{} {} {}", p.name, p.country, p.admin1)
                .trim_end()
                .to_string()
        })
        .unwrap_or_else(|| "-".into());
    assert_eq!(got, expected, "{name:?} with context {countries:?}");
}

#[test]
fn saint_petersburg_by_context() {
    check("Saint Petersburg", &[], "Saint Petersburg RUS 66");
    check("Saint Petersburg", &["RUS"], "Saint Petersburg RUS 66");
    check("Saint Petersburg", &["USA"], "St. Petersburg USA FL");
    check("St. Petersburg", &["USA", "GBR"], "St. Petersburg USA FL");
    check("Saint Petersburg, Florida", &[], "St. Petersburg USA FL");
    check("St Petersburg, Fla.", &["RUS"], "St. Petersburg USA FL");
    check("Saint Petersburg, FL", &[], "St. Petersburg USA FL");
    check(
        "Saint Petersburg, Russia",
        &["USA"],
        "Saint Petersburg RUS 66",
    );
}

#[test]
fn paris_france_unless_qualified() {
    check("Paris", &[], "Paris FRA 11");
    // A capital of two million outweighs a town of 25,000 even in an American article.
    check("Paris", &["USA"], "Paris FRA 11");
    check("Paris, Texas", &[], "Paris USA TX");
    check("Paris, Tex.", &["FRA"], "Paris USA TX");
    check("Paris, TX", &[], "Paris USA TX");
    check("Paris, France", &["USA"], "Paris FRA 11");
    // A known qualifier that no candidate matches: nothing rather than a guess.
    check("Paris, Florida", &[], "-");
}

#[test]
fn qualifiers_the_gazetteer_does_not_know() {
    // Several places named Paris and an unknown qualifier: no guess.
    check("Paris, Lamar County", &[], "-");
    // One candidate: the qualifier does not matter.
    check("Kraków, Lesser Poland", &[], "Kraków POL 72");
}

#[test]
fn canadian_provinces_qualify() {
    check("London, Ontario", &[], "London CAN 08");
    check("London, Ont.", &["GBR"], "London CAN 08");
    check("London", &["CAN"], "London GBR ENG");
}

#[test]
fn states_by_name() {
    check("Texas", &[], "Texas USA TX");
    check("Florida state", &[], "Florida USA FL");
}

#[test]
fn moscow_stays_in_russia_in_american_articles() {
    check("Moscow", &["USA"], "Moscow RUS 48");
    check("Moscow, Idaho", &[], "Moscow USA ID");
}

#[test]
fn alternate_spellings() {
    check("Kiev", &[], "Kyiv UKR 12");
    check("Kyiv", &[], "Kyiv UKR 12");
    check("Leningrad", &[], "Saint Petersburg RUS 66");
    check("Sankt-Peterburg", &[], "Saint Petersburg RUS 66");
    check("Cracow", &[], "Kraków POL 72");
    check("Washington, D.C.", &[], "Washington USA DC");
    check("Washington DC", &[], "Washington USA DC");
}

#[test]
fn case_diacritics_and_punctuation() {
    check("Zurich", &[], "Zürich CHE ZH");
    check("ZÜRICH", &[], "Zürich CHE ZH");
    check("Krakow", &[], "Kraków POL 72");
    check("kijow", &[], "Kyiv UKR 12");
    check("KYIV", &[], "Kyiv UKR 12");
    check("st.  petersburg", &["USA"], "St. Petersburg USA FL");
}

#[test]
fn leading_the_and_possessives() {
    check("Kyiv's", &[], "Kyiv UKR 12");
    check("Kyiv\u{2019}s", &[], "Kyiv UKR 12");
    check("the United States", &[], "United States USA");
    check("the U.S.'s", &[], "United States USA");
    check("Britain's", &[], "United Kingdom GBR");
}

#[test]
fn primary_names_beat_former_names() {
    // Engels (Russia) was once Pokrovsk; the Ukrainian town of that name is meant.
    check("Pokrovsk", &["UKR", "RUS"], "Pokrovsk UKR 05");
    check("Pokrovsk", &[], "Pokrovsk UKR 05");
}

#[test]
fn georgia_the_country_or_the_state() {
    check("Georgia", &[], "Georgia GEO");
    check("Georgia", &["USA"], "Georgia USA GA");
    check("Georgia", &["GEO", "RUS"], "Georgia GEO");
}

#[test]
fn the_teams_regions() {
    check("Crimea", &[], "Crimea UKR");
    check("the Gaza Strip", &["ISR"], "Gaza Strip PSE");
    check("Kursk Oblast", &[], "Kursk region RUS");
    let gaz = fixture();
    let scotland = gaz
        .resolve("Scotland", &Context::default())
        .expect("Scotland");
    assert_eq!(
        (scotland.country.as_str(), scotland.kind),
        ("GBR", PlaceKind::Admin1)
    );
    assert!(scotland.lat > 55.0, "{scotland:?}");
    // As an actor, Scotland still stands for the United Kingdom.
    assert_eq!(
        gaz.countries().actor("Scotland").map(|a| a.code),
        Some("GBR")
    );
}

#[test]
fn names_that_are_no_single_place() {
    // The fixture has a neighbourhood of Baltimore named Middle East; news means the region.
    check("the Middle East", &["USA"], "-");
    check("Europe", &[], "-");
    assert!(fixture().lookup("Middle East").is_empty());
}

#[test]
fn unknown_names() {
    check("Atlantis", &[], "-");
    check("", &[], "-");
    check("   ", &[], "-");
    check(",", &[], "-");
    check("Paris,", &[], "Paris FRA 11");
    check("the", &[], "-");
    check("'s", &[], "-");
    check("\u{0}\u{FFFF}", &[], "-");
    assert!(fixture().lookup("Atlantis").is_empty());
}

#[test]
fn lookup_lists_every_candidate_most_likely_first() {
    let gaz = fixture();
    let found: Vec<_> = gaz
        .lookup("Paris")
        .iter()
        .map(|p| format!("{} {}", p.country, p.admin1))
        .collect();
    assert_eq!(found, ["FRA 11", "USA TX"]);
    let georgia: Vec<_> = gaz.lookup("Georgia").iter().map(|p| p.kind).collect();
    assert_eq!(georgia, [PlaceKind::Country, PlaceKind::Admin1]);
}

#[test]
fn countries_resolve_to_their_capital() {
    let gaz = fixture();
    let france = gaz.resolve("France", &Context::default()).expect("France");
    assert_eq!(france.kind, PlaceKind::Country);
    assert_eq!((france.lat, france.lon), (48.85, 2.35));
    assert_eq!(gaz.country("UKR").map(|p| p.name.as_str()), Some("Ukraine"));
}

#[test]
fn country_names_and_adjectives() {
    let gaz = fixture();
    assert_eq!(gaz.country_by_name("the United States"), Some("USA"));
    assert_eq!(gaz.country_by_name("Russian Federation"), Some("RUS"));
    // Not in the team's table, but a country of the gazetteer.
    assert_eq!(gaz.country_by_name("Georgia"), Some("GEO"));
    assert_eq!(gaz.country_by_name("Paris"), None);
    assert_eq!(gaz.country_of_adjective("Russian"), Some("RUS"));
    assert_eq!(gaz.country_of_adjective("Ukrainians"), Some("UKR"));
    assert_eq!(gaz.country_of_adjective("Russia"), None);
}

fn write(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("temporary folder");
    let path = dir.join("places.tsv");
    std::fs::write(&path, text).expect("write the file");
    path
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sitrep-geo-test-{}-{name}", std::process::id()))
}

#[track_caller]
fn bad_file(name: &str, text: &str, expected: &str) {
    let dir = temp(name);
    let path = write(&dir, text);
    let err = Gazetteer::load(&dir).expect_err("a bad file is refused");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, GeoError::Format { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("{}:{expected}", path.display()));
}

#[test]
fn missing_folder_is_an_error_naming_the_file() {
    let dir = temp("missing");
    let err = Gazetteer::load(&dir).expect_err("nothing to load");
    assert!(matches!(err, GeoError::Io { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}: ", dir.join("places.tsv").display())),
        "{message}"
    );
    assert!(message.contains("scripts/fetch-models"), "{message}");
}

#[test]
fn bad_files_are_errors_with_line_and_reason() {
    bad_file("empty", "", "0: no places");
    bad_file("comments", "# nothing\n", "0: no places");
    bad_file(
        "columns",
        "# header\ncity\tParis\tFRA\n",
        "2: expected 8 tab-separated columns, found 3",
    );
    bad_file(
        "kind",
        "town\tParis\tFRA\t11\t48.85\t2.35\t1\t\n",
        "1: unknown kind \"town\"",
    );
    bad_file(
        "lat",
        "city\tParis\tFRA\t11\tnorth\t2.35\t1\t\n",
        "1: latitude \"north\" is not a number",
    );
    bad_file(
        "range",
        "city\tParis\tFRA\t11\t98.85\t2.35\t1\t\n",
        "1: coordinates 98.85, 2.35 out of range",
    );
    bad_file(
        "nan",
        "city\tParis\tFRA\t11\tNaN\t2.35\t1\t\n",
        "1: latitude \"NaN\" is not a number",
    );
    bad_file(
        "population",
        "city\tParis\tFRA\t11\t48.85\t2.35\t-4\t\n",
        "1: population \"-4\" is not a number",
    );
    bad_file(
        "country",
        "city\tParis\tFR\t11\t48.85\t2.35\t1\t\n",
        "1: country \"FR\" is not an ISO-3 code",
    );
    bad_file(
        "name",
        "city\t \tFRA\t11\t48.85\t2.35\t1\t\n",
        "1: empty name",
    );
}

#[test]
fn not_utf8_is_an_io_error() {
    let dir = temp("latin1");
    std::fs::create_dir_all(&dir).expect("temporary folder");
    std::fs::write(
        dir.join("places.tsv"),
        b"city\tZ\xfcrich\tCHE\tZH\t47.37\t8.54\t1\t\n",
    )
    .expect("write the file");
    let err = Gazetteer::load(&dir).expect_err("not UTF-8");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, GeoError::Io { .. }), "{err:?}");
}
