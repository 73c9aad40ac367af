//! What the clusterer sees of an article: content words, named entities, places, event types
//! with their actors, numbers, event dates and casualty figures.
//!
//! Built from sitrep's own output ([`ArticleFeatures::from_record`]) or from plain text alone
//! ([`ArticleFeatures::from_text`], the TF-IDF baseline and tests).

use sitrep_model::{ArticleRecord, Extraction, NaiveDate};

/// The signals of one article, as strings; the clusterer interns and weighs them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleFeatures {
    /// The article's id (kept in the story's article list).
    pub id: String,
    pub outlet: Option<String>,
    pub title: Option<String>,
    /// Publication date: the clock of the time windows. `None`: the article fits any window.
    pub published: Option<NaiveDate>,
    /// Content words (lowercase, stop words dropped, light plural stemming) with their counts.
    pub words: Vec<(String, u32)>,
    /// Named entities other than places: `"PERSON:jane doe"`, and a person's surname alone
    /// (`"PERSON:doe"`), with mention counts.
    pub entities: Vec<(String, u32)>,
    /// Places: GPE/LOC/FAC entities and event locations, lowercased, with counts.
    pub places: Vec<(String, u32)>,
    /// Event types (`"ATTACK"`), and type with each actor's country or name (`"ATTACK>RUS"`).
    pub events: Vec<(String, u32)>,
    /// Numbers written in the text (`"2008"`, `"6.1"`), with counts.
    pub numbers: Vec<(String, u32)>,
    /// Content words of the title and of the body's first [`LEAD_WORDS`] words, with counts:
    /// a news article names its event in the headline and the opening sentences; the rest is
    /// background that related events share.
    pub lead: Vec<(String, u32)>,
    /// Years named in the text (1900-2099): two articles naming only different years are
    /// rarely about the same event.
    pub years: Vec<u16>,
    /// Resolved event dates.
    pub dates: Vec<NaiveDate>,
    /// Death tolls of the article's events.
    pub killed: Vec<u64>,
    /// A sentence embedding of the title and lead (e.g. sitrep-embed's MiniLM, any dimension);
    /// empty: none. Used only when [`crate::Config::embedding_weight`] or
    /// [`crate::Config::embedding_floor`] is set.
    pub embedding: Vec<f32>,
}

impl ArticleFeatures {
    /// Words, numbers and years of a plain text (no entities, events or places).
    pub fn from_text(id: &str, text: &str, published: Option<NaiveDate>) -> Self {
        let mut f = ArticleFeatures {
            id: id.to_string(),
            published,
            ..Default::default()
        };
        let mut words = Counter::default();
        let mut numbers = Counter::default();
        let mut years = Vec::new();
        scan_text(text, &mut words, &mut numbers, &mut years);
        f.words = words.into_vec();
        f.numbers = numbers.into_vec();
        years.sort_unstable();
        years.dedup();
        f.years = years;
        f
    }

    /// Features of an article record: its title and body words, and what extraction found.
    pub fn from_record(record: &ArticleRecord) -> Self {
        let extraction = Extraction {
            entities: record.entities.clone(),
            quotes: Vec::new(),
            events: record.events.clone(),
        };
        let mut f = Self::from_parts(
            &record.id,
            record.title.as_deref(),
            &record.body,
            record.published,
            &extraction,
        );
        f.outlet = record.outlet.clone();
        f
    }

    /// Features of an article given as its parts (what [`from_record`](Self::from_record)
    /// uses; handy when the extraction is at hand without a record).
    pub fn from_parts(
        id: &str,
        title: Option<&str>,
        body: &str,
        published: Option<NaiveDate>,
        extraction: &Extraction,
    ) -> Self {
        let text = match title {
            // The title counts twice: it names the event.
            Some(t) => format!("{t}\n{t}\n{body}"),
            None => body.to_string(),
        };
        let mut f = Self::from_text(id, &text, published);
        f.title = title.map(str::to_string);
        f.lead = lead_words(title, body);
        let mut entities = Counter::default();
        let mut places = Counter::default();
        for e in &extraction.entities {
            let name = normalize_name(&e.name);
            if name.is_empty() {
                continue;
            }
            let n = e.mentions.len().max(1) as u32;
            match e.kind.as_str() {
                "GPE" | "LOC" | "FAC" => places.add(&name, n),
                // Quantities, dates and ordinals are no entities here (numbers cover them).
                "DATE" | "TIME" | "CARDINAL" | "ORDINAL" | "QUANTITY" | "PERCENT" | "MONEY" => {}
                kind => {
                    entities.add(&format!("{kind}:{name}"), n);
                    if kind == "PERSON"
                        && let Some(surname) = name.rsplit(' ').next().filter(|s| *s != name)
                    {
                        entities.add(&format!("PERSON:{surname}"), n);
                    }
                }
            }
        }
        let mut events = Counter::default();
        for ev in &extraction.events {
            if ev.negated || ev.hypothetical {
                continue;
            }
            events.add(&ev.kind, 1);
            for actor in ev.source.iter().chain(&ev.target) {
                let who = actor
                    .country
                    .clone()
                    .unwrap_or_else(|| normalize_name(&actor.name));
                if !who.is_empty() {
                    events.add(&format!("{}>{who}", ev.kind), 1);
                }
            }
            if let Some(loc) = &ev.location {
                let name = normalize_name(&loc.name);
                if !name.is_empty() {
                    places.add(&name, 1);
                }
            }
            if let Some(d) = ev.date.as_ref().and_then(|d| d.value) {
                f.dates.push(d);
            }
            if let Some(k) = ev.casualties.as_ref().and_then(|c| c.killed) {
                f.killed.push(k);
            }
        }
        f.dates.sort_unstable();
        f.dates.dedup();
        f.killed.sort_unstable();
        f.killed.dedup();
        f.entities = entities.into_vec();
        f.places = places.into_vec();
        f.events = events.into_vec();
        f
    }

    /// Whether the article carries no signal at all (an empty or symbol-only body).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.entities.is_empty()
            && self.places.is_empty()
            && self.events.is_empty()
            && self.numbers.is_empty()
            && self.lead.is_empty()
    }
}

/// Counts in first-seen order (deterministic, no hash-map order).
#[derive(Default)]
struct Counter {
    items: Vec<(String, u32)>,
    index: std::collections::HashMap<String, usize>,
}

impl Counter {
    fn add(&mut self, key: &str, n: u32) {
        match self.index.get(key) {
            Some(&i) => self.items[i].1 += n,
            None => {
                self.index.insert(key.to_string(), self.items.len());
                self.items.push((key.to_string(), n));
            }
        }
    }

    fn into_vec(self) -> Vec<(String, u32)> {
        self.items
    }
}

/// Lowercase, "the" dropped, inner punctuation folded to spaces: "the U.S. Navy" -> "u s navy".
fn normalize_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let parts = match parts.first() {
        Some(&"the") => &parts[1..],
        _ => &parts[..],
    };
    parts.join(" ")
}

/// Words of the body's opening that count in [`ArticleFeatures::lead`] (about two sentences).
pub const LEAD_WORDS: usize = 50;

/// A body of at most this many words has no lead apart from itself (a short report is all
/// lead): its [`ArticleFeatures::lead`] is empty, and the lead counts only between two
/// longer articles.
pub const LEAD_MIN_BODY: usize = 100;

/// The content words of the title and of the first [`LEAD_WORDS`] words of the body; none for
/// a body of [`LEAD_MIN_BODY`] words or fewer.
fn lead_words(title: Option<&str>, body: &str) -> Vec<(String, u32)> {
    let mut end = body.len();
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in body.char_indices() {
        let alnum = c.is_alphanumeric();
        if alnum && !in_word {
            seen += 1;
            if seen == LEAD_WORDS + 1 {
                end = i;
            }
            if seen > LEAD_MIN_BODY {
                break;
            }
        }
        in_word = alnum;
    }
    if seen <= LEAD_MIN_BODY {
        return Vec::new();
    }
    let text = match title {
        Some(t) => format!("{t}\n{}", &body[..end]),
        None => body[..end].to_string(),
    };
    let mut words = Counter::default();
    let mut numbers = Counter::default();
    let mut years = Vec::new();
    scan_text(&text, &mut words, &mut numbers, &mut years);
    words.into_vec()
}

fn scan_text(text: &str, words: &mut Counter, numbers: &mut Counter, years: &mut Vec<u16>) {
    // Tokens are runs of letters/digits; '.' and ',' stay inside numbers ("6.1", "1,200").
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_alphanumeric()
                || ((chars[i] == '.' || chars[i] == ',')
                    && chars[i - 1].is_ascii_digit()
                    && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let token: String = chars[start..i]
            .iter()
            .flat_map(|c| c.to_lowercase())
            .collect();
        if token
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            let number: String = token.chars().filter(|&c| c != ',').collect();
            if let Ok(y) = number.parse::<u16>()
                && (1900..=2099).contains(&y)
            {
                years.push(y);
            }
            numbers.add(&number, 1);
        } else if token.chars().count() >= 3 && token.chars().any(char::is_alphabetic) {
            // Possessive "'s" is cut by the tokenizer already ("s" is too short to count).
            if !is_stop(&token) {
                words.add(&stem(&token), 1);
            }
        }
    }
}

/// Light plural folding: "earthquakes" -> "earthquake", "injuries" -> "injury".
fn stem(word: &str) -> String {
    if let Some(base) = word.strip_suffix("ies").filter(|b| b.len() >= 3) {
        return format!("{base}y");
    }
    if word.len() > 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

fn is_stop(word: &str) -> bool {
    STOP.binary_search(&word).is_ok()
}

/// A small English stop list (function words and reporting verbs), sorted.
const STOP: &[&str] = &[
    "about",
    "above",
    "according",
    "after",
    "again",
    "against",
    "all",
    "also",
    "although",
    "among",
    "and",
    "another",
    "any",
    "are",
    "around",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "can",
    "could",
    "did",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "into",
    "its",
    "itself",
    "just",
    "last",
    "later",
    "least",
    "less",
    "like",
    "made",
    "make",
    "many",
    "may",
    "might",
    "more",
    "most",
    "much",
    "must",
    "near",
    "new",
    "news",
    "next",
    "nor",
    "not",
    "now",
    "off",
    "once",
    "one",
    "only",
    "other",
    "others",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "said",
    "same",
    "say",
    "says",
    "she",
    "should",
    "since",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "told",
    "too",
    "two",
    "under",
    "until",
    "upon",
    "very",
    "was",
    "way",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "years",
    "yet",
    "you",
    "your",
    "yours",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_is_the_title_and_the_bodys_opening_words() {
        let opening: Vec<String> = (0..LEAD_WORDS).map(|i| format!("opening{i}")).collect();
        let rest: Vec<String> = (0..LEAD_MIN_BODY).map(|i| format!("rest{i}")).collect();
        let body = format!("{} {}", opening.join(" "), rest.join(" "));
        let lead = lead_words(Some("Harbour closed"), &body);
        let has = |w: &str| lead.iter().any(|(x, _)| x == w);
        assert!(has("harbour") && has("opening0") && has(&format!("opening{}", LEAD_WORDS - 1)));
        assert!(!has("rest0"));
        // A short body is all lead: no separate lead.
        assert!(lead_words(Some("Harbour closed"), &opening.join(" ")).is_empty());
        assert!(lead_words(None, "").is_empty());
    }

    #[test]
    fn stop_list_is_sorted() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn text_features() {
        let f = ArticleFeatures::from_text(
            "a",
            "Two earthquakes struck Velmora in 2011, killing 1,200 people; the earthquake...",
            None,
        );
        let words: Vec<&str> = f.words.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            ["earthquake", "struck", "velmora", "killing", "people"]
        );
        assert_eq!(f.words[0].1, 2);
        assert_eq!(f.years, [2011]);
        let numbers: Vec<&str> = f.numbers.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(numbers, ["2011", "1200"]);
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize_name("The U.S. Navy"), "u s navy");
        assert_eq!(normalize_name("  "), "");
    }
}
