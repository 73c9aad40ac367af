//! Date expressions resolved against the publication date.
//!
//! [`find`] scans a sentence or a body for date expressions ("on Tuesday", "last week",
//! "14 March 2025", "in 2022", "three days ago") and resolves each against the publication
//! date. The clock is the publication date, never `now()`. When it is unknown, relative
//! expressions keep their text and get no value; absolute dates with a year still resolve.
//!
//! Conventions (news reporting):
//! - a bare weekday ("on Tuesday") is the most recent such day on or before publication (the
//!   publication day itself when the weekdays agree), unless the clause before it is in the
//!   future tense ("will vote on Thursday", "is scheduled for ..."): then it is the first such
//!   day on or after publication. [`find_with_tense`] lets a caller who knows the tense say so.
//! - "last Friday" is strictly before publication, "next Monday" strictly after.
//! - a month and day without a year ("June 2") takes the year that puts it nearest to
//!   publication (on or after it in future tense); "in March" is the most recent March not
//!   after the publication month (the next one in future tense) unless a year is given.
//! - periods resolve to their first day: "last week" is the Monday of the previous week,
//!   "in 2022" is 2022-01-01, "earlier this month" the 1st; [`Granularity`] says how precise.
//! - "N days ago" counts back from publication; weeks, months and years ago are approximate.
//!
//! Month names only count when capitalised and in a date context, so "protesters march" and
//! "may meet" are not dates, and "May 5" is. Numbers need a date shape ("in 2014", not
//! "2014 people"; "on the 14th", not "on the 14th floor").
//!
//! ```
//! use chrono::NaiveDate;
//! use sitrep_extract::events::when;
//! let published = NaiveDate::from_ymd_opt(2025, 3, 14); // a Friday
//! let found = when::find("The convoy was struck on Tuesday.", published);
//! assert_eq!(found[0].text, "on Tuesday");
//! assert_eq!(found[0].value, NaiveDate::from_ymd_opt(2025, 3, 11));
//! ```

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::{Captures, Regex};

/// How precise a resolved value is; the value is the first day of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    Day,
    Week,
    Month,
    Year,
}

/// Whether the text names the day (or period) exactly, or only roughly ("earlier this week",
/// "late March", "two weeks ago").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    Exact,
    Approximate,
}

/// The tense of the clause around an expression, which decides the direction of bare weekdays,
/// months and days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tense {
    /// Look at the clause before the expression for future markers ("will", "is due to",
    /// "scheduled for", ...); past reporting otherwise.
    #[default]
    Auto,
    Past,
    Future,
}

/// A date expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeExpr {
    /// Byte offsets into the text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The (first day of the) date or period; `None` when it needs an unknown publication date.
    pub value: Option<NaiveDate>,
    pub granularity: Granularity,
    pub relation: Relation,
}

impl TimeExpr {
    /// The contract's event date: the expression's text and its value.
    pub fn to_model(&self) -> sitrep_model::EventDate {
        sitrep_model::EventDate {
            text: self.text.clone(),
            value: self.value,
            start: Some(self.start),
            end: Some(self.end),
        }
    }
}

/// Date expressions in `text`, in order, resolved against `published` with the tense read from
/// each expression's clause.
pub fn find(text: &str, published: Option<NaiveDate>) -> Vec<TimeExpr> {
    find_with_tense(text, published, Tense::Auto)
}

/// As [`find`], with the tense given by the caller ([`Tense::Auto`] reads it from the text).
pub fn find_with_tense(text: &str, published: Option<NaiveDate>, tense: Tense) -> Vec<TimeExpr> {
    let mut cands = candidates(text);
    cands.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = Vec::new();
    let mut last_end = 0;
    for c in cands {
        if c.start < last_end {
            continue;
        }
        let lean = match tense {
            Tense::Past => Lean::Past,
            Tense::Future => Lean::Future,
            Tense::Auto if future_before(text, c.start) => Lean::Future,
            Tense::Auto => Lean::Unmarked,
        };
        let Some((value, granularity, relation)) = interpret(&c.kind, published, lean) else {
            continue;
        };
        last_end = c.end;
        out.push(TimeExpr {
            start: c.start,
            end: c.end,
            text: text[c.start..c.end].to_string(),
            value,
            granularity,
            relation,
        });
    }
    out
}

/// The date of the first expression in `expr` ("last Friday", "March 14"), read in the tense
/// `expr` itself shows.
pub fn resolve(expr: &str, published: NaiveDate) -> Option<NaiveDate> {
    find(expr, Some(published))
        .into_iter()
        .find_map(|t| t.value)
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lean {
    Past,
    Future,
    /// No tense marker: weekdays and months read as past, a month and day as the nearest.
    Unmarked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Last,
    This,
    Next,
    /// "earlier this week", "later this month".
    ThisApprox,
    /// "the past week": the period ending at publication.
    Past,
    /// "September last year"
    LastYear,
    /// "June next year"
    NextYear,
    /// "the month of August", "as of February": the latest such month, whatever the tense.
    Latest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
    Decade,
    Weekend,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// today (0), yesterday (-1), tomorrow (+1), ...
    Offset(i64),
    Weekday(Weekday, Option<Which>),
    MonthDay {
        month: u32,
        day: u32,
        year: Option<i32>,
        weekday: Option<Weekday>,
    },
    Ordinal(u32),
    Month {
        month: u32,
        year: Option<i32>,
        which: Option<Which>,
        approx: bool,
    },
    Year(i32, bool),
    Period(Which, Unit),
    /// "over the weekend"
    Weekend,
    Ago(u32, Unit, bool),
    /// A date whose reading is ambiguous ("03/04/2025"): text kept, no value.
    Ambiguous,
}

struct Cand {
    start: usize,
    end: usize,
    kind: Kind,
}

const MONTHS: &str = r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)";
const WEEKDAYS: &str = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const DAY: &str = r"(?:3[01]|[12][0-9]|0?[1-9])";

fn re(pattern: &str) -> Regex {
    // Patterns are literals of this module; a failure is a bug caught by every test.
    Regex::new(pattern).expect("date pattern compiles")
}

static ABSOLUTE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?i:on)\s+)?(?:(?P<wd>{WEEKDAYS}),?\s+)?(?:(?:the\s+)?(?P<d1>{DAY})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m1>{MONTHS})|(?P<m2>{MONTHS})\s+(?P<d2>{DAY})(?:st|nd|rd|th)?\b)(?:,?\s+(?P<y>(?:1[89]|20)[0-9]{{2}})\b)?"
    ))
});

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?i:on)\s+)?(?P<y>(?:19|20)[0-9]{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])\b",
    )
});

/// "14.03.2025", "14/03/2025", "3/14/2025": day and month by which one exceeds 12; with a dot
/// the European day.month order; an ambiguous slash date keeps its text without a value.
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?i:on)\s+)?(?P<a>[0-9]{1,2})(?P<sep>[./])(?P<b>[0-9]{1,2})[./](?P<y>(?:19|20)[0-9]{2})\b",
    )
});

static ORDINAL: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?i:on)\s+the\s+(?P<d>{DAY})(?:st|nd|rd|th)\b")));

static MONTH: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?P<pre0>(?i:in|since|until|till|by|during|from|before|after|through|throughout))\s+(?:the\s+)?)?(?:(?P<pre>(?i:in|since|until|till|by|during|from|before|after|through|throughout|of|last|this|next|early|mid|late|end\s+of|beginning\s+of|start\s+of|middle\s+of))(?:\s+|-))?(?P<m>{MONTHS})(?:,?\s+(?P<y>(?:1[89]|20)[0-9]{{2}})\b|\s+(?:of\s+)?(?P<rel>(?i:last|this|next))\s+year\b)?"
    ))
});

/// A day number right after a month name ("March 14", not "March 14,000").
static DAY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s+(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?\b(?:[^,.0-9]|[,.](?:[^0-9]|$)|$)")
});

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<pre>(?i:in|since|during|until|till|by|from|before|after|through|throughout|early|late|mid|of|end\s+of|start\s+of|beginning\s+of|middle\s+of))(?:\s+|-)(?P<y>(?:1[89]|20)[0-9]{2})\b",
    )
});

static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?P<pre>(?i:on|last|this|next|past|coming|previous|this\s+past|this\s+coming))\s+)?(?P<wd>{WEEKDAYS})(?:(?:'s|’s)|\s+(?i:morning|afternoon|evening|night))?\b"
    ))
});

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<m2>the\s+day\s+before\s+yesterday)|(?P<p2>the\s+day\s+after\s+tomorrow)|(?P<today>today|tonight|this\s+(?:morning|afternoon|evening))|(?P<yest>yesterday(?:\s+(?:morning|afternoon|evening))?|last\s+night)|(?P<tom>tomorrow(?:\s+(?:morning|afternoon|evening|night))?)|(?P<which>last|this|next|coming|previous|earlier\s+this|later\s+this|(?:the\s+)?past)\s+(?P<unit>week|month|year|weekend)|(?P<wkend>(?:over|at|during)\s+the\s+weekend)|(?P<n>[0-9]{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|several|a\s+couple\s+of)\s+(?P<aunit>days?|weeks?|months?|years?|decades?)\s+ago)\b",
    )
});

static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:will|won't|shall|would|'ll|(?:is|are|was|were)\s+(?:due|expected|set|scheduled|slated|poised|going|planned|planning|preparing|to\s+be\s+held)|scheduled|expected|expects|should|awaiting|awaited|due\s+(?:on|by|in|until)|plans?\s+to|planning\s+to|upcoming|intends?\s+to|aims?\s+to)\b",
    )
});

/// Nouns after a year-shaped number that make it a count ("in 2014 people ..." stays a date only
/// when no such noun follows).
const COUNT_NOUNS: &[&str] = &[
    "people",
    "persons",
    "votes",
    "troops",
    "soldiers",
    "civilians",
    "protesters",
    "residents",
    "homes",
    "houses",
    "cases",
    "deaths",
    "members",
    "households",
    "families",
    "men",
    "women",
    "children",
    "refugees",
    "migrants",
    "workers",
    "units",
    "dollars",
    "euros",
    "pounds",
    "percent",
    "jobs",
    "students",
    "delegates",
    "seats",
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "metres",
    "meters",
];

fn candidates(text: &str) -> Vec<Cand> {
    let mut out = Vec::new();
    for c in ABSOLUTE.captures_iter(text) {
        // "In May 5,000 people fled": the day runs on into a bigger number.
        let runs_on = c.get(0).is_some_and(|m| {
            let rest = &text.as_bytes()[m.end()..];
            matches!(rest, [b',' | b'.', d, ..] if d.is_ascii_digit())
        });
        if runs_on {
            continue;
        }
        if let Some(kind) = absolute(&c) {
            push(&mut out, &c, kind);
        }
    }
    for c in ISO.captures_iter(text) {
        let (Some(y), Some(m), Some(d)) = (num::<i32>(&c, "y"), num(&c, "m"), num(&c, "d")) else {
            continue;
        };
        if NaiveDate::from_ymd_opt(y, m, d).is_some() {
            push(
                &mut out,
                &c,
                Kind::MonthDay {
                    month: m,
                    day: d,
                    year: Some(y),
                    weekday: None,
                },
            );
        }
    }
    for c in NUMERIC.captures_iter(text) {
        let (Some(a), Some(b), Some(y)) = (num::<u32>(&c, "a"), num::<u32>(&c, "b"), num(&c, "y"))
        else {
            continue;
        };
        // a decimal or a version number goes on: "1.2.2024.5"
        let runs_on = c.get(0).is_some_and(|m| {
            let rest = &text.as_bytes()[m.end()..];
            matches!(rest, [b'.' | b'/', d, ..] if d.is_ascii_digit())
        });
        if runs_on {
            continue;
        }
        let dot = c.name("sep").is_some_and(|m| m.as_str() == ".");
        let (month, day) = if a > 12 || dot {
            (b, a)
        } else if b > 12 {
            (a, b)
        } else {
            // 03/04/2025: April or March? The text stays, the value does not.
            push(&mut out, &c, Kind::Ambiguous);
            continue;
        };
        if NaiveDate::from_ymd_opt(y, month, day).is_some() {
            push(
                &mut out,
                &c,
                Kind::MonthDay {
                    month,
                    day,
                    year: Some(y),
                    weekday: None,
                },
            );
        }
    }
    for c in ORDINAL.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        if !ordinal_ends_phrase(&text[whole.end()..]) {
            continue;
        }
        if let Some(d) = num(&c, "d") {
            push(&mut out, &c, Kind::Ordinal(d));
        }
    }
    for c in MONTH.captures_iter(text) {
        let pre = c
            .name("pre")
            .or_else(|| c.name("pre0"))
            .map(|m| m.as_str().to_ascii_lowercase());
        let year = num::<i32>(&c, "y");
        // "September last year", "June of this year"
        let rel_year = c
            .name("rel")
            .map(|m| match m.as_str().to_ascii_lowercase().as_str() {
                "last" => -1,
                "next" => 1,
                _ => 0,
            });
        let Some(m) = c.name("m") else { continue };
        let Some(month) = month_number(m.as_str()) else {
            continue;
        };
        // "since March 14" is a day: the absolute pattern has it.
        if year.is_none() && DAY_AFTER.is_match(&text[m.end()..]) {
            continue;
        }
        // "of May" is too often a name ("the government of May"); a bare month is no date.
        let pre_ok = match pre.as_deref() {
            None => false,
            Some("of") => month != 5,
            Some(_) => true,
        };
        if !pre_ok && year.is_none() && rel_year.is_none() {
            continue;
        }
        let p = pre.as_deref().unwrap_or("");
        let which = match (rel_year, p) {
            (Some(-1), _) => Some(Which::LastYear),
            (Some(1), _) => Some(Which::NextYear),
            (Some(_), _) | (None, "this") => Some(Which::This),
            (None, "last") => Some(Which::Last),
            (None, "next") => Some(Which::Next),
            (None, "of" | "as of") => Some(Which::Latest),
            _ => None,
        };
        let approx = matches!(p, "early" | "mid" | "late")
            || p.starts_with("end")
            || p.starts_with("beginning")
            || p.starts_with("start")
            || p.starts_with("middle");
        push(
            &mut out,
            &c,
            Kind::Month {
                month,
                year,
                which,
                approx,
            },
        );
    }
    for c in YEAR.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        if !year_ends_phrase(&text[whole.end()..]) {
            continue;
        }
        let approx = c.name("pre").is_some_and(|p| {
            let p = p.as_str().to_ascii_lowercase();
            matches!(p.as_str(), "early" | "late" | "mid")
                || p.starts_with("end")
                || p.starts_with("start")
                || p.starts_with("beginning")
                || p.starts_with("middle")
        });
        if let Some(y) = num(&c, "y") {
            push(&mut out, &c, Kind::Year(y, approx));
        }
    }
    for c in WEEKDAY.captures_iter(text) {
        let Some(wd) = c.name("wd").and_then(|m| weekday(m.as_str())) else {
            continue;
        };
        let which = match c
            .name("pre")
            .map(|m| m.as_str().to_ascii_lowercase())
            .as_deref()
        {
            Some("last" | "past" | "previous" | "this past") => Some(Which::Last),
            Some("next" | "coming" | "this coming") => Some(Which::Next),
            Some("this") => Some(Which::This),
            _ => None,
        };
        let Some(whole) = c.get(0) else { continue };
        // "Tuesday's attack": the span is the day, without the possessive.
        let s = whole.as_str();
        let trimmed = s
            .strip_suffix("'s")
            .or_else(|| s.strip_suffix("’s"))
            .unwrap_or(s);
        out.push(Cand {
            start: whole.start(),
            end: whole.start() + trimmed.len(),
            kind: Kind::Weekday(wd, which),
        });
    }
    for c in RELATIVE.captures_iter(text) {
        if let Some(kind) = relative(&c) {
            push(&mut out, &c, kind);
        }
    }
    out
}

fn push(out: &mut Vec<Cand>, c: &Captures<'_>, kind: Kind) {
    if let Some(m) = c.get(0) {
        out.push(Cand {
            start: m.start(),
            end: m.end(),
            kind,
        });
    }
}

fn num<T: std::str::FromStr>(c: &Captures<'_>, name: &str) -> Option<T> {
    c.name(name)?.as_str().parse().ok()
}

fn absolute(c: &Captures<'_>) -> Option<Kind> {
    let (day, month) = match (c.name("d1"), c.name("m1"), c.name("m2"), c.name("d2")) {
        (Some(d), Some(m), _, _) | (_, _, Some(m), Some(d)) => {
            (d.as_str().parse().ok()?, month_number(m.as_str())?)
        }
        _ => return None,
    };
    let year = num::<i32>(c, "y");
    let weekday = c.name("wd").and_then(|m| weekday(m.as_str()));
    // February 30 is no date; February 29 needs a leap year (checked when resolving).
    NaiveDate::from_ymd_opt(year.unwrap_or(2024), month, day)?;
    Some(Kind::MonthDay {
        month,
        day,
        year,
        weekday,
    })
}

fn relative(c: &Captures<'_>) -> Option<Kind> {
    if c.name("m2").is_some() {
        return Some(Kind::Offset(-2));
    }
    if c.name("p2").is_some() {
        return Some(Kind::Offset(2));
    }
    if c.name("today").is_some() {
        return Some(Kind::Offset(0));
    }
    if c.name("yest").is_some() {
        return Some(Kind::Offset(-1));
    }
    if c.name("tom").is_some() {
        return Some(Kind::Offset(1));
    }
    if c.name("wkend").is_some() {
        return Some(Kind::Weekend);
    }
    if let (Some(which), Some(unit)) = (c.name("which"), c.name("unit")) {
        let which = which.as_str().to_ascii_lowercase();
        let which = if which.starts_with("earlier") || which.starts_with("later") {
            Which::ThisApprox
        } else {
            match which.as_str() {
                "last" | "previous" => Which::Last,
                "this" => Which::This,
                "next" | "coming" => Which::Next,
                _ => Which::Past,
            }
        };
        return Some(Kind::Period(which, unit_of(unit.as_str())?));
    }
    let n = c.name("n")?.as_str().to_ascii_lowercase();
    let unit = unit_of(c.name("aunit")?.as_str())?;
    let words = n.split_whitespace().collect::<Vec<_>>().join(" ");
    let (count, approx) = match words.as_str() {
        "a" | "an" | "one" => (1, false),
        "a couple of" => (2, true),
        "a few" | "several" => (3, true),
        w => (small_number(w)?, false),
    };
    Some(Kind::Ago(count, unit, approx))
}

fn small_number(w: &str) -> Option<u32> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return u32::try_from(i + 1).ok();
    }
    w.parse().ok()
}

fn unit_of(s: &str) -> Option<Unit> {
    let s = s.to_ascii_lowercase();
    Some(match s.trim_end_matches('s') {
        "day" => Unit::Day,
        "week" => Unit::Week,
        "month" => Unit::Month,
        "year" => Unit::Year,
        "decade" => Unit::Decade,
        "weekend" => Unit::Weekend,
        _ => return None,
    })
}

fn month_number(s: &str) -> Option<u32> {
    let s = s.trim_end_matches('.');
    let key = s.get(..3)?;
    Some(match key {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    })
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.get(..3)? {
        "Mon" => Weekday::Mon,
        "Tue" => Weekday::Tue,
        "Wed" => Weekday::Wed,
        "Thu" => Weekday::Thu,
        "Fri" => Weekday::Fri,
        "Sat" => Weekday::Sat,
        "Sun" => Weekday::Sun,
        _ => return None,
    })
}

/// "on the 14th" is a date when the phrase ends there ("on the 3rd and ..."), not before a noun
/// ("on the 14th floor").
fn ordinal_ends_phrase(rest: &str) -> bool {
    let next = rest.split_whitespace().next().unwrap_or("");
    let word: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
    if word.is_empty() {
        // punctuation or end of text; a following "-" makes a compound ("14th-century")
        return !next.starts_with('-');
    }
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return false;
    }
    matches!(
        word.to_ascii_lowercase().as_str(),
        "and" | "or" | "but" | "when" | "after" | "before" | "at" | "in" | "as" | "while" | "until"
    )
}

/// "in 2014" is a year unless a count noun follows ("in 2014 people", "by 2014 votes") or the
/// number goes on ("2014.5", "2014%").
fn year_ends_phrase(rest: &str) -> bool {
    if rest.starts_with(['%', '.', ',', '-']) {
        let mut chars = rest.chars();
        chars.next();
        if chars.next().is_some_and(|c| c.is_ascii_digit()) {
            return false;
        }
        return !rest.starts_with('%');
    }
    let next = rest
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    !COUNT_NOUNS.contains(&next.as_str())
}

/// A future-tense marker in the clause before `start` (back to the last sentence or clause
/// boundary: . ; ! ? , or a line break).
fn future_before(text: &str, start: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    let clause_start = before
        .rfind(['.', ';', '!', '?', ',', '\n'])
        .map_or(0, |i| i + 1);
    let clause = &before[clause_start..];
    // "are not due until October": "due" right before the expression ("due to" is a cause)
    let due = clause
        .trim_end()
        .rsplit(char::is_whitespace)
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("due"));
    due || FUTURE.is_match(clause) || SCHEDULED.is_match(clause)
}

/// A present-tense schedule verb right before the expression: "parliament reconvenes on
/// Monday", "voters go to the polls on Sunday", "the truce expires in March".
static SCHEDULED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:begins|starts|opens|resumes|reconvenes|meets|ends|closes|expires|returns|arrives|departs|visits|travels|votes|go\s+to\s+the\s+polls|goes\s+to\s+the\s+polls|takes?\s+effect|kicks?\s+off)\s*$",
    )
});

type Resolved = (Option<NaiveDate>, Granularity, Relation);

fn interpret(kind: &Kind, published: Option<NaiveDate>, lean: Lean) -> Option<Resolved> {
    use Granularity as G;
    use Relation as R;
    let exact = |v: Option<NaiveDate>, g| Some((v, g, R::Exact));
    let approx = |v: Option<NaiveDate>, g| Some((v, g, R::Approximate));
    match *kind {
        Kind::MonthDay {
            month,
            day,
            year: Some(y),
            ..
        } => exact(Some(NaiveDate::from_ymd_opt(y, month, day)?), G::Day),
        Kind::Year(y, a) => {
            let v = NaiveDate::from_ymd_opt(y, 1, 1);
            if a {
                approx(v, G::Year)
            } else {
                exact(v, G::Year)
            }
        }
        Kind::Month {
            month,
            year: Some(y),
            approx: a,
            ..
        } => {
            let v = NaiveDate::from_ymd_opt(y, month, 1);
            if a {
                approx(v, G::Month)
            } else {
                exact(v, G::Month)
            }
        }
        _ => {
            let Some(p) = published else {
                let (g, r) = shape(kind);
                return Some((None, g, r));
            };
            let (g, r) = shape(kind);
            Some((relative_value(kind, p, lean), g, r))
        }
    }
}

/// Granularity and relation of an expression that needs the publication date.
fn shape(kind: &Kind) -> (Granularity, Relation) {
    use Granularity as G;
    use Relation as R;
    match *kind {
        Kind::Offset(_) | Kind::Weekday(..) | Kind::MonthDay { .. } | Kind::Ordinal(_) => {
            (G::Day, R::Exact)
        }
        Kind::Weekend | Kind::Ambiguous => (G::Day, R::Approximate),
        Kind::Month { approx, .. } => (G::Month, if approx { R::Approximate } else { R::Exact }),
        Kind::Year(_, approx) => (G::Year, if approx { R::Approximate } else { R::Exact }),
        Kind::Period(which, unit) => {
            let g = match unit {
                Unit::Day | Unit::Weekend => G::Day,
                Unit::Week => G::Week,
                Unit::Month => G::Month,
                Unit::Year | Unit::Decade => G::Year,
            };
            let r = match (which, unit) {
                (Which::ThisApprox | Which::Past, _) | (_, Unit::Weekend) => R::Approximate,
                _ => R::Exact,
            };
            (g, r)
        }
        Kind::Ago(_, unit, approx) => match unit {
            Unit::Day | Unit::Weekend => (G::Day, if approx { R::Approximate } else { R::Exact }),
            Unit::Week => (G::Week, R::Approximate),
            Unit::Month => (G::Month, R::Approximate),
            Unit::Year | Unit::Decade => (G::Year, R::Approximate),
        },
    }
}

fn relative_value(kind: &Kind, p: NaiveDate, lean: Lean) -> Option<NaiveDate> {
    match *kind {
        Kind::Ambiguous => None,
        Kind::Offset(n) => shift(p, n),
        Kind::Weekday(wd, which) => Some(match which {
            Some(Which::Last) => on_or_before(p.pred_opt()?, wd),
            Some(Which::Next) => on_or_after(p.succ_opt()?, wd),
            _ if lean == Lean::Future => on_or_after(p, wd),
            _ => on_or_before(p, wd),
        }),
        Kind::MonthDay {
            month,
            day,
            weekday,
            ..
        } => {
            let cands: Vec<NaiveDate> = (p.year() - 1..=p.year() + 1)
                .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
                .collect();
            // "Thursday, March 6": the weekday picks the year when it can.
            let agreeing: Vec<NaiveDate> = cands
                .iter()
                .copied()
                .filter(|d| weekday.is_none_or(|w| d.weekday() == w))
                .collect();
            let pool = if agreeing.is_empty() { cands } else { agreeing };
            pick(&pool, p, lean)
        }
        Kind::Ordinal(day) => {
            let this = p.with_day(1)?;
            let pool: Vec<NaiveDate> = [
                this.checked_sub_months(Months::new(1)),
                Some(this),
                this.checked_add_months(Months::new(1)),
            ]
            .into_iter()
            .flatten()
            .filter_map(|m| m.with_day(day))
            .collect();
            pick(&pool, p, lean)
        }
        Kind::Month { month, which, .. } => {
            let pm = p.month();
            let y = p.year();
            let year = match which {
                Some(Which::Last) => {
                    if month < pm {
                        y
                    } else {
                        y - 1
                    }
                }
                Some(Which::Next) => {
                    if month > pm {
                        y
                    } else {
                        y + 1
                    }
                }
                Some(Which::LastYear) => y - 1,
                Some(Which::Latest) => {
                    if month <= pm {
                        y
                    } else {
                        y - 1
                    }
                }
                Some(Which::NextYear) => y + 1,
                Some(_) => y,
                None if lean == Lean::Future => {
                    if month >= pm {
                        y
                    } else {
                        y + 1
                    }
                }
                None => {
                    if month <= pm {
                        y
                    } else {
                        y - 1
                    }
                }
            };
            NaiveDate::from_ymd_opt(year, month, 1)
        }
        Kind::Year(y, _) => NaiveDate::from_ymd_opt(y, 1, 1),
        Kind::Period(which, unit) => period(p, which, unit, lean),
        Kind::Weekend => Some(if lean == Lean::Future {
            on_or_after(p, Weekday::Sat)
        } else if p.weekday() == Weekday::Sun {
            p.pred_opt()?
        } else {
            on_or_before(p, Weekday::Sat)
        }),
        Kind::Ago(n, unit, _) => match unit {
            Unit::Day | Unit::Weekend => p.checked_sub_days(Days::new(u64::from(n))),
            Unit::Week => p.checked_sub_days(Days::new(7 * u64::from(n))),
            Unit::Month => p.checked_sub_months(Months::new(n)),
            Unit::Year => p.checked_sub_months(Months::new(n.checked_mul(12)?)),
            Unit::Decade => p.checked_sub_months(Months::new(n.checked_mul(120)?)),
        },
    }
}

fn period(p: NaiveDate, which: Which, unit: Unit, lean: Lean) -> Option<NaiveDate> {
    let monday = monday_of(p);
    match unit {
        Unit::Day => Some(p),
        // no period pattern produces these ("last decade" is not read)
        Unit::Decade => None,
        Unit::Week => match which {
            Which::Last | Which::LastYear => shift(monday, -7),
            Which::This | Which::ThisApprox => Some(monday),
            Which::Next | Which::NextYear => shift(monday, 7),
            Which::Past | Which::Latest => shift(p, -7),
        },
        Unit::Month => {
            let first = p.with_day(1)?;
            match which {
                Which::Last | Which::LastYear => first.checked_sub_months(Months::new(1)),
                Which::This | Which::ThisApprox => Some(first),
                Which::Next | Which::NextYear => first.checked_add_months(Months::new(1)),
                Which::Past | Which::Latest => p.checked_sub_months(Months::new(1)),
            }
        }
        Unit::Year => match which {
            Which::Last | Which::LastYear => NaiveDate::from_ymd_opt(p.year() - 1, 1, 1),
            Which::This | Which::ThisApprox => NaiveDate::from_ymd_opt(p.year(), 1, 1),
            Which::Next | Which::NextYear => NaiveDate::from_ymd_opt(p.year() + 1, 1, 1),
            Which::Past | Which::Latest => p.checked_sub_months(Months::new(12)),
        },
        Unit::Weekend => match which {
            Which::Last | Which::LastYear => shift(monday, -2),
            Which::Next | Which::NextYear => shift(monday, 12),
            Which::Past | Which::Latest => Some(on_or_before(p, Weekday::Sat)),
            Which::This | Which::ThisApprox => match p.weekday() {
                Weekday::Sat => Some(p),
                Weekday::Sun => p.pred_opt(),
                _ if lean == Lean::Past => shift(monday, -2),
                _ => shift(monday, 5),
            },
        },
    }
}

/// The candidate the tense points to: on or before publication in the past, on or after it in
/// the future, the nearest otherwise (ties to the past).
fn pick(pool: &[NaiveDate], p: NaiveDate, lean: Lean) -> Option<NaiveDate> {
    match lean {
        Lean::Past => pool.iter().copied().filter(|d| *d <= p).max(),
        Lean::Future => pool.iter().copied().filter(|d| *d >= p).min(),
        Lean::Unmarked => pool
            .iter()
            .copied()
            .min_by_key(|d| ((*d - p).num_days().abs(), *d > p)),
    }
}

fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    let n = Days::new(days.unsigned_abs());
    if days >= 0 {
        d.checked_add_days(n)
    } else {
        d.checked_sub_days(n)
    }
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    on_or_before(d, Weekday::Mon)
}

fn on_or_before(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let back = (7 + d.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
    shift(d, -i64::from(back)).unwrap_or(d)
}

fn on_or_after(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - d.weekday().num_days_from_monday()) % 7;
    shift(d, i64::from(ahead)).unwrap_or(d)
}
