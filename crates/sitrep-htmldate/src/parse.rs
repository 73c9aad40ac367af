//! Date expressions to calendar dates: machine-readable values (ISO 8601, `YYYYMMDD`, Unix
//! time) and the written forms found in page text, with month names in several languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use regex::Regex;

/// The range of plausible publication dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: NaiveDate,
    pub max: NaiveDate,
}

impl Bounds {
    pub fn date(&self, year: i64, month: i64, day: i64) -> Option<NaiveDate> {
        let (y, m, d) = (
            i32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        );
        let date = NaiveDate::from_ymd_opt(y, m, d)?;
        (self.min <= date && date <= self.max).then_some(date)
    }
}

/// Two-digit years: 90-99 are the 1990s, the rest this century.
pub fn correct_year(year: i64) -> i64 {
    match year {
        0..=89 => year + 2000,
        90..=99 => year + 1900,
        _ => year,
    }
}

/// Day-first unless that is impossible and month-first is not.
fn day_month(a: i64, b: i64) -> (i64, i64) {
    if b > 12 && a <= 12 { (b, a) } else { (a, b) }
}

/// A decimal number in ASCII, Arabic-Indic, Persian or full-width digits; -1 if none.
pub fn num(s: &str) -> i64 {
    let mut n: i64 = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '\u{660}'..='\u{669}' => c as u32 - 0x660,
            '\u{6F0}'..='\u{6F9}' => c as u32 - 0x6F0,
            '\u{FF10}'..='\u{FF19}' => c as u32 - 0xFF10,
            _ => return -1,
        };
        n = match n.checked_mul(10).and_then(|n| n.checked_add(i64::from(d))) {
            Some(n) => n,
            None => return -1,
        };
    }
    if s.is_empty() { -1 } else { n }
}

/// At most `max` chars of `s`, cut on a char boundary.
pub fn prefix_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// At most `max` bytes of `s`, cut back to a char boundary.
pub fn prefix_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// Whitespace runs to single spaces, ends trimmed.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(256));
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

static MONTHS: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    let table: [&[&str]; 12] = [
        &[
            "jan",
            "january",
            "januar",
            "jänner",
            "janner",
            "januari",
            "janvier",
            "janv",
            "enero",
            "ene",
            "gennaio",
            "gen",
            "janeiro",
            "januarie",
            "ocak",
            "oca",
            "stycznia",
            "styczeń",
            "января",
            "январь",
            "янв",
            "січня",
            "січень",
            "tammikuu",
            "tammikuuta",
            "leden",
            "ledna",
            "januára",
            "siječnja",
            "sausio",
            "janvāris",
            "január",
            "ianuarie",
            "يناير",
            "ינואר",
        ],
        &[
            "feb",
            "february",
            "februar",
            "feber",
            "februari",
            "février",
            "fevrier",
            "févr",
            "fevr",
            "febrero",
            "febbraio",
            "fevereiro",
            "fev",
            "şubat",
            "şub",
            "lutego",
            "luty",
            "февраля",
            "февраль",
            "фев",
            "лютого",
            "лютий",
            "helmikuu",
            "helmikuuta",
            "únor",
            "února",
            "február",
            "veljače",
            "vasario",
            "februāris",
            "februarie",
            "فبراير",
            "شباط",
            "פברואר",
        ],
        &[
            "mar",
            "march",
            "märz",
            "maerz",
            "mär",
            "maart",
            "mars",
            "marzo",
            "março",
            "marco",
            "maret",
            "mart",
            "marca",
            "marzec",
            "марта",
            "март",
            "мар",
            "березня",
            "березень",
            "maaliskuu",
            "maaliskuuta",
            "březen",
            "března",
            "marec",
            "ožujka",
            "kovo",
            "marts",
            "március",
            "martie",
            "مارس",
            "آذار",
            "מרץ",
        ],
        &[
            "apr",
            "april",
            "avril",
            "abril",
            "abr",
            "aprile",
            "nisan",
            "nis",
            "kwietnia",
            "kwiecień",
            "апреля",
            "апрель",
            "апр",
            "квітня",
            "квітень",
            "huhtikuu",
            "huhtikuuta",
            "duben",
            "dubna",
            "apríl",
            "travnja",
            "balandžio",
            "aprīlis",
            "április",
            "aprilie",
            "أبريل",
            "ابريل",
            "إبريل",
            "نيسان",
            "אפריל",
        ],
        &[
            "may",
            "mai",
            "mei",
            "mayo",
            "maggio",
            "mag",
            "maio",
            "mayıs",
            "maja",
            "maj",
            "мая",
            "май",
            "травня",
            "травень",
            "toukokuu",
            "toukokuuta",
            "květen",
            "května",
            "máj",
            "svibnja",
            "gegužės",
            "maijs",
            "május",
            "مايو",
            "أيار",
            "ايار",
            "מאי",
        ],
        &[
            "jun",
            "june",
            "juni",
            "juin",
            "junio",
            "giugno",
            "giu",
            "junho",
            "haziran",
            "haz",
            "czerwca",
            "czerwiec",
            "июня",
            "июнь",
            "июн",
            "червня",
            "червень",
            "kesäkuu",
            "kesäkuuta",
            "červen",
            "června",
            "jún",
            "lipnja",
            "birželio",
            "jūnijs",
            "június",
            "iunie",
            "يونيو",
            "يونيه",
            "حزيران",
            "יוני",
        ],
        &[
            "jul",
            "july",
            "juli",
            "juillet",
            "juil",
            "julio",
            "luglio",
            "lug",
            "julho",
            "temmuz",
            "tem",
            "lipca",
            "lipiec",
            "июля",
            "июль",
            "июл",
            "липня",
            "липень",
            "heinäkuu",
            "heinäkuuta",
            "červenec",
            "července",
            "júl",
            "srpnja",
            "liepos",
            "jūlijs",
            "július",
            "iulie",
            "يوليو",
            "يوليه",
            "تموز",
            "יולי",
        ],
        &[
            "aug",
            "august",
            "août",
            "aout",
            "agosto",
            "ago",
            "augustus",
            "agustus",
            "ağustos",
            "ağu",
            "sierpnia",
            "sierpień",
            "августа",
            "август",
            "авг",
            "серпня",
            "серпень",
            "elokuu",
            "elokuuta",
            "srpen",
            "srpna",
            "kolovoza",
            "rugpjūčio",
            "augusts",
            "augusztus",
            "augustus",
            "aug",
            "أغسطس",
            "اغسطس",
            "אוגוסט",
        ],
        &[
            "sep",
            "sept",
            "september",
            "septembre",
            "septiembre",
            "settembre",
            "set",
            "setembro",
            "eylül",
            "eyl",
            "września",
            "wrzesień",
            "сентября",
            "сентябрь",
            "сен",
            "вересня",
            "вересень",
            "syyskuu",
            "syyskuuta",
            "září",
            "septembra",
            "rujna",
            "rugsėjo",
            "septembris",
            "szeptember",
            "septembrie",
            "سبتمبر",
            "أيلول",
            "ايلول",
            "ספטמבר",
        ],
        &[
            "oct",
            "october",
            "oktober",
            "okt",
            "octobre",
            "octubre",
            "ottobre",
            "ott",
            "outubro",
            "out",
            "ekim",
            "eki",
            "października",
            "październik",
            "октября",
            "октябрь",
            "жовтня",
            "жовтень",
            "lokakuu",
            "lokakuuta",
            "říjen",
            "října",
            "októbra",
            "listopada",
            "spalio",
            "oktobris",
            "október",
            "octombrie",
            "أكتوبر",
            "اكتوبر",
            "אוקטובר",
        ],
        &[
            "nov",
            "november",
            "novembre",
            "noviembre",
            "novembro",
            "kasım",
            "kas",
            "listopad",
            "ноября",
            "ноябрь",
            "листопада",
            "листопад",
            "marraskuu",
            "marraskuuta",
            "novembra",
            "studenoga",
            "lapkričio",
            "novembris",
            "noiembrie",
            "نوفمبر",
            "נובמבר",
        ],
        &[
            "dec",
            "december",
            "dezember",
            "dez",
            "décembre",
            "decembre",
            "déc",
            "diciembre",
            "dic",
            "dicembre",
            "dezembro",
            "desember",
            "aralık",
            "ara",
            "grudnia",
            "grudzień",
            "декабря",
            "декабрь",
            "дек",
            "грудня",
            "грудень",
            "joulukuu",
            "joulukuuta",
            "prosinec",
            "prosince",
            "decembra",
            "prosinca",
            "gruodžio",
            "decembris",
            "decembrie",
            "ديسمبر",
            "דצמבר",
        ],
    ];
    let mut map = HashMap::new();
    for (i, names) in table.iter().enumerate() {
        for name in *names {
            map.entry(*name).or_insert(i as u32 + 1);
        }
    }
    // "listopada" is November in Polish but October in Croatian; Polish is far more common.
    map.insert("listopada", 11);
    map
});

/// The month a word names, in any of the supported languages.
pub fn month_of(word: &str) -> Option<u32> {
    if word.len() > 24 {
        return None;
    }
    let lower = word.to_lowercase();
    let w = lower.trim_end_matches('.');
    // Hebrew writes "in August" as one word.
    MONTHS
        .get(w)
        .or_else(|| w.strip_prefix('ב').and_then(|w| MONTHS.get(w)))
        .copied()
}

const Y: &str = r"((?:19|20)\d{2})";

// Numeric dates with the year first (ISO-like, also CJK 年月日).
static RE_YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:^|[^\d])(?:{Y}(?:[-/.]|年)\s?(\d{{1,2}})(?:[-/.]|月)\s?(\d{{1,2}})|{Y}(\d{{2}})(\d{{2}}))(?:[^\d]|$)"))
        .expect("regex")
});
// Numeric dates with the year last, four digits or two.
static RE_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.])(\d{1,2})([-/.])\s?(\d{1,2})[-/.]\s?(\d{4}|\d{2})(?:[^\d]|$)")
        .expect("regex")
});
// Day, month name, year: "31. Mai 2019", "31 de mayo de 2019", "1er mai 2019", "31-May-2019".
static RE_D_MON_Y: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d])(\d{{1,2}})(?:st|nd|rd|th|er|e|º|°|ος)?\.?\s*(?:de\s+|of\s+|[-/]\s*)?(\p{{L}}{{3,12}})\.?,?\s*(?:de\s+|del\s+|[-/]\s*)?{Y}(?:[^\d]|$)"
    ))
    .expect("regex")
});
// Month name, day, year: "May 31, 2019", "Mai 31 2019".
static RE_MON_D_Y: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\p{{L}}{{3,12}})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{Y}(?:[^\d]|$)"
    ))
    .expect("regex")
});
// Year, month name, day: "2019 May 31", "2019. május 31."
static RE_Y_MON_D: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d]){Y}\.?,?\s+(\p{{L}}{{3,12}})\.?\s+(\d{{1,2}})(?:[^\d]|$)"
    ))
    .expect("regex")
});
// Month name and year only: "Mai 2019".
static RE_MON_Y: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)(\p{{L}}{{3,12}})\.?,?\s+{Y}(?:[^\d]|$)")).expect("regex")
});
// Numeric year and month: "2019-05", "05/2019".
static RE_YM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\d]){Y}[-/.](\d{{1,2}})(?:[^\d]|$)|(?:^|[^\d.])(\d{{1,2}})[-/.]{Y}(?:[^\d]|$)"
    ))
    .expect("regex")
});
static RE_ISO_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[^\d]|$)").expect("regex")
});
static RE_COMPACT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{4})(\d{2})(\d{2})(?:[^\d]|$)").expect("regex"));
static RE_US_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:[^\d]|$)").expect("regex"));
static RE_EPOCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{10})(\d{3})?\s*$").expect("regex"));

/// Text that looks like prices, phone numbers, addresses or links rather than a date.
static RE_DISCARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[$€¥£¢₽₱฿₹®]|(?:^|[^\d])(?:\+\d{2}|\d{3}|\d{5,})[^\d]|(?:ftp|https?)://|www\.|\.(?:com|net|org|info|gov|edu|de|fr|io)\b|IBAN",
    )
    .expect("regex")
});

/// A machine-readable date value (meta content, `datetime`, JSON-LD): ISO 8601 and its
/// relatives first, then Unix time, then anything [`parse_text`] understands.
pub fn parse_value(s: &str, b: &Bounds) -> Option<NaiveDate> {
    let s = prefix_chars(s, 80);
    if let Some(c) = RE_ISO_START.captures(s) {
        return b.date(num(&c[1]), num(&c[2]), num(&c[3]));
    }
    if let Some(c) = RE_COMPACT_START.captures(s)
        && let Some(d) = b.date(num(&c[1]), num(&c[2]), num(&c[3]))
    {
        return Some(d);
    }
    // Slashed numeric dates in metadata follow the American month-first order.
    if let Some(c) = RE_US_START.captures(s) {
        let (m, d) = (num(&c[1]), num(&c[2]));
        let (m, d) = if m > 12 { (d, m) } else { (m, d) };
        return b.date(num(&c[3]), m, d);
    }
    if let Some(c) = RE_EPOCH.captures(s) {
        let secs = num(&c[1]);
        return DateTime::from_timestamp(secs, 0)
            .map(|t| t.date_naive())
            .filter(|d| b.min <= *d && *d <= b.max);
    }
    parse_text(s, b, true)
}

/// A short piece of page text that should be a date expression (an element's opening text, a
/// text segment): rejects prices, codes and links, then [`parse_text`].
pub fn parse_segment(s: &str, b: &Bounds, partial: bool) -> Option<NaiveDate> {
    let digits = s
        .chars()
        .filter(|c| num(c.encode_utf8(&mut [0; 4])) >= 0)
        .count();
    if !(4..=18).contains(&digits) || RE_DISCARD.is_match(s) {
        return None;
    }
    parse_text(s, b, partial)
}

/// The first complete date written in `s`; with `partial`, a month and year (as the first of
/// the month) when no complete date is there.
pub fn parse_text(s: &str, b: &Bounds, partial: bool) -> Option<NaiveDate> {
    let mut best: Option<(usize, NaiveDate)> = None;
    let mut offer = |pos: usize, d: Option<NaiveDate>| {
        if let Some(d) = d
            && best.is_none_or(|(p, _)| pos < p)
        {
            best = Some((pos, d));
        }
    };
    if let Some(c) = RE_YMD.captures(s) {
        let pos = c.get(0).map_or(0, |m| m.start());
        let d = if c.get(1).is_some() {
            b.date(num(&c[1]), num(&c[2]), num(&c[3]))
        } else {
            b.date(num(&c[4]), num(&c[5]), num(&c[6]))
        };
        offer(pos, d);
    }
    for c in RE_DMY.captures_iter(s).take(4) {
        let pos = c.get(0).map_or(0, |m| m.start());
        let year = correct_year(num(&c[4]));
        // Two-digit years only with a consistent separator ("31.05.19", "5/31/19").
        if c[4].len() == 2
            && c.get(0)
                .is_none_or(|m| m.as_str().matches(&c[2]).count() < 2)
        {
            continue;
        }
        let (day, month) = day_month(num(&c[1]), num(&c[3]));
        let d = b.date(year, month, day);
        if d.is_some() {
            offer(pos, d);
            break;
        }
    }
    for c in RE_D_MON_Y.captures_iter(s).take(4) {
        if let Some(m) = month_of(&c[2]) {
            let d = b.date(num(&c[3]), i64::from(m), num(&c[1]));
            if d.is_some() {
                offer(c.get(0).map_or(0, |m| m.start()), d);
                break;
            }
        }
    }
    for c in RE_MON_D_Y.captures_iter(s).take(4) {
        if let Some(m) = month_of(&c[1]) {
            let d = b.date(num(&c[3]), i64::from(m), num(&c[2]));
            if d.is_some() {
                offer(c.get(0).map_or(0, |m| m.start()), d);
                break;
            }
        }
    }
    for c in RE_Y_MON_D.captures_iter(s).take(4) {
        if let Some(m) = month_of(&c[2]) {
            let d = b.date(num(&c[1]), i64::from(m), num(&c[3]));
            if d.is_some() {
                offer(c.get(0).map_or(0, |m| m.start()), d);
                break;
            }
        }
    }
    if best.is_some() || !partial {
        return best.map(|(_, d)| d);
    }
    if let Some(c) = RE_YM.captures(s) {
        let d = if c.get(1).is_some() {
            b.date(num(&c[1]), num(&c[2]), 1)
        } else {
            b.date(num(&c[4]), num(&c[3]), 1)
        };
        if d.is_some() {
            return d;
        }
    }
    for c in RE_MON_Y.captures_iter(s).take(4) {
        if let Some(m) = month_of(&c[1]) {
            let d = b.date(num(&c[2]), i64::from(m), 1);
            if d.is_some() {
                return d;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> Bounds {
        Bounds {
            min: NaiveDate::from_ymd_opt(1995, 1, 1).expect("date"),
            max: NaiveDate::from_ymd_opt(2030, 12, 31).expect("date"),
        }
    }
    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn values() {
        assert_eq!(
            parse_value("2019-05-31T10:00:00+02:00", &b()),
            ymd(2019, 5, 31)
        );
        assert_eq!(parse_value("2019/5/3", &b()), ymd(2019, 5, 3));
        assert_eq!(parse_value("20190531", &b()), ymd(2019, 5, 31));
        assert_eq!(parse_value("1559296800", &b()), ymd(2019, 5, 31));
        assert_eq!(
            parse_value("Fri, 31 May 2019 10:00:00 GMT", &b()),
            ymd(2019, 5, 31)
        );
        assert_eq!(parse_value("1990-05-31", &b()), None);
        assert_eq!(parse_value("11/01/2023 12:43:42", &b()), ymd(2023, 11, 1));
        assert_eq!(parse_value("31/05/2019", &b()), ymd(2019, 5, 31));
        assert_eq!(parse_value("2019-13-31", &b()), None);
    }

    #[test]
    fn written_dates() {
        assert_eq!(
            parse_text("am 31. Mai 2019 um 10:00", &b(), false),
            ymd(2019, 5, 31)
        );
        assert_eq!(parse_text("31.05.2019", &b(), false), ymd(2019, 5, 31));
        assert_eq!(parse_text("May 31, 2019", &b(), false), ymd(2019, 5, 31));
        assert_eq!(
            parse_text("Posted on 31st May 2019", &b(), false),
            ymd(2019, 5, 31)
        );
        assert_eq!(
            parse_text("le 1er juillet 2018", &b(), false),
            ymd(2018, 7, 1)
        );
        assert_eq!(
            parse_text("31 de mayo de 2019", &b(), false),
            ymd(2019, 5, 31)
        );
        assert_eq!(
            parse_text("12 settembre 2017", &b(), false),
            ymd(2017, 9, 12)
        );
        assert_eq!(parse_text("3 maart 2016", &b(), false), ymd(2016, 3, 3));
        assert_eq!(parse_text("2019年5月31日", &b(), false), ymd(2019, 5, 31));
        assert_eq!(parse_text("12/25/2018", &b(), false), ymd(2018, 12, 25));
        assert_eq!(parse_text("31.05.19", &b(), false), ymd(2019, 5, 31));
        assert_eq!(parse_text("Mai 2019", &b(), false), None);
        assert_eq!(parse_text("Mai 2019", &b(), true), ymd(2019, 5, 1));
        assert_eq!(parse_text("2019-05", &b(), true), ymd(2019, 5, 1));
    }

    #[test]
    fn rejects_noise() {
        assert_eq!(parse_segment("Tel. +49 30 123456", &b(), true), None);
        assert_eq!(parse_segment("Preis: 12.05.2019 €", &b(), true), None);
        assert_eq!(parse_text("version 3.1.4", &b(), false), None);
        assert_eq!(parse_text("", &b(), true), None);
        assert_eq!(parse_text("99.99.9999 ÄÖÜ 日本", &b(), true), None);
    }
}
