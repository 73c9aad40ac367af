//! Reading a calendar date written out in a dateline or a metadata field.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"\b((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})").expect("static regex compiles")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-zä]{3,9})\.?,?\s+((?:19|20)\d{2})\b")
        .expect("static regex compiles")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b")
        .expect("static regex compiles")
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"\b(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d{2})\b").expect("static regex compiles")
});

/// The month number of an English or German month name or abbreviation.
pub fn month_number(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    let table: [(&[&str], u32); 12] = [
        (&["jan", "january", "januar", "jänner"], 1),
        (&["feb", "february", "februar"], 2),
        (&["mar", "march", "märz", "maerz"], 3),
        (&["apr", "april"], 4),
        (&["may", "mai"], 5),
        (&["jun", "june", "juni"], 6),
        (&["jul", "july", "juli"], 7),
        (&["aug", "august"], 8),
        (&["sep", "sept", "september"], 9),
        (&["oct", "october", "okt", "oktober"], 10),
        (&["nov", "november"], 11),
        (&["dec", "december", "dez", "dezember"], 12),
    ];
    table
        .iter()
        .find(|(names, _)| names.contains(&n))
        .map(|(_, m)| *m)
}

/// The first date written in `text` in one of the common news formats: ISO `2025-03-14`,
/// `14 March 2025`, `March 14, 2025`, `14.03.2025` (day first).
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    if let Some(c) = ISO.captures(text) {
        return ymd(&c[1], &c[2], &c[3]);
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(text)
        && let Some(m) = month_number(&c[1])
    {
        return NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[2].parse().ok()?);
    }
    if let Some(c) = DAY_MONTH_YEAR.captures(text)
        && let Some(m) = month_number(&c[2])
    {
        return NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[1].parse().ok()?);
    }
    if let Some(c) = NUMERIC.captures(text) {
        return ymd(&c[3], &c[2], &c[1]);
    }
    None
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<(i32, u32, u32)>) {
        let want = expected.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
        assert_eq!(parse_date_text(text), want, "{text:?}");
    }

    #[test]
    fn formats() {
        check("Published March 3, 2025", Some((2025, 3, 3)));
        check("Updated: 14 May 2024, 09:30 IST", Some((2024, 5, 14)));
        check("2023-11-02T10:00:00Z", Some((2023, 11, 2)));
        check("Stand: 31.05.2019", Some((2019, 5, 31)));
        check("Tue, Sept. 9th, 2025", Some((2025, 9, 9)));
        check("31. Mai 2019", Some((2019, 5, 31)));
        check("February 30, 2025", None);
        check("no date here", None);
    }
}
