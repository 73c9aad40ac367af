//! Counts in text and the casualties and sizes they give.
//!
//! - [`parse_count`] reads one count phrase: "34", "at least 34", "more than 100", "some 3,000",
//!   "dozens", "tens of thousands", "twenty-five", "1.5 million", "between 20 and 30".
//! - [`casualties`] finds killed, injured, missing, detained and captured counts in a sentence
//!   ("killed at least 34 people", "34 people were killed", "the death toll rose to 40",
//!   "left 12 dead and 30 wounded", "no one was hurt").
//! - [`sizes`] finds the sizes of groups ("thousands of Ukrainian troops", "some 2,000
//!   protesters", "a crowd of 5,000", "a 2,000-strong force") that are not casualty counts.
//! - [`summary`] turns casualties into the contract's `{killed, injured}`.
//! - [`compatible`] says whether two reports of a count can both be true (34 and "more than
//!   30" can; 34 and 32 cannot), for disagreement detection across articles.
//!
//! Numbers that are not counts of people are left alone: money ("$40 million"), percentages,
//! durations ("a 30-day ceasefire", "three days"), distances, clock times ("3 p.m."), ages
//! ("a 34-year-old"), years and identifiers ("Resolution 2334", phone numbers).
//!
//! ```
//! use sitrep_extract::events::numbers::{casualties, CasualtyKind};
//! let found = casualties("The blast killed at least 34 people and wounded dozens.");
//! assert_eq!(found[0].kind, CasualtyKind::Killed);
//! assert_eq!(found[0].count.value, 34);
//! assert_eq!(found[1].kind, CasualtyKind::Injured);
//! assert_eq!(found[1].count.low, 24);
//! ```

/// How a count is hedged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// "34"
    Exact,
    /// "at least 34", "no fewer than 34"
    AtLeast,
    /// "more than 100", "over 100"
    MoreThan,
    /// "about 200", "some 3,000", "nearly 50", "a dozen"
    About,
    /// "up to 70", "as many as 70", "at most 70"
    UpTo,
    /// "fewer than 20", "under 20"
    LessThan,
    /// "between 20 and 30", "20 to 30"
    Between,
    /// "dozens", "hundreds", "thousands of", "several", "a few"
    Vague,
}

/// A count read from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Count {
    /// The best single figure: the stated number ("more than 100" gives 100), the lower end of
    /// a range, the conventional floor of a vague count ("dozens" gives 24).
    pub value: u64,
    /// The smallest value the phrase allows ("more than 100" gives 101).
    pub low: u64,
    /// The largest value the phrase allows; `None` when open-ended ("at least 34").
    pub high: Option<u64>,
    pub qualifier: Qualifier,
}

impl Count {
    fn new(value: u64, qualifier: Qualifier) -> Self {
        let (low, high) = match qualifier {
            Qualifier::Exact | Qualifier::Between => (value, Some(value)),
            Qualifier::AtLeast => (value, None),
            Qualifier::MoreThan => (value.saturating_add(1), None),
            Qualifier::About => {
                let margin = (value / 7).max(1); // about 15%
                (
                    value.saturating_sub(margin),
                    Some(value.saturating_add(margin)),
                )
            }
            Qualifier::UpTo => (0, Some(value)),
            Qualifier::LessThan => (0, Some(value.saturating_sub(1))),
            Qualifier::Vague => (value, None),
        };
        Count {
            value,
            low,
            high,
            qualifier,
        }
    }
}

/// What happened to the people counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CasualtyKind {
    Killed,
    Injured,
    Missing,
    /// arrested, detained, jailed
    Detained,
    /// captured, abducted, kidnapped, taken hostage
    Captured,
}

/// A casualty count in a sentence; `start..end` are byte offsets of the phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Casualty {
    pub kind: CasualtyKind,
    pub count: Count,
    pub start: usize,
    pub end: usize,
}

/// The size of a group ("thousands of Ukrainian troops"); `what` is the group noun, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size {
    pub what: String,
    pub count: Count,
    pub start: usize,
    pub end: usize,
}

/// The count at the start of `text` ("at least 34 people" gives at least 34), if it is one.
pub fn parse_count(text: &str) -> Option<Count> {
    let toks = tokenize(text);
    let (count, next) = count_at(&toks, 0)?;
    if is_unit(toks.get(next)) {
        return None;
    }
    Some(count)
}

/// Whether two counts of the same thing can both be true: their ranges overlap.
pub fn compatible(a: &Count, b: &Count) -> bool {
    let low = a.low.max(b.low);
    match (a.high, b.high) {
        (Some(x), Some(y)) => low <= x.min(y),
        (Some(x), None) | (None, Some(x)) => low <= x,
        (None, None) => true,
    }
}

/// Casualty counts in a sentence, in text order.
pub fn casualties(sentence: &str) -> Vec<Casualty> {
    let toks = tokenize(sentence);
    let counts = people_counts(&toks);
    let mut out: Vec<(usize, Casualty)> = Vec::new();
    let mut taken = vec![false; counts.len()];
    for (ci, c) in counts.iter().enumerate() {
        let hit = count_then_word(&toks, c).or_else(|| verb_then_count(&toks, c));
        if let Some((kind, s, e)) = hit {
            taken[ci] = true;
            out.push((
                s,
                Casualty {
                    kind,
                    count: c.count,
                    start: toks[s].start,
                    end: toks[e].end,
                },
            ));
        }
    }
    // "the death toll rose to 40", "the number of dead stood at 19"
    for t in 0..toks.len() {
        let Some((kind, after)) = toll_at(&toks, t) else {
            continue;
        };
        let window = after..(after + 10).min(toks.len());
        let Some(ci) = counts
            .iter()
            .position(|c| window.contains(&c.first) && !(c.year_like && c.count.value > 1800))
        else {
            continue;
        };
        if !taken[ci] {
            taken[ci] = true;
            let c = &counts[ci];
            out.push((
                t,
                Casualty {
                    kind,
                    count: c.count,
                    start: toks[t].start,
                    end: toks[c.last].end,
                },
            ));
        }
    }
    // "no injuries were reported", "no deaths"
    for (t, tok) in toks.iter().enumerate() {
        if tok.lower != "no" {
            continue;
        }
        let Some(next) = toks.get(t + 1) else {
            continue;
        };
        let kind = match next.lower.as_str() {
            "injuries" => CasualtyKind::Injured,
            "deaths" | "fatalities" => CasualtyKind::Killed,
            _ => continue,
        };
        out.push((
            t,
            Casualty {
                kind,
                count: Count::new(0, Qualifier::Exact),
                start: tok.start,
                end: next.end,
            },
        ));
    }
    out.sort_by_key(|(t, c)| (*t, c.start));
    out.into_iter().map(|(_, c)| c).collect()
}

/// The contract's casualties for one event: the first killed, injured, missing and detained
/// figures (their best single values); `None` when there is none. Mentions are left empty:
/// the caller knows the text the spans point into (see [`summary_in`]).
pub fn summary(found: &[Casualty]) -> Option<sitrep_model::Casualties> {
    let first = |kind| found.iter().find(|c| c.kind == kind).map(|c| c.count.value);
    let out = sitrep_model::Casualties {
        killed: first(CasualtyKind::Killed),
        injured: first(CasualtyKind::Injured),
        missing: first(CasualtyKind::Missing),
        detained: first(CasualtyKind::Detained).or(first(CasualtyKind::Captured)),
        mentions: Vec::new(),
    };
    (out != sitrep_model::Casualties::default()).then_some(out)
}

/// [`summary`] with the figures' mentions, for casualties found in `text[offset..]`.
pub fn summary_in(
    found: &[Casualty],
    text: &str,
    offset: usize,
) -> Option<sitrep_model::Casualties> {
    let mut out = summary(found)?;
    out.mentions = found
        .iter()
        .filter_map(|c| {
            let (start, end) = (offset + c.start, offset + c.end);
            Some(sitrep_model::Mention {
                text: text.get(start..end)?.to_string(),
                start,
                end,
            })
        })
        .collect();
    Some(out)
}

/// Sizes of groups in a sentence that are not casualty counts.
pub fn sizes(sentence: &str) -> Vec<Size> {
    let toks = tokenize(sentence);
    let cas = casualties(sentence);
    let mut out = Vec::new();
    for c in people_counts(&toks) {
        let start = toks[c.first].start;
        if cas.iter().any(|x| x.start <= start && start < x.end) {
            continue;
        }
        // "a crowd of 5,000", "a force of some 3,000"
        if c.first >= 2
            && toks[c.first - 1].lower == "of"
            && COLLECTIVES.contains(&toks[c.first - 2].lower.as_str())
        {
            let noun = &toks[c.first - 2];
            out.push(Size {
                what: noun.lower.clone(),
                count: c.count,
                start: noun.start,
                end: toks[c.last].end,
            });
            continue;
        }
        let mut k = c.last + 1;
        if toks.get(k).is_some_and(|t| t.lower == "of") {
            k += 1;
        }
        // the last group noun of a run: "40 police officers" counts officers
        let mut group: Option<&Tok<'_>> = None;
        for t in toks.iter().skip(k).take(3) {
            if GROUPS.contains(&t.lower.as_str()) || COLLECTIVES.contains(&t.lower.as_str()) {
                group = Some(t);
            } else if group.is_some() || !is_filler(t) {
                break;
            }
        }
        if let Some(t) = group {
            out.push(Size {
                what: t.lower.clone(),
                count: c.count,
                start,
                end: t.end,
            });
        }
    }
    // "a 2,000-strong force"
    for (i, t) in toks.iter().enumerate() {
        let Some(figure) = t.lower.strip_suffix("-strong") else {
            continue;
        };
        let Some((value, None)) = numeric(figure) else {
            continue;
        };
        if let Some(noun) = toks.get(i + 1).filter(|n| n.kind == TokKind::Word) {
            out.push(Size {
                what: noun.lower.clone(),
                count: Count::new(value, Qualifier::Exact),
                start: t.start,
                end: noun.end,
            });
        }
    }
    out.sort_by_key(|z| z.start);
    out
}

/// Nouns for a body of people sized by "of N" ("a crowd of 5,000").
const COLLECTIVES: &[&str] = &[
    "crowd",
    "crowds",
    "force",
    "forces",
    "contingent",
    "army",
    "column",
    "battalion",
    "brigade",
    "delegation",
    "rally",
    "march",
    "convoy",
    "group",
    "mob",
];

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Word,
    Number,
    Punct,
}

#[derive(Debug, Clone)]
struct Tok<'a> {
    text: &'a str,
    lower: String,
    start: usize,
    end: usize,
    kind: TokKind,
}

/// Words, numbers ("3,000", "1.5", "2m", "30-day", "twenty-five", "p.m") and single punctuation
/// characters, with byte offsets.
fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            let end = start + c.len_utf8();
            out.push(tok(text, start, end, TokKind::Punct));
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let (_, cj) = chars[j];
            if cj.is_alphanumeric() {
                j += 1;
                continue;
            }
            let prev = chars[j - 1].1;
            let next = chars.get(j + 1).map(|x| x.1);
            let joins = match cj {
                '-' | '\'' | '’' => next.is_some_and(char::is_alphanumeric),
                ',' | '.' if prev.is_ascii_digit() => next.is_some_and(|n| n.is_ascii_digit()),
                '.' => prev.is_alphabetic() && next.is_some_and(char::is_alphabetic),
                _ => false,
            };
            if !joins {
                break;
            }
            j += 2;
        }
        let end = chars.get(j).map_or(text.len(), |x| x.0);
        let kind = if c.is_ascii_digit() {
            TokKind::Number
        } else {
            TokKind::Word
        };
        out.push(tok(text, start, end, kind));
        i = j;
    }
    out
}

fn tok(text: &str, start: usize, end: usize, kind: TokKind) -> Tok<'_> {
    let t = &text[start..end];
    Tok {
        text: t,
        lower: t.to_lowercase(),
        start,
        end,
        kind,
    }
}

const QUALIFIERS: &[(&[&str], Qualifier)] = &[
    (&["at", "least"], Qualifier::AtLeast),
    (&["no", "fewer", "than"], Qualifier::AtLeast),
    (&["no", "less", "than"], Qualifier::AtLeast),
    (&["not", "less", "than"], Qualifier::AtLeast),
    (&["a", "minimum", "of"], Qualifier::AtLeast),
    (&["more", "than"], Qualifier::MoreThan),
    (&["over"], Qualifier::MoreThan),
    (&["upwards", "of"], Qualifier::MoreThan),
    (&["in", "excess", "of"], Qualifier::MoreThan),
    (&["nearly"], Qualifier::About),
    (&["almost"], Qualifier::About),
    (&["close", "to"], Qualifier::About),
    (&["about"], Qualifier::About),
    (&["around"], Qualifier::About),
    (&["some"], Qualifier::About),
    (&["roughly"], Qualifier::About),
    (&["approximately"], Qualifier::About),
    (&["an", "estimated"], Qualifier::About),
    (&["estimated"], Qualifier::About),
    (&["up", "to"], Qualifier::UpTo),
    (&["as", "many", "as"], Qualifier::UpTo),
    (&["at", "most"], Qualifier::UpTo),
    (&["no", "more", "than"], Qualifier::UpTo),
    (&["less", "than"], Qualifier::LessThan),
    (&["fewer", "than"], Qualifier::LessThan),
    (&["under"], Qualifier::LessThan),
    (&["between"], Qualifier::Between),
];

fn words_at(toks: &[Tok<'_>], i: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(k, w)| toks.get(i + k).is_some_and(|t| t.lower == *w))
}

/// The count starting at token `i` and the index of the token after it.
fn count_at(toks: &[Tok<'_>], i: usize) -> Option<(Count, usize)> {
    let mut qualifier = None;
    let mut j = i;
    for (words, q) in QUALIFIERS {
        if words_at(toks, i, words) {
            qualifier = Some(*q);
            j = i + words.len();
            break;
        }
    }
    if qualifier.is_none() && (words_at(toks, i, &["no", "one"]) || words_at(toks, i, &["nobody"]))
    {
        let next = if toks[i].lower == "nobody" {
            i + 1
        } else {
            i + 2
        };
        return Some((Count::new(0, Qualifier::Exact), next));
    }
    let (base, mut next) = base_at(toks, j)?;
    if qualifier == Some(Qualifier::Between) {
        // "between 20 and 30"
        if toks.get(next).is_some_and(|t| t.lower == "and")
            && let Some((hi, after)) = base_at(toks, next + 1)
        {
            return Some((range(base.value, hi.value), after));
        }
        return None;
    }
    // "20 to 30", "20 or 30", "20-30" as separate tokens
    if base.range.is_none()
        && base.qualifier.is_none()
        && toks
            .get(next)
            .is_some_and(|t| matches!(t.lower.as_str(), "to" | "or" | "-" | "–"))
        && let Some((hi, after)) = base_at(toks, next + 1)
        && hi.value > base.value
        && hi.qualifier.is_none()
        && !is_unit(toks.get(after))
    {
        let mut c = range(base.value, hi.value);
        c.qualifier = qualifier.unwrap_or(Qualifier::Between);
        return Some((c, after));
    }
    if let Some(hi) = base.range {
        next = next.max(j + 1);
        return Some((range(base.value, hi), next));
    }
    let q = match (qualifier, base.qualifier) {
        (Some(q), _) => q,
        (None, Some(q)) => q,
        (None, None) => Qualifier::Exact,
    };
    let mut count = Count::new(base.value, q);
    if let Some(v) = base.vague {
        count.low = v.0;
        count.high = v.1;
    }
    Some((count, next))
}

fn range(lo: u64, hi: u64) -> Count {
    Count {
        value: lo,
        low: lo,
        high: Some(hi.max(lo)),
        qualifier: Qualifier::Between,
    }
}

#[derive(Debug, Clone, Copy)]
struct Base {
    value: u64,
    /// The hedge the words carry themselves ("dozens" is vague, "a dozen" about).
    qualifier: Option<Qualifier>,
    /// Bounds of a vague count.
    vague: Option<(u64, Option<u64>)>,
    /// "30-40" in one token.
    range: Option<u64>,
}

const VAGUE: &[(&[&str], u64, u64, Option<u64>)] = &[
    (&["tens", "of", "thousands"], 20_000, 20_000, Some(99_999)),
    (
        &["hundreds", "of", "thousands"],
        200_000,
        200_000,
        Some(999_999),
    ),
    (&["dozens"], 24, 24, Some(99)),
    (&["scores"], 40, 40, Some(199)),
    (&["hundreds"], 200, 200, Some(999)),
    (&["thousands"], 2_000, 2_000, Some(9_999)),
    (&["millions"], 2_000_000, 2_000_000, None),
    (&["several", "dozen"], 36, 24, Some(99)),
    (&["several", "hundred"], 300, 200, Some(999)),
    (&["several", "thousand"], 3_000, 2_000, Some(9_999)),
    (&["a", "few", "dozen"], 36, 24, Some(99)),
    (&["a", "few", "hundred"], 300, 200, Some(999)),
    (&["a", "few", "thousand"], 3_000, 2_000, Some(9_999)),
    (&["a", "handful"], 3, 2, Some(9)),
    (&["a", "few"], 3, 2, Some(9)),
    (&["several"], 3, 3, Some(9)),
];

fn base_at(toks: &[Tok<'_>], i: usize) -> Option<(Base, usize)> {
    let t = toks.get(i)?;
    for (words, value, low, high) in VAGUE {
        if words_at(toks, i, words) {
            let base = Base {
                value: *value,
                qualifier: Some(Qualifier::Vague),
                vague: Some((*low, *high)),
                range: None,
            };
            return Some((base, i + words.len()));
        }
    }
    // "$40", "#3", "No. 5"
    if i > 0 && matches!(toks[i - 1].text, "$" | "£" | "€" | "¥" | "#") {
        return None;
    }
    let (mut value, mut next, mut qualifier, range) = match t.kind {
        TokKind::Number => {
            let (v, hi) = numeric(t.text)?;
            (v, i + 1, None, hi)
        }
        TokKind::Word => {
            let (v, n, q) = number_words(toks, i)?;
            (v, n, q, None)
        }
        TokKind::Punct => return None,
    };
    // "1.5 million", "3 thousand", "two dozen"
    if let Some(s) = toks.get(next) {
        let scale = match s.lower.as_str() {
            "million" | "mln" => Some(1_000_000),
            "billion" | "bn" => Some(1_000_000_000),
            "thousand" => Some(1_000),
            "hundred" if t.kind == TokKind::Number => Some(100),
            "dozen" => Some(12),
            _ => None,
        };
        if let Some(k) = scale {
            if t.kind == TokKind::Number {
                let (v, _) = numeric_scaled(t.text, k)?;
                value = v;
            } else {
                value = value.checked_mul(k)?;
            }
            if k == 12 {
                qualifier = Some(Qualifier::About);
            }
            next += 1;
        }
    }
    if t.kind == TokKind::Number && !t.text.contains(|c: char| c.is_ascii_alphabetic()) {
        // a fraction left unscaled is no count of people ("1.5 people")
        if t.text.contains('.') && next == i + 1 {
            return None;
        }
    }
    Some((
        Base {
            value,
            qualifier,
            vague: None,
            range,
        },
        next,
    ))
}

/// "34", "3,000", "2m", "1.5bn", "10k", "30-40" (a range: the second value).
fn numeric(s: &str) -> Option<(u64, Option<u64>)> {
    if let Some((a, b)) = s.split_once(['-', '–']) {
        let (lo, _) = numeric(a)?;
        let (hi, _) = numeric(b)?;
        return (hi > lo).then_some((lo, Some(hi)));
    }
    let lower = s.to_ascii_lowercase();
    let (digits, scale) = if let Some(d) = lower.strip_suffix("bn") {
        (d, 1_000_000_000)
    } else if let Some(d) = lower.strip_suffix('m') {
        (d, 1_000_000)
    } else if let Some(d) = lower.strip_suffix('k') {
        (d, 1_000)
    } else {
        (lower.as_str(), 1)
    };
    numeric_scaled(digits, scale).map(|(v, _)| (v, None))
}

/// Digits with thousands commas and an optional decimal part, times `scale`, exactly.
fn numeric_scaled(s: &str, scale: u64) -> Option<(u64, ())> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    // "3,000": groups of three after the first comma
    let (int, frac) = match s.split_once('.') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    if frac.contains([',', '.']) {
        return None;
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    if first.is_empty() || (int.contains(',') && first.len() > 3) {
        return None;
    }
    let mut digits = first.to_string();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        digits.push_str(g);
    }
    let whole: u64 = digits.parse().ok()?;
    let mut value = whole.checked_mul(scale)?;
    if !frac.is_empty() {
        let f: u64 = frac.parse().ok()?;
        let denom = 10u64.checked_pow(u32::try_from(frac.len()).ok()?)?;
        value = value.checked_add(f.checked_mul(scale)? / denom)?;
    }
    Some((value, ()))
}

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn small_word(w: &str) -> Option<u64> {
    if let Some(i) = UNITS.iter().position(|x| *x == w) {
        return u64::try_from(i).ok();
    }
    if let Some(i) = TENS.iter().position(|x| *x == w) {
        return u64::try_from(i).ok().map(|i| (i + 2) * 10);
    }
    // "twenty-five"
    let (a, b) = w.split_once('-')?;
    let tens = TENS.iter().position(|x| *x == a)?;
    let unit = UNITS
        .iter()
        .position(|x| *x == b)
        .filter(|u| (1..10).contains(u))?;
    u64::try_from((tens + 2) * 10 + unit).ok()
}

/// Number words from token `i`: "three", "twenty-five", "two hundred and forty", "a dozen",
/// "a thousand", "one million".
fn number_words(toks: &[Tok<'_>], i: usize) -> Option<(u64, usize, Option<Qualifier>)> {
    let first = toks.get(i)?.lower.as_str();
    let mut j = i;
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut any = false;
    let mut qualifier = None;
    if matches!(first, "a" | "an") {
        let next = toks.get(i + 1)?.lower.as_str();
        match next {
            "dozen" => return Some((12, i + 2, Some(Qualifier::About))),
            "hundred" | "thousand" | "million" | "billion" => {
                current = 1;
                any = true;
                j = i + 1;
            }
            _ => return None,
        }
    }
    while let Some(t) = toks.get(j) {
        let w = t.lower.as_str();
        if let Some(v) = small_word(w) {
            // "twenty five" goes on, "three four" does not
            let tail = current % 100;
            if !(tail == 0 || (tail >= 20 && tail.is_multiple_of(10) && v < 10)) {
                break;
            }
            current = current.checked_add(v)?;
            any = true;
        } else if w == "hundred" && any {
            current = current.max(1).checked_mul(100)?;
        } else if let Some(k) = match w {
            "thousand" => Some(1_000u64),
            "million" => Some(1_000_000),
            "billion" => Some(1_000_000_000),
            _ => None,
        } {
            if !any || current == 0 {
                break;
            }
            total = total.checked_add(current.max(1).checked_mul(k)?)?;
            current = 0;
        } else if w == "and"
            && any
            && toks
                .get(j + 1)
                .is_some_and(|n| small_word(&n.lower).is_some())
        {
            // "two hundred and forty"
        } else if w == "dozen" && any && total == 0 {
            current = current.checked_mul(12)?;
            qualifier = Some(Qualifier::About);
            j += 1;
            break;
        } else {
            break;
        }
        j += 1;
    }
    if !any {
        return None;
    }
    Some((total.checked_add(current)?, j, qualifier))
}

/// Tokens after a number that make it a measure, not a count of people.
const UNIT_WORDS: &[&str] = &[
    "%",
    "percent",
    "per",
    "pc",
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "km",
    "kilometres",
    "kilometers",
    "mile",
    "miles",
    "metres",
    "meters",
    "feet",
    "kg",
    "kilograms",
    "tons",
    "tonnes",
    "dollars",
    "euros",
    "pounds",
    "p.m",
    "a.m",
    "pm",
    "am",
    "o'clock",
    "mph",
    "degrees",
    "times",
    "votes",
    "seats",
    "points",
    "rounds",
    "shells",
    "rockets",
    "missiles",
];

fn is_unit(t: Option<&Tok<'_>>) -> bool {
    t.is_some_and(|t| UNIT_WORDS.contains(&t.lower.as_str()))
}

/// Words before a number that make it an identifier ("Resolution 2334", "Flight 17").
const ID_WORDS: &[&str] = &[
    "resolution",
    "article",
    "flight",
    "route",
    "highway",
    "room",
    "no",
    "number",
    "page",
    "section",
    "chapter",
    "road",
    "bus",
    "line",
    "apartment",
    "unit",
    "call",
    "dial",
    "code",
];

#[derive(Debug, Clone, Copy)]
struct Found {
    count: Count,
    first: usize,
    /// The count's last token.
    last: usize,
    year_like: bool,
}

/// Counts in the sentence that could count people.
fn people_counts(toks: &[Tok<'_>]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some((count, next)) = count_at(toks, i).or_else(|| single_person(toks, i)) else {
            i += 1;
            continue;
        };
        let digits_first = (i..next).find(|&k| toks[k].kind == TokKind::Number);
        let before = i.checked_sub(1).map(|k| &toks[k]);
        let after = toks.get(next);
        let is_id = before.is_some_and(|b| ID_WORDS.contains(&b.lower.as_str()));
        // phone numbers and number lists: a number right next to another number
        let bare = |t: &Tok<'_>| t.kind == TokKind::Number && !t.text.contains(char::is_alphabetic);
        let in_sequence = before.is_some_and(bare) || after.is_some_and(bare);
        let year_like = digits_first.is_some_and(|k| {
            toks[k].text.len() == 4 && toks[k].text.chars().all(|c| c.is_ascii_digit())
        }) && before.is_some_and(|b| {
            matches!(
                b.lower.as_str(),
                "in" | "since" | "of" | "by" | "until" | "during" | "from" | "a" | "the"
            )
        });
        if is_unit(after) || is_id || in_sequence || year_like {
            i = next.max(i + 1);
            continue;
        }
        out.push(Found {
            count,
            first: i,
            last: next.saturating_sub(1).max(i),
            year_like,
        });
        i = next.max(i + 1);
    }
    out
}

/// "a soldier", "an elderly man": one person, when a person noun follows within three words.
fn single_person(toks: &[Tok<'_>], i: usize) -> Option<(Count, usize)> {
    if !matches!(toks.get(i)?.lower.as_str(), "a" | "an") {
        return None;
    }
    let k = (i + 1..(i + 4).min(toks.len())).find(|&k| PERSON.contains(&toks[k].lower.as_str()))?;
    if (i + 1..k).any(|m| !is_filler(&toks[m])) {
        return None;
    }
    // the count covers the article only; the noun is read as filler by the patterns
    Some((Count::new(1, Qualifier::Exact), i + 1))
}

const PERSON: &[&str] = &[
    "man",
    "woman",
    "child",
    "boy",
    "girl",
    "baby",
    "soldier",
    "civilian",
    "officer",
    "policeman",
    "policewoman",
    "journalist",
    "reporter",
    "photographer",
    "protester",
    "demonstrator",
    "person",
    "resident",
    "guard",
    "worker",
    "student",
    "teenager",
    "driver",
    "passenger",
    "pilot",
    "nurse",
    "doctor",
    "farmer",
    "fighter",
    "militant",
    "member",
    "bystander",
    "villager",
    "pedestrian",
    "firefighter",
    "medic",
    "peacekeeper",
    "prisoner",
    "detainee",
    "hostage",
    "activist",
    "official",
    "diplomat",
    "tourist",
    "settler",
];

/// Group nouns for [`sizes`].
const GROUPS: &[&str] = &[
    "troops",
    "soldiers",
    "protesters",
    "protestors",
    "demonstrators",
    "refugees",
    "migrants",
    "people",
    "police",
    "policemen",
    "officers",
    "fighters",
    "militants",
    "civilians",
    "marchers",
    "supporters",
    "personnel",
    "reservists",
    "peacekeepers",
    "volunteers",
    "rebels",
    "insurgents",
    "displaced",
    "residents",
    "workers",
    "students",
    "mercenaries",
    "conscripts",
    "sailors",
    "marines",
    "voters",
    "evacuees",
    "prisoners",
    "detainees",
    "hostages",
    "troopers",
    "paratroopers",
];

/// Words that end the stretch between a count and its casualty word.
const STOP: &[&str] = &[
    "and",
    "or",
    "but",
    "said",
    "says",
    "say",
    "told",
    "that",
    "which",
    "after",
    "before",
    "when",
    "while",
    "if",
    "as",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "into",
    "to",
    "over",
    "under",
    "near",
    "during",
    "since",
    "among",
    "including",
    "because",
    "than",
    "who",
    "where",
    "not",
    "no",
    "never",
    "only",
];

/// Auxiliaries and hedges between a subject count and its participle.
const AUX: &[&str] = &[
    "who",
    "were",
    "was",
    "are",
    "is",
    "have",
    "has",
    "had",
    "been",
    "being",
    "be",
    "reportedly",
    "reported",
    "confirmed",
    "believed",
    "feared",
    "thought",
    "said",
    "to",
    "also",
    "later",
    "all",
    "now",
    "still",
    "remain",
    "remained",
    "remains",
    "may",
    "might",
    "could",
    "would",
    "will",
    "likely",
    "seriously",
    "critically",
    "fatally",
    "badly",
    "slightly",
    "lightly",
    "shot",
    "left",
    "found",
    "either",
];

fn is_filler(t: &Tok<'_>) -> bool {
    // "lost their lives", "taken hostage" start casualty phrases
    t.kind != TokKind::Punct
        && !matches!(t.lower.as_str(), "lost" | "taken" | "treated")
        && t.text.chars().any(char::is_alphabetic)
        && !STOP.contains(&t.lower.as_str())
        && !AUX.contains(&t.lower.as_str())
        && casualty_word(t).is_none()
}

fn casualty_word(t: &Tok<'_>) -> Option<CasualtyKind> {
    use CasualtyKind as K;
    Some(match t.lower.as_str() {
        "killed" | "dead" | "died" | "perished" | "slain" | "deaths" | "fatalities" | "bodies"
        | "murdered" | "executed" | "massacred" => K::Killed,
        "injured" | "wounded" | "hurt" | "injuries" | "hospitalised" | "hospitalized" => K::Injured,
        "missing" | "unaccounted" => K::Missing,
        "arrested" | "detained" | "jailed" | "imprisoned" => K::Detained,
        "captured" | "abducted" | "kidnapped" => K::Captured,
        _ => return None,
    })
}

/// Multi-word casualty phrases at token `k`: the kind and the phrase's last token.
fn casualty_phrase(toks: &[Tok<'_>], k: usize) -> Option<(CasualtyKind, usize)> {
    if words_at(toks, k, &["lost", "their", "lives"])
        || words_at(toks, k, &["lost", "his", "life"])
        || words_at(toks, k, &["lost", "her", "life"])
    {
        return Some((CasualtyKind::Killed, k + 2));
    }
    for w in ["hostage", "prisoner", "captive"] {
        if words_at(toks, k, &["taken", w]) {
            return Some((CasualtyKind::Captured, k + 1));
        }
    }
    for w in ["injuries", "wounds"] {
        if words_at(toks, k, &["treated", "for", w]) {
            return Some((CasualtyKind::Injured, k + 2));
        }
    }
    if words_at(toks, k, &["taken", "into", "custody"]) {
        return Some((CasualtyKind::Detained, k + 2));
    }
    casualty_word(toks.get(k)?).map(|kind| (kind, k))
}

/// Transitive participles: "34 people were killed" is passive; "five rockets killed a child"
/// is active, and its count is the subject, not the victims.
const TRANSITIVE: &[&str] = &[
    "killed",
    "wounded",
    "injured",
    "hurt",
    "arrested",
    "detained",
    "captured",
    "abducted",
    "kidnapped",
    "murdered",
    "executed",
    "massacred",
    "jailed",
];

/// "34 people were killed", "12 dead", "dozens of them were wounded", "one soldier died".
fn count_then_word(toks: &[Tok<'_>], c: &Found) -> Option<(CasualtyKind, usize, usize)> {
    let mut k = c.last + 1;
    if toks.get(k).is_some_and(|t| t.lower == "of") {
        k += 1;
    }
    let mut fillers = 0;
    while toks.get(k).is_some_and(|t| is_filler(t) || t.lower == "of") && fillers < 4 {
        k += 1;
        fillers += 1;
    }
    let mut aux = 0;
    while toks.get(k).is_some_and(|t| AUX.contains(&t.lower.as_str())) && aux < 5 {
        // "left 12 dead" reads through; "were left dead" too
        if casualty_phrase(toks, k).is_some() {
            break;
        }
        k += 1;
        aux += 1;
    }
    let (kind, end) = casualty_phrase(toks, k)?;
    // "14 of the wounded": a part of a group counted elsewhere
    if k >= 2 && toks[k - 1].lower == "the" && toks[k - 2].lower == "of" {
        return None;
    }
    if either_or(toks, k, end) {
        return None;
    }
    if aux == 0 && TRANSITIVE.contains(&toks[k].lower.as_str()) {
        let next = k + 1;
        let active = toks.get(next).is_some_and(|t| {
            matches!(
                t.lower.as_str(),
                "a" | "an" | "the" | "his" | "her" | "their" | "its" | "two" | "three"
            )
        }) || count_at(toks, next).is_some();
        if active {
            return None;
        }
    }
    Some((kind, c.first, end))
}

/// "killed at least 34 people", "injuring more than 100", "abducted 20".
fn verb_then_count(toks: &[Tok<'_>], c: &Found) -> Option<(CasualtyKind, usize, usize)> {
    let v = c.first.checked_sub(1)?;
    use CasualtyKind as K;
    // "claimed 19 lives"
    if matches!(
        toks[v].lower.as_str(),
        "claimed" | "claiming" | "claims" | "claim"
    ) && toks.get(c.last + 1).is_some_and(|t| t.lower == "lives")
    {
        return Some((K::Killed, v, c.last + 1));
    }
    let kind = match toks[v].lower.as_str() {
        "killed" | "killing" | "kills" | "kill" | "slaying" | "executed" | "executing" => K::Killed,
        "wounded" | "wounding" | "wounds" | "wound" | "injured" | "injuring" | "injures"
        | "injure" | "hurt" | "hurting" => K::Injured,
        "arrested" | "arresting" | "arrests" | "detained" | "detaining" | "detains" => K::Detained,
        "captured" | "capturing" | "abducted" | "abducting" | "kidnapped" | "kidnapping" => {
            K::Captured
        }
        _ => return None,
    };
    if either_or(toks, v, v) {
        return None;
    }
    Some((kind, v, c.last))
}

/// "killed or wounded", "killing or wounding": a casualty count of no single kind.
fn either_or(toks: &[Tok<'_>], first: usize, last: usize) -> bool {
    let other = |k: usize| {
        toks.get(k).is_some_and(|t| {
            casualty_word(t).is_some()
                || matches!(t.lower.as_str(), "killing" | "wounding" | "injuring")
        })
    };
    let after = toks.get(last + 1).is_some_and(|t| t.lower == "or") && other(last + 2);
    let before = first >= 2 && toks[first - 1].lower == "or" && other(first - 2);
    after || before
}

/// "death toll", "toll", "number of dead", "number of injured": the kind and the token after
/// the phrase.
fn toll_at(toks: &[Tok<'_>], t: usize) -> Option<(CasualtyKind, usize)> {
    if toks[t].lower == "toll" {
        return Some((CasualtyKind::Killed, t + 1));
    }
    for w in ["dead", "deaths", "fatalities", "victims", "killed"] {
        if words_at(toks, t, &["number", "of", w]) {
            return Some((CasualtyKind::Killed, t + 3));
        }
    }
    for w in ["injured", "wounded", "injuries"] {
        if words_at(toks, t, &["number", "of", w]) {
            return Some((CasualtyKind::Injured, t + 3));
        }
    }
    None
}
