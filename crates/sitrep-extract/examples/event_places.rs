//! Event-place accuracy on the team-written set `tests/fixtures/events/places.tsv`: for each
//! sentence, the event named by the given trigger word must have the expected place (as
//! written) and country, or no place where none is expected.
//!
//! `cargo run --release -p sitrep-extract --example event_places [-- -v]`

use std::path::Path;

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let dir = sitrep_nlp::default_model_dir();
    let analyzer = match sitrep_extract::Analyzer::load(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "event_places: cannot load the model from {}: {e}",
                dir.display()
            );
            std::process::exit(2);
        }
    };
    if let Some(e) = analyzer.gazetteer_error() {
        eprintln!("event_places: no gazetteer ({e}); places get no coordinates");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events/places.tsv");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("event_places: cannot read {}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let published = chrono::NaiveDate::from_ymd_opt(2025, 3, 14);
    let (mut n, mut found, mut right, mut with_place, mut place_right) = (0, 0, 0, 0, 0);
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [sentence, trigger, place, country] = cols[..] else {
            eprintln!("event_places: bad line: {line}");
            continue;
        };
        n += 1;
        let x = analyzer.extract_dated(None, sentence, published);
        let event = x
            .events
            .iter()
            .find(|e| e.trigger.as_ref().is_some_and(|t| t.text == trigger));
        let Some(event) = event else {
            if verbose {
                eprintln!("no event   [{trigger}] {sentence}");
            }
            continue;
        };
        found += 1;
        let got_place = event
            .location
            .as_ref()
            .and_then(|l| l.mention.as_ref())
            .map(|m| m.text.as_str());
        let got_country = event.location.as_ref().and_then(|l| l.country.as_deref());
        let ok = match place {
            "-" => got_place.is_none(),
            p => got_place == Some(p) && (country == "-" || got_country == Some(country)),
        };
        if place != "-" {
            with_place += 1;
            if ok {
                place_right += 1;
            }
        }
        if ok {
            right += 1;
        } else if verbose {
            eprintln!(
                "wrong      [{trigger}] expected {place}/{country}, got {}/{} : {sentence}",
                got_place.unwrap_or("-"),
                got_country.unwrap_or("-")
            );
        }
    }
    println!(
        "{{\"cases\":{n},\"event_found\":{found},\"place_right\":{right},\"accuracy\":{:.3},\"with_place\":{with_place},\"with_place_right\":{place_right}}}",
        right as f64 / n.max(1) as f64
    );
}
