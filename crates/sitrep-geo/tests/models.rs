//! The gazetteer on the fetched data (`models/geo`, from `scripts/fetch-models`, which
//! `scripts/test` runs first). These tests require it: a missing folder fails them.

use std::path::Path;
use std::sync::OnceLock;

use sitrep_geo::{Context, Gazetteer, PlaceKind};

fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/geo");
        Gazetteer::load(&dir).unwrap_or_else(|e| panic!("{e}: run ./scripts/fetch-models first"))
    })
}

/// `name` in an article mentioning `countries` resolves to a place of `country` (ISO-3, "-"
/// for nothing) within half a degree of `lat`, `lon`.
#[track_caller]
fn check(name: &str, countries: &[&str], country: &str, lat: f64, lon: f64) {
    let ctx = Context {
        countries: countries.iter().map(|c| c.to_string()).collect(),
    };
    let got = gazetteer().resolve(name, &ctx);
    match got {
        None => assert_eq!(country, "-", "{name:?} {countries:?}: nothing found"),
        Some(p) => {
            let near = (p.lat - lat).abs() <= 0.5 && (p.lon - lon).abs() <= 0.5;
            assert!(
                p.country == country && near,
                "{name:?} {countries:?}: got {p:?}, expected {country} ({lat}, {lon})"
            );
        }
    }
}

#[test]
fn it_is_big_enough() {
    let gaz = gazetteer();
    assert!(gaz.len() > 150_000, "{} places", gaz.len());
    assert!(
        gaz.country("FRA")
            .is_some_and(|p| p.kind == PlaceKind::Country)
    );
    assert!(gaz.lookup("Paris").len() > 5);
}

#[test]
fn every_country_of_the_teams_table_is_in_the_gazetteer() {
    let gaz = gazetteer();
    for (code, name) in gaz
        .countries()
        .entries()
        .filter(|(c, _)| *c != sitrep_geo::IGO)
    {
        let place = gaz.country(code);
        assert!(
            place.is_some(),
            "{code} ({name}) is no country of the gazetteer"
        );
        // The team's name and the gazetteer's lead to the same country.
        assert_eq!(gaz.country_by_name(name), Some(code), "{name}");
    }
}

#[test]
fn saint_petersburg() {
    check("Saint Petersburg", &[], "RUS", 59.94, 30.31);
    check("St. Petersburg", &["UKR"], "RUS", 59.94, 30.31);
    check("St. Petersburg", &["USA"], "USA", 27.77, -82.68);
    check("St Petersburg, Florida", &["RUS"], "USA", 27.77, -82.68);
    check("Saint Petersburg, Fla.", &[], "USA", 27.77, -82.68);
}

#[test]
fn paris() {
    check("Paris", &[], "FRA", 48.85, 2.35);
    check("Paris", &["USA"], "FRA", 48.85, 2.35);
    check("Paris, Texas", &[], "USA", 33.66, -95.56);
    check("Paris, Tenn.", &[], "USA", 36.30, -88.33);
    check("Paris, Ontario", &[], "CAN", 43.2, -80.38);
}

#[test]
fn spellings_and_diacritics() {
    for kyiv in ["Kyiv", "Kiev", "KYIV", "Kyiv's", "Kyjiw"] {
        check(kyiv, &[], "UKR", 50.45, 30.52);
    }
    check("Kharkov", &[], "UKR", 49.98, 36.25);
    check("Odessa", &["UKR"], "UKR", 46.48, 30.73);
    check("Avdiivka", &["UKR", "RUS"], "UKR", 48.14, 37.75);
    check("Zurich", &[], "CHE", 47.37, 8.55);
    check("Zürich", &[], "CHE", 47.37, 8.55);
    check("Sao Paulo", &[], "BRA", -23.55, -46.64);
    check("Khan Younis", &["ISR"], "PSE", 31.34, 34.31);
    check("Deir al-Balah", &["ISR"], "PSE", 31.42, 34.35);
    check("Bombay", &[], "IND", 19.07, 72.88);
    check("Munich", &[], "DEU", 48.14, 11.58);
}

#[test]
fn cities_states_and_countries() {
    check("Georgia", &[], "GEO", 41.69, 44.83);
    check("Georgia", &["USA"], "USA", 33.28, -83.87);
    check("Washington", &[], "USA", 38.90, -77.04);
    check("Washington, D.C.", &[], "USA", 38.90, -77.04);
    check("New York", &[], "USA", 40.71, -74.01);
    check("Tripoli", &[], "LBY", 32.89, 13.19);
    check("Tripoli", &["LBN"], "LBN", 34.44, 35.85);
    check("Tripoli, Lebanon", &[], "LBN", 34.44, 35.85);
    check("Moscow", &["USA"], "RUS", 55.75, 37.62);
    check("Birmingham", &[], "GBR", 52.48, -1.90);
    check("Birmingham", &["USA"], "USA", 33.52, -86.80);
}

#[test]
fn countries_by_their_names() {
    check("the United States", &[], "USA", 38.90, -77.04);
    check("the U.S.'s", &[], "USA", 38.90, -77.04);
    check("Britain", &[], "GBR", 51.51, -0.13);
    check("Russia's", &[], "RUS", 55.75, 37.62);
    check("Holland", &[], "NLD", 52.37, 4.89);
    check("Türkiye", &[], "TUR", 39.92, 32.85);
    check("Ivory Coast", &[], "CIV", 6.82, -5.28);
    assert_eq!(gazetteer().country_by_name("Burkina Faso"), Some("BFA"));
    assert_eq!(gazetteer().country_by_name("the Gambia"), Some("GMB"));
}

#[test]
fn unknown_names() {
    check("Westeros", &[], "-", 0.0, 0.0);
    check("Mordor", &["NZL"], "-", 0.0, 0.0);
    check("Paris, Narnia", &[], "-", 0.0, 0.0);
}
