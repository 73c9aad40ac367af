//! Publication-date accuracy on htmldate's evaluation set.
//!
//! Reads `extraction/htmldate-eval.tgz` in place (no extraction to disk): two gold files map a
//! URL to `{file, date}`; the pages live in `tests/eval/`, `tests/cache/` and `tests/test_set/`.
//! Metrics follow htmldate's `tests/comparison.py`: a found date equal to the gold date is a true
//! positive, any other found date a false positive, nothing found where a date is expected a
//! false negative, and nothing found where none is expected a true negative.
//!
//! htmldate's own benchmark calls `find_date` without the URL (only the page's canonical link can
//! help), so the headline figures do the same; a second pass with the URL is reported beside them.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use sitrep_htmldate::{DateMatch, find_date};

const ARCHIVE: &str = "extraction/htmldate-eval.tgz";
const SETS: [(&str, &str, &[&str]); 2] = [
    (
        "default",
        "htmldate/tests/eval_default.json",
        &["htmldate/tests/eval/", "htmldate/tests/cache/"],
    ),
    (
        "mediacloud_2020",
        "htmldate/tests/eval_mediacloud_2020.json",
        &["htmldate/tests/test_set/"],
    ),
];

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, gold: Option<&str>, found: Option<&str>) -> bool {
        match (gold, found) {
            (Some(g), Some(f)) if g == f => {
                self.tp += 1;
                true
            }
            (_, Some(_)) => {
                self.fp += 1;
                false
            }
            (Some(_), None) => {
                self.fn_ += 1;
                false
            }
            (None, None) => {
                self.tn += 1;
                true
            }
        }
    }
    fn merge(&mut self, o: &Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
    }
    fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
    fn ratio(a: usize, b: usize) -> f64 {
        if b == 0 { 0.0 } else { a as f64 / b as f64 }
    }
    fn precision(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fn_)
    }
    fn accuracy(&self) -> f64 {
        Self::ratio(self.tp + self.tn, self.total())
    }
    fn f1(&self) -> f64 {
        Self::ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "pages": self.total(),
            "tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn_,
            "precision": round3(self.precision()),
            "recall": round3(self.recall()),
            "accuracy": round3(self.accuracy()),
            "f1": round3(self.f1()),
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

struct Page {
    set: usize,
    url: String,
    file: String,
    gold: Option<String>,
    bytes: Vec<u8>,
}

pub fn run(data: &Path, verbose: bool) -> anyhow::Result<()> {
    let archive = data.join(ARCHIVE);
    let members = read_archive(&archive)?;

    let mut pages = Vec::new();
    let mut missing = [0usize; 2];
    for (set, (_, gold_path, dirs)) in SETS.iter().enumerate() {
        let raw = members
            .get(*gold_path)
            .with_context(|| format!("{gold_path} not in {}", archive.display()))?;
        // The MediaCloud file writes absent dates as a bare `NaN`, which is not JSON.
        let text = String::from_utf8_lossy(raw).replace(": NaN", ": null");
        let gold: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).with_context(|| format!("parsing {gold_path}"))?;
        for (url, entry) in gold {
            let file = entry
                .get("file")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let date = entry
                .get("date")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let found = dirs.iter().find_map(|d| members.get(&format!("{d}{file}")));
            match found {
                Some(bytes) => pages.push(Page {
                    set,
                    url,
                    file,
                    gold: date,
                    bytes: bytes.clone(),
                }),
                None => missing[set] += 1,
            }
        }
    }

    let mut counts = [[Counts::default(); 2]; 2]; // [without url, with url][set]
    let mut t_parse = Duration::ZERO;
    let mut t_find = Duration::ZERO;
    let mut misses = Vec::new();
    // Per evidence kind: (correct, wrong) among the html-only answers.
    let mut by_source: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for page in &pages {
        let html = decode(&page.bytes);
        let t0 = Instant::now();
        let doc = dom_query::Document::from(html.as_str());
        let t1 = Instant::now();
        let found = find_date(&doc, None);
        t_find += t1.elapsed();
        t_parse += t1 - t0;
        let with_url = find_date(&doc, Some(&page.url));
        let fmt = |m: &Option<DateMatch>| m.map(|m| m.date.format("%Y-%m-%d").to_string());
        let (f0, f1) = (fmt(&found), fmt(&with_url));
        let ok = counts[0][page.set].add(page.gold.as_deref(), f0.as_deref());
        counts[1][page.set].add(page.gold.as_deref(), f1.as_deref());
        if let Some(m) = found {
            let e = by_source.entry(format!("{:?}", m.source)).or_default();
            if ok { e.0 += 1 } else { e.1 += 1 }
        }
        if !ok {
            misses.push(format!(
                "MISS {:<16} {:<44} gold={:<10} found={:<10} source={}",
                SETS[page.set].0,
                page.file,
                page.gold.as_deref().unwrap_or("-"),
                f0.as_deref().unwrap_or("-"),
                found
                    .map(|m| format!("{:?}", m.source))
                    .unwrap_or_else(|| "-".into()),
            ));
        }
    }
    if verbose {
        for m in &misses {
            println!("{m}");
        }
    }

    let n = pages.len().max(1) as f64;
    let find_ms = t_find.as_secs_f64() * 1000.0 / n;
    let parse_ms = t_parse.as_secs_f64() * 1000.0 / n;
    println!(
        "htmldate evaluation set ({} pages, {} missing files)",
        pages.len(),
        missing[0] + missing[1]
    );
    println!(
        "{:<26} {:>6} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7} {:>8} {:>6}",
        "set", "pages", "tp", "fp", "tn", "fn", "precision", "recall", "accuracy", "f1"
    );
    let mut summary = serde_json::Map::new();
    for (mode, label) in [(0usize, "html only"), (1usize, "html + url")] {
        let mut all = Counts::default();
        for (set, c) in counts[mode].iter().enumerate() {
            all.merge(c);
            print_row(&format!("{} ({label})", SETS[set].0), c);
        }
        print_row(&format!("combined ({label})"), &all);
        let key = if mode == 0 { "html_only" } else { "with_url" };
        summary.insert(
            key.into(),
            serde_json::json!({
                "default": counts[mode][0].json(),
                "mediacloud_2020": counts[mode][1].json(),
                "combined": all.json(),
            }),
        );
    }
    let sources: Vec<String> = by_source
        .iter()
        .map(|(k, (ok, bad))| format!("{k} {ok}/{}", ok + bad))
        .collect();
    println!("correct by evidence (html only): {}", sources.join(", "));
    println!(
        "time per page: {find_ms:.3} ms date extraction, {:.3} ms with HTML parsing",
        find_ms + parse_ms
    );
    summary.insert(
        "missing_files".into(),
        missing[0].saturating_add(missing[1]).into(),
    );
    summary.insert("ms_per_page_extraction".into(), round3(find_ms).into());
    summary.insert(
        "ms_per_page_with_parse".into(),
        round3(find_ms + parse_ms).into(),
    );
    println!("{}", serde_json::Value::Object(summary));
    Ok(())
}

fn print_row(label: &str, c: &Counts) {
    println!(
        "{:<26} {:>6} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>8.3} {:>6.3}",
        label,
        c.total(),
        c.tp,
        c.fp,
        c.tn,
        c.fn_,
        c.precision(),
        c.recall(),
        c.accuracy(),
        c.f1()
    );
}

/// Every regular file of the gzipped tar archive, by path.
fn read_archive(path: &Path) -> anyhow::Result<HashMap<String, Vec<u8>>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = HashMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut buf = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut buf)?;
        out.insert(name, buf);
    }
    Ok(out)
}

/// Page bytes to text: UTF-8 when valid, else the declared charset for the single-byte Latin
/// encodings, else lossy UTF-8.
fn decode(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let charset = head.find("charset=").map(|i| {
        head[i + 8..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
    });
    match charset.as_deref() {
        Some(
            "iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" | "windows-1252" | "cp1252"
            | "iso-8859-15",
        ) => bytes.iter().map(|&b| cp1252(b)).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Windows-1252 (a superset of ISO-8859-1's printable range) byte to char.
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}
