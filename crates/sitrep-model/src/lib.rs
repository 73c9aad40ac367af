//! Domain types of sitrep and its versioned JSON output contract (`sitrep/1`).
//!
//! Inputs: nothing; this crate only defines data. Outputs: the types every stage passes on,
//! serialised exactly as `docs/schema/article.schema.json` describes.
//!
//! Invariants:
//! - every offset (`start`, `end`) is a byte offset into [`Article::body`] and falls on a UTF-8
//!   character boundary;
//! - [`Article::id`] depends only on the normalised body text, so the same article read from two
//!   places gets the same id;
//! - no IO, no clock: the types are plain data.
//!
//! ```
//! use sitrep_model::{Article, ArticleRecord, content_id};
//! let article = Article::new("example.txt", "Talks resumed on Monday.".to_string());
//! assert_eq!(article.id, content_id("Talks  resumed on Monday."));
//! let record = ArticleRecord::from_article(article);
//! let json = serde_json::to_value(&record).unwrap();
//! assert_eq!(json["schema"], "sitrep/1");
//! ```

mod offsets;
mod proposals;

pub use chrono::NaiveDate;
pub use offsets::{OffsetMap, Segment};
pub use proposals::thread_proposals;
use serde::{Deserialize, Serialize};

/// The contract version written in every output object.
pub const SCHEMA: &str = "sitrep/1";

/// What kind of input an article was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Text,
    Html,
    Jsonl,
    Warc,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Html => "html",
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::Warc => "warc",
        }
    }
}

/// The role a paragraph of the body plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Paragraph,
    Heading,
}

/// One paragraph (or mid-article subheading) of the body: `body[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
}

/// A clean article: metadata, body text with its paragraph structure, and the way back to the
/// source it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Stable id derived from the normalised body (see [`content_id`]).
    pub id: String,
    /// Path, url or record id the article came from.
    pub input: String,
    pub format: SourceFormat,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Standfirst or dek: the summary line under the title, kept out of the body.
    pub subtitle: Option<String>,
    pub published: Option<NaiveDate>,
    pub authors: Vec<String>,
    /// BCP-47-ish language tag as declared by the source (`en`, `de`), when it says.
    pub language: Option<String>,
    /// Clean text, paragraphs separated by a blank line.
    pub body: String,
    pub blocks: Vec<Block>,
    /// Decoded source text (HTML, plain text or the JSON record's text) the body was cut from.
    pub source: String,
    /// Maps byte offsets of `body` to byte offsets of `source`.
    pub offsets: OffsetMap,
    /// Things noticed while reading that the user may want to know (never fatal).
    pub diagnostics: Vec<String>,
}

impl Article {
    /// A bare article whose body is `body` verbatim (one paragraph per blank-line block).
    pub fn new(input: &str, body: String) -> Self {
        let mut blocks = Vec::new();
        let mut pos = 0;
        for part in body.split("\n\n") {
            if !part.trim().is_empty() {
                blocks.push(Block {
                    kind: BlockKind::Paragraph,
                    start: pos,
                    end: pos + part.len(),
                });
            }
            pos += part.len() + 2;
        }
        Article {
            id: content_id(&body),
            input: input.to_string(),
            format: SourceFormat::Text,
            outlet: None,
            url: None,
            title: None,
            subtitle: None,
            published: None,
            authors: Vec::new(),
            language: None,
            offsets: OffsetMap::identity(body.len()),
            source: body.clone(),
            body,
            blocks,
            diagnostics: Vec::new(),
        }
    }
}

/// The stable id of an article: 16 hex digits of the BLAKE3 hash of its body, lowercased with
/// whitespace runs collapsed, so re-scraped copies that differ only in layout share an id.
pub fn content_id(body: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut first = true;
    let mut buf = [0u8; 4];
    for word in body.split_whitespace() {
        if !first {
            hasher.update(b" ");
        }
        first = false;
        for c in word.chars().flat_map(char::to_lowercase) {
            hasher.update(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    let hash = hasher.finalize();
    hash.to_hex()[..16].to_string()
}

/// A mention of an entity in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// An entity resolved within one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub roles: Vec<String>,
    pub mentions: Vec<Mention>,
    /// The state a seat of power or capital stands for ("the Kremlin" -> "Russia").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stands_for: Option<String>,
}

/// The speaker of a quote, resolved to an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    pub entity: Option<String>,
    pub name: String,
    pub mention: Mention,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    Direct,
    Partial,
    Indirect,
}

/// The text a quote's offsets point into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    #[default]
    Body,
    /// The title: a headline quote.
    Title,
}

impl TextField {
    pub fn is_body(&self) -> bool {
        *self == TextField::Body
    }
}

/// Who said what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    pub kind: QuoteKind,
    pub speaker: Option<Speaker>,
    pub cue: Option<String>,
    /// Where `start`/`end` (and the speaker mention's) point: the body unless a headline quote.
    #[serde(default, skip_serializing_if = "TextField::is_body")]
    pub field: TextField,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuadClass {
    Statement,
    VerbalCooperation,
    MaterialCooperation,
    VerbalConflict,
    MaterialConflict,
}

/// An actor of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub entity: Option<String>,
    pub name: String,
    /// ISO 3166-1 alpha-3 code of the actor's country ("RUS" for "Russian forces"), or "IGO"
    /// for international organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Sector: government, military, police, rebel, civilian, business, igo, judiciary,
    /// legislature, media, ngo, opposition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// The words naming the actor in this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<Mention>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub name: String,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The place name as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<Mention>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDate {
    pub text: String,
    pub value: Option<NaiveDate>,
    /// Where `text` is in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Casualties {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub killed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub injured: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub missing: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detained: Option<u64>,
    /// The figures as written ("at least 34 people were killed"), with their spans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
}

/// Who did what to whom, when and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: Option<String>,
    pub context: Vec<String>,
    pub cameo_root: String,
    pub quad_class: QuadClass,
    pub source: Vec<Actor>,
    pub target: Vec<Actor>,
    pub location: Option<Location>,
    pub date: Option<EventDate>,
    pub casualties: Option<Casualties>,
    pub negated: bool,
    pub hypothetical: bool,
    /// Whether it happened by the text's account: asserted, claimed (by someone), future,
    /// proposed, demanded, conditional or hypothetical. `hypothetical` is true for all but
    /// asserted and claimed.
    #[serde(default = "asserted")]
    pub modality: String,
    /// The CAMEO code as far as the text tells ("190", "0841").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cameo: Option<String>,
    /// The word naming the event ("struck", "talks").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Mention>,
    /// The sentence the event is read from.
    pub start: usize,
    pub end: usize,
}

fn asserted() -> String {
    "asserted".to_string()
}

/// What the extraction stages found in one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    pub events: Vec<Event>,
}

/// The article object of the output contract (`sitrep extract`, one per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub schema: String,
    pub id: String,
    pub input: String,
    pub format: SourceFormat,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub published: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub body: String,
    pub paragraphs: Vec<Block>,
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    pub events: Vec<Event>,
    pub diagnostics: Vec<String>,
}

impl ArticleRecord {
    /// The record of an article with nothing extracted yet.
    pub fn from_article(article: Article) -> Self {
        Self::new(article, Extraction::default())
    }

    pub fn new(article: Article, extraction: Extraction) -> Self {
        ArticleRecord {
            schema: SCHEMA.to_string(),
            id: article.id,
            input: article.input,
            format: article.format,
            outlet: article.outlet,
            url: article.url,
            title: article.title,
            subtitle: article.subtitle,
            published: article.published,
            authors: article.authors,
            language: article.language,
            body: article.body,
            paragraphs: article.blocks,
            entities: extraction.entities,
            quotes: extraction.quotes,
            events: extraction.events,
            diagnostics: article.diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_id_ignores_layout_and_case() {
        assert_eq!(content_id("A  b\n\nC"), content_id("a b c"));
        assert_ne!(content_id("a b c"), content_id("a b d"));
        assert_eq!(content_id("x").len(), 16);
    }

    #[test]
    fn new_article_splits_paragraphs() {
        let a = Article::new("t", "One.\n\nTwo.".to_string());
        assert_eq!(a.blocks.len(), 2);
        assert_eq!(&a.body[a.blocks[1].start..a.blocks[1].end], "Two.");
    }
}

/// One value of a disputed slot, with where it is said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedValue {
    pub value: String,
    /// The article id.
    pub article: String,
    pub start: usize,
    pub end: usize,
}

/// Values that conflict for the same slot of the same subject ("Donald Trump", "role":
/// "former President" vs "US President").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub subject: String,
    /// role, counterpart, killed, injured, date, place, speaker.
    pub slot: String,
    pub values: Vec<SourcedValue>,
    /// Whether one article holds both values (a claim and its correction).
    #[serde(default)]
    pub within_article: bool,
}

/// An entity of a story, linked across its articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryEntity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// In how many articles it appears.
    pub articles: usize,
    /// Other spellings used ("Zelensky", "Zelenskiy").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
}

/// A quote of a story, merged across the articles that report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryQuote {
    pub text: String,
    pub speaker: Option<String>,
    pub articles: Vec<String>,
    /// Other wordings of the same quote (a misquote is a finding).
    #[serde(default)]
    pub variants: Vec<String>,
}

/// An event of a story, merged across articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryEvent {
    #[serde(flatten)]
    pub event: Event,
    pub articles: Vec<String>,
}

/// Words of an article with their place: `article` id and byte span of its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedText {
    pub text: String,
    pub article: String,
    pub start: usize,
    pub end: usize,
}

/// One party's stated position on a proposal, as one article reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The party (canonical entity name: "Tomas Reyk", "Norland").
    pub party: String,
    /// proposed, demanded, accepted, rejected or conditional (accepted or rejected on
    /// conditions, listed in `conditions`).
    pub stance: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<SourcedText>,
    /// The article's publication date.
    pub date: Option<NaiveDate>,
    /// The sentence stating the position.
    pub article: String,
    pub start: usize,
    pub end: usize,
}

/// A proposal of a story ("a 30-day ceasefire") and each party's positions on it over time
/// (ordered by publication date, then article and offset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// What is proposed, as first named ("30-day ceasefire").
    pub subject: String,
    /// Other wordings of it ("30-day truce").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    pub positions: Vec<Position>,
}

/// Publication dates of a story's first and last articles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorySpan {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// The story object of the output contract (`sitrep stories`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub schema: String,
    pub id: String,
    pub title: String,
    pub articles: Vec<String>,
    pub outlets: Vec<String>,
    pub span: StorySpan,
    pub thread: Option<String>,
    pub entities: Vec<StoryEntity>,
    pub quotes: Vec<StoryQuote>,
    pub events: Vec<StoryEvent>,
    pub disagreements: Vec<Disagreement>,
    /// Proposals and the parties' positions on them (absent in stories written before).
    #[serde(default)]
    pub proposals: Vec<Proposal>,
}
