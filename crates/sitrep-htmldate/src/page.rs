//! Last-resort searches over the serialized page: recurring date patterns, counted and weighed
//! against each other and against the copyright year.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use crate::parse::{Bounds, correct_year, num, parse_text};

/// Pages longer than this are searched in their first part only.
const MAX_PAGE: usize = 3_000_000;
/// More distinct candidates than this: the pattern is noise on this page.
const MAX_CANDIDATES: usize = 1000;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("regex")
}

static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:©|&copy;|Copyright|\(c\))[^\d]{0,40}(?:(?:19|20)\d{2})?-?((?:19|20)\d{2})[^\d]")
});
static THREE: LazyLock<Regex> = LazyLock::new(|| re(r"/(\d{4})/(\d{2})/(\d{2})[01/]"));
static THREE_LOOSE: LazyLock<Regex> =
    LazyLock::new(|| re(r"[^\d](\d{4})[/.-](\d{2})[/.-](\d{2})[^\d]"));
static DMY4: LazyLock<Regex> =
    LazyLock::new(|| re(r"[^\d]([0-3]?\d)[/.-]([01]?\d)[/.-](\d{4})[^\d]"));
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| re(r"[^\d]((?:19|20)\d{2})([01]\d)([0-3]\d)[^\d]"));
static SLASHES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"[^\d](?:([0-3]?\d)/([01]?\d)/([0129]\d)|([0-3]\d)\.([01]\d)\.([0129]\d))[^\d]")
});
static YYYYMM: LazyLock<Regex> = LazyLock::new(|| re(r"[^\d]([12]\d{3})[/.-](1[0-2]|0[1-9])[^\d]"));
static MMYYYY: LazyLock<Regex> = LazyLock::new(|| re(r"[^\d]([01]?\d)[/.-]([12]\d{3})[^\d]"));
static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| re(r"((?:19|20)\d{2})-([01]?\d)-([0-3]?\d).\d{2}:\d{2}:\d{2}"));
static IDIOSYNCRASIES: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:date[^0-9"]{0,20}|updated|last-modified|published|posted|on)(?:[ :])*?([0-9]{1,4})[./]([0-9]{1,2})[./]([0-9]{2,4})|"#,
        r"(?:Datum|Stand|Veröffentlicht am):? ?([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2,4})|",
        r"(?:güncellen?me|yayı(?:m|n)lan?ma) *?(?:tarihi)? *?:? *?([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{2,4})|",
        r"([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{2,4}) *?(?:'de|'da|'te|'ta|’de|’da|’te|’ta|tarihinde) *(?:güncellendi|yayı(?:m|n)landı)"
    ))
});

/// The first `YYYY-MM-DD hh:mm:ss`-like timestamp on the page.
pub fn timestamp(html: &str, b: &Bounds) -> Option<NaiveDate> {
    TIMESTAMP
        .captures_iter(cap(html))
        .take(50)
        .find_map(|c| b.date(num(&c[1]), num(&c[2]), num(&c[3])))
}

/// The first date introduced by a word such as "published", "Datum" or "Stand".
pub fn idiosyncrasies(html: &str, b: &Bounds) -> Option<NaiveDate> {
    let c = IDIOSYNCRASIES.captures(cap(html))?;
    let parts: Vec<&str> = c.iter().skip(1).flatten().map(|m| m.as_str()).collect();
    if parts.len() < 3 {
        return None;
    }
    if parts[0].len() == 4 {
        b.date(num(parts[0]), num(parts[1]), num(parts[2]))
    } else {
        let (mut day, mut month) = (num(parts[0]), num(parts[1]));
        if month > 12 && day <= 12 {
            std::mem::swap(&mut day, &mut month);
        }
        b.date(correct_year(num(parts[2])), month, day)
    }
}

fn cap(html: &str) -> &str {
    crate::parse::prefix_bytes(html, MAX_PAGE)
}

/// Occurrence counts of normalized candidates, in order of first appearance.
fn count(items: impl Iterator<Item = (NaiveDate, String)>) -> Vec<(String, NaiveDate, usize)> {
    let mut out: Vec<(String, NaiveDate, usize)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (d, key) in items {
        match index.get(&key) {
            Some(&i) => {
                let e: &mut (String, NaiveDate, usize) = &mut out[i];
                e.2 += 1;
            }
            None => {
                index.insert(key.clone(), out.len());
                out.push((key, d, 1));
            }
        }
        if out.len() > MAX_CANDIDATES {
            return Vec::new();
        }
    }
    out
}

/// htmldate's choice among recurring candidates: of the ten most frequent, the two earliest;
/// the later one wins only when it is at least half as frequent as the earlier.
fn select(cands: Vec<(String, NaiveDate, usize)>) -> Option<NaiveDate> {
    if cands.len() <= 1 {
        return cands.first().map(|c| c.1);
    }
    let mut by_freq = cands;
    by_freq.sort_by_key(|c| std::cmp::Reverse(c.2)); // stable: ties keep first-seen order
    by_freq.truncate(10);
    by_freq.sort_by(|a, b| a.0.cmp(&b.0));
    let (first, second) = (&by_freq[0], &by_freq[1]);
    if first.2 == second.2 {
        Some(first.1)
    } else if first.1.year() != second.1.year() && second.2 as f64 / first.2 as f64 > 0.5 {
        Some(second.1)
    } else {
        Some(first.1)
    }
}

fn after_copyright(d: NaiveDate, copyear: i32) -> Option<NaiveDate> {
    (copyear == 0 || d.year() >= copyear).then_some(d)
}

fn ymd_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The search over the whole page that htmldate runs when nothing else found a date.
pub fn search_page(html: &str, b: &Bounds) -> Option<NaiveDate> {
    let html = cap(html);
    // Copyright year: the page is probably not older than it.
    let copyear = select(count(COPYRIGHT.captures_iter(html).filter_map(|c| {
        let d = b.date(num(&c[1]), 1, 1)?;
        Some((d, c[1].to_string()))
    })))
    .map_or(0, |d| d.year());

    let ymd = |re: &Regex| {
        count(re.captures_iter(html).filter_map(|c| {
            let d = b.date(num(&c[1]), num(&c[2]), num(&c[3]))?;
            Some((
                d,
                c[0].trim_matches(|ch: char| !ch.is_ascii_digit())
                    .to_string(),
            ))
        }))
    };
    for re in [&*THREE, &*THREE_LOOSE] {
        // htmldate keeps candidates by their year, then validates the chosen one.
        if let Some(d) = select(ymd(re)).and_then(|d| after_copyright(d, copyear)) {
            return Some(d);
        }
    }
    let dmy = count(DMY4.captures_iter(html).filter_map(|c| {
        let (mut day, mut month) = (num(&c[1]), num(&c[2]));
        if month > 12 && day <= 12 {
            std::mem::swap(&mut day, &mut month);
        }
        let d = b.date(num(&c[3]), month, day)?;
        Some((d, ymd_key(d)))
    }));
    if let Some(d) = select(dmy).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    if let Some(d) = select(ymd(&COMPACT)).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    let slashes = count(SLASHES.captures_iter(html).filter_map(|c| {
        let (d, m, y) = if c.get(1).is_some() {
            (&c[1], &c[2], &c[3])
        } else {
            (&c[4], &c[5], &c[6])
        };
        let (mut day, mut month) = (num(d), num(m));
        if month > 12 && day <= 12 {
            std::mem::swap(&mut day, &mut month);
        }
        let d = b.date(correct_year(num(y)), month, day)?;
        Some((d, ymd_key(d)))
    }));
    if let Some(d) = select(slashes).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    let ym = count(YYYYMM.captures_iter(html).filter_map(|c| {
        let d = b.date(num(&c[1]), num(&c[2]), 1)?;
        Some((d, ymd_key(d)))
    }));
    if let Some(d) = select(ym).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    let my = count(MMYYYY.captures_iter(html).filter_map(|c| {
        let d = b.date(num(&c[2]), num(&c[1]), 1)?;
        Some((d, ymd_key(d)))
    }));
    if let Some(d) = select(my).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    if let Some(d) = parse_text(html, b, false).and_then(|d| after_copyright(d, copyear)) {
        return Some(d);
    }
    // A copyright year or a lone year is no publication date: htmldate would answer the first
    // of January of it, which is almost always wrong; no answer is better.
    None
}
