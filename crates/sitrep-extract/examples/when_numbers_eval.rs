//! Accuracy of date resolution and casualty reading on the team-written evaluation sets.
//!
//! ```text
//! cargo run -p sitrep-extract --example when_numbers_eval [-- -v]
//! cargo run -p sitrep-extract --example when_numbers_eval -- --meantime ../shared/data/stories/cdcr/meantime_en/meantime.conll
//! cargo run -p sitrep-extract --example when_numbers_eval -- --plover ../shared/data/events/plover_gsr_v2cats.jsonl
//! ```
//!
//! - dates (`tests/fixtures/events/dates.tsv`: sentence, publication date or `-`, expected value
//!   of the first resolved expression or `-`): exact match of the value;
//! - casualties (`tests/fixtures/events/casualties.tsv`: sentence, killed, injured, `-` for
//!   none): exact match of the killed and injured figures (first count of each kind), per field
//!   and per sentence (both right).
//!
//! With `--meantime FILE` (the MEANTIME conll of the CDCR collection, which has no TIMEX3
//! values), it lists the relative expressions found in each document resolved against the
//! document's dateline, for reading by hand; with `--plover FILE` the casualties found in the
//! PLOVER gold-standard sentences (no casualty annotation: judged by hand); `-v` prints every
//! miss.

use std::path::Path;

use chrono::NaiveDate;
use sitrep_extract::events::numbers::{self, CasualtyKind};
use sitrep_extract::events::when;

fn main() -> anyhow_free::Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    if let Some(i) = args.iter().position(|a| a == "--meantime") {
        let path = args.get(i + 1).ok_or("--meantime needs a file")?;
        return meantime(Path::new(path), verbose);
    }
    if let Some(i) = args.iter().position(|a| a == "--plover") {
        let path = args.get(i + 1).ok_or("--plover needs a file")?;
        return plover(Path::new(path));
    }

    for (dates, cas) in [
        ("dates.tsv", "casualties.tsv"),
        ("dates_round2.tsv", "casualties_round2.tsv"),
    ] {
        eval_dates(&dir.join(dates), verbose)?;
        eval_casualties(&dir.join(cas), verbose)?;
    }
    Ok(())
}

fn eval_dates(path: &Path, verbose: bool) -> anyhow_free::Result {
    let dates = std::fs::read_to_string(path)?;
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let (mut ok, mut n) = (0, 0);
    for (line, cols) in rows(&dates) {
        let [sentence, published, expected] = cols[..] else {
            return Err(format!("{name} line {line}: expected 3 columns").into());
        };
        let published = NaiveDate::parse_from_str(published, "%Y-%m-%d").ok();
        let got = when::find(sentence, published)
            .into_iter()
            .find_map(|t| t.value)
            .map_or("-".to_string(), |d| d.to_string());
        n += 1;
        if got == expected {
            ok += 1;
        } else if verbose {
            eprintln!(
                "date miss: {sentence:?} published {published:?}: got {got}, want {expected}"
            );
        }
    }
    println!("{name}: {ok}/{n} date values exact ({:.1}%)", pct(ok, n));
    Ok(())
}

fn eval_casualties(path: &Path, verbose: bool) -> anyhow_free::Result {
    let cas = std::fs::read_to_string(path)?;
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let (mut k_ok, mut i_ok, mut both, mut n) = (0, 0, 0, 0);
    for (line, cols) in rows(&cas) {
        let [sentence, killed, injured] = cols[..] else {
            return Err(format!("{name} line {line}: expected 3 columns").into());
        };
        let found = numbers::casualties(sentence);
        let first = |kind| {
            found
                .iter()
                .find(|c| c.kind == kind)
                .map_or("-".to_string(), |c| c.count.value.to_string())
        };
        let (k, i) = (first(CasualtyKind::Killed), first(CasualtyKind::Injured));
        n += 1;
        k_ok += usize::from(k == killed);
        i_ok += usize::from(i == injured);
        both += usize::from(k == killed && i == injured);
        if verbose && (k != killed || i != injured) {
            eprintln!(
                "casualty miss: {sentence:?}: got killed {k} injured {i}, want {killed} {injured}"
            );
        }
    }
    println!(
        "{name}: killed {k_ok}/{n} ({:.1}%), injured {i_ok}/{n} ({:.1}%), both {both}/{n} ({:.1}%)",
        pct(k_ok, n),
        pct(i_ok, n),
        pct(both, n)
    );
    Ok(())
}

fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Relative expressions in MEANTIME documents, resolved against each document's dateline (its
/// second sentence, "March 01 , 2008"), printed for reading by hand.
fn meantime(path: &Path, verbose: bool) -> anyhow_free::Result {
    let text = std::fs::read_to_string(path)?;
    let mut docs: Vec<Vec<String>> = Vec::new();
    let mut sentence = String::new();
    let mut last_sent = None;
    for line in text.lines() {
        if line.starts_with("#begin") {
            docs.push(Vec::new());
            last_sent = None;
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 {
            continue;
        }
        let sent = cols[1];
        if last_sent != Some(sent.to_string()) {
            if let Some(d) = docs.last_mut()
                && !sentence.is_empty()
            {
                d.push(std::mem::take(&mut sentence));
            }
            last_sent = Some(sent.to_string());
        }
        let tok = cols[3];
        if !sentence.is_empty() && !matches!(tok, "," | "." | ";" | ":" | "'s" | ")" | "%") {
            sentence.push(' ');
        }
        sentence.push_str(tok);
    }
    if let Some(d) = docs.last_mut()
        && !sentence.is_empty()
    {
        d.push(sentence);
    }
    let (mut datelines, mut relative, mut resolved) = (0, 0, 0);
    for doc in &docs {
        let Some(published) = doc
            .iter()
            .take(3)
            .flat_map(|s| when::find(s, None))
            .find(|t| t.granularity == when::Granularity::Day)
            .and_then(|t| t.value)
        else {
            continue;
        };
        datelines += 1;
        for s in doc.iter().skip(2) {
            for t in when::find(s, Some(published)) {
                let absolute = when::find(&t.text, None).iter().any(|x| x.value.is_some());
                if absolute {
                    continue;
                }
                relative += 1;
                resolved += usize::from(t.value.is_some());
                if verbose {
                    println!("{published}\t{}\t{:?}\t{}", t.text, t.value, s);
                }
            }
        }
    }
    println!(
        "meantime: {} documents, {datelines} datelines read, {relative} relative expressions, {resolved} resolved",
        docs.len()
    );
    Ok(())
}

/// Casualties found in the PLOVER gold-standard sentences (JSON lines with a "text" field),
/// which carry no casualty annotation: printed for judging precision by hand.
fn plover(path: &Path) -> anyhow_free::Result {
    let text = std::fs::read_to_string(path)?;
    let (mut sentences, mut with) = (0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let Some(s) = row.get("text").and_then(|t| t.as_str()) else {
            continue;
        };
        sentences += 1;
        let found = numbers::casualties(s);
        if !found.is_empty() {
            with += 1;
            let list: Vec<String> = found
                .iter()
                .map(|c| format!("{:?} {} [{}]", c.kind, c.count.value, &s[c.start..c.end]))
                .collect();
            println!("{}\t{}", list.join("; "), s);
        }
    }
    println!("plover: {sentences} sentences, {with} with casualties");
    Ok(())
}

/// The example's error type without a dependency: any error as a boxed trait object.
mod anyhow_free {
    pub type Result = std::result::Result<(), Box<dyn std::error::Error>>;
}
