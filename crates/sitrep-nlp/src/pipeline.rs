//! The whole pipeline, as spaCy's `en_core_web_sm` runs it: tokenizer, one shared tok2vec
//! feeding the tagger and the dependency parser, then the NER (with its own tok2vec) kept
//! within the parser's sentences.
//!
//! A [`Pipeline`] is loaded once and shared read-only (`Send + Sync`, no global state);
//! [`Pipeline::analyze_batch`] spreads documents over rayon's threads.
//!
//! Long documents are cut into segments of at most [`MAX_SEGMENT_TOKENS`] tokens, each run
//! through the networks on its own, so memory stays bounded whatever the input (spaCy would
//! build one matrix per component for the whole text). Cuts fall at a sentence end or a line
//! break once a segment holds [`SOFT_SEGMENT_TOKENS`] tokens, and the encoder only looks four
//! tokens either side, so a cut changes almost nothing; documents shorter than that (every
//! news article we have seen) are analysed in one piece, exactly as spaCy does.
//!
//! ```no_run
//! use sitrep_nlp::Pipeline;
//!
//! let nlp = Pipeline::load(&sitrep_nlp::default_model_dir())?;
//! let doc = nlp.analyze("Envoy Mara Quill met officials in Velstad on Tuesday. Talks went on.");
//! assert_eq!(doc.sentences.len(), 2);
//! for ent in &doc.entities {
//!     println!("{} {}", ent.label, &doc.text[ent.start..ent.end]);
//! }
//! # Ok::<(), sitrep_nlp::NlpError>(())
//! ```

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::NlpError;
use crate::model::{
    AttributeRuler, Lemmatizer, Ner, Parser, RulerToken, Tagger, Tok2Vec, TokenIn, lex,
};
use crate::tokenizer::Tokenizer;

/// A segment is cut at the first sentence end or line break after this many tokens.
pub const SOFT_SEGMENT_TOKENS: usize = 5_000;
/// A segment is cut here whatever the text (e.g. a long run without sentence ends).
pub const MAX_SEGMENT_TOKENS: usize = 10_000;

/// spaCy's small English pipeline, loaded from its package folder.
pub struct Pipeline {
    tokenizer: Tokenizer,
    tagger: Tagger,
    parser: Parser,
    ner: Ner,
    ruler: AttributeRuler,
    lemmatizer: Lemmatizer,
    /// The label strings tokens point to: tags in tagger order, then dependency and entity
    /// labels by name (a token holds a shared pointer, not its own copy).
    tags: Vec<Label>,
    labels: HashMap<String, Label>,
    /// Whether a line break ends a sentence (see [`Pipeline::with_line_breaks_as_sentence_ends`]).
    line_breaks_end_sentences: bool,
}

/// A tag or label: a shared string (cheap to clone, 16 bytes per token).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Label(Arc<str>);

impl Label {
    pub fn new(s: &str) -> Self {
        Label(Arc::from(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<Label> for String {
    fn eq(&self, other: &Label) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<Label> for String {
    fn from(l: Label) -> String {
        l.0.to_string()
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One token's analysis. Offsets are bytes of [`Doc::text`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Whether a single space follows the token (and is not itself a token).
    pub ws: bool,
    /// Penn Treebank tag ("NNP", "VBD", ...).
    pub tag: Label,
    /// Universal POS ("PROPN", "VERB", ...), from the attribute ruler.
    pub pos: Label,
    /// Morphological features in spaCy's canonical form ("Number=Sing|Person=3"), or empty.
    pub morph: Label,
    /// The lemma ("say" for "said").
    pub lemma: String,
    /// Index of the syntactic head in [`Doc::tokens`]; a sentence root is its own head.
    pub head: usize,
    /// Dependency label ("nsubj", "ROOT", ...).
    pub dep: Label,
    /// Whether the token starts a sentence.
    pub sent_start: bool,
    /// The token's place in an entity: `B`egin, `I`nside, or `O`utside.
    pub ent_iob: char,
    /// The entity type when `ent_iob` is not `O`, else empty.
    pub ent_type: Label,
}

/// A named entity: tokens `tokens` and bytes `start..end` of the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub label: Label,
    pub start: usize,
    pub end: usize,
    pub tokens: Range<usize>,
}

/// A sentence: tokens `tokens` and bytes `start..end` of the text (from its first token's
/// start to its last token's end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub tokens: Range<usize>,
}

/// The analysis of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    pub text: String,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub entities: Vec<Entity>,
}

impl Doc {
    /// The text of token `i`.
    pub fn token_text(&self, i: usize) -> &str {
        &self.text[self.tokens[i].start..self.tokens[i].end]
    }
}

/// A token before analysis: its byte range, trailing space and exception NORM.
struct RawToken {
    start: usize,
    end: usize,
    ws: bool,
    norm: Option<Arc<str>>,
}

impl Pipeline {
    /// Loads every component from a pipeline folder (e.g. `models/en_core_web_sm`).
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let tokenizer = Tokenizer::load(model_dir)?;
        let tok2vec = Arc::new(Tok2Vec::load(&model_dir.join("tok2vec"))?);
        let tagger = Tagger::from_parts(Arc::clone(&tok2vec), &model_dir.join("tagger"))?;
        let parser = Parser::from_parts(tok2vec, &model_dir.join("parser"))?;
        let ner = Ner::load(model_dir)?;
        let ruler = AttributeRuler::load(model_dir)?;
        let lemmatizer = Lemmatizer::load(model_dir)?;
        let tags = tagger.labels().iter().map(|t| Label::new(t)).collect();
        let labels = parser
            .labels()
            .iter()
            .chain(ner.labels())
            .map(String::as_str)
            .chain(["ROOT", ""])
            .map(|l| (l.to_string(), Label::new(l)))
            .collect();
        Ok(Pipeline {
            tokenizer,
            tagger,
            parser,
            ner,
            ruler,
            lemmatizer,
            tags,
            labels,
            line_breaks_end_sentences: false,
        })
    }

    /// Whether a line break always ends a sentence: the parser then reads each line on its own
    /// (the encoder still sees across it). spaCy lets a sentence run over a line break when
    /// the line has no final punctuation, so a headline, a dateline or a time stamp ("9:34
    /// p.m.") becomes part of the next line's sentence, with its words hanging from that
    /// sentence's verb. Off by default, which gives spaCy's analysis token for token; article
    /// bodies, whose lines are paragraphs, are analysed with it on (sitrep-extract's
    /// `Analyzer`).
    pub fn with_line_breaks_as_sentence_ends(mut self, on: bool) -> Self {
        self.line_breaks_end_sentences = on;
        self
    }

    /// The tokenizer alone.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Analyses one document.
    pub fn analyze(&self, text: &str) -> Doc {
        let raw = self
            .tokenizer
            .tokenize(text)
            .into_iter()
            .map(|t| RawToken {
                start: t.start,
                end: t.end,
                ws: t.ws,
                norm: t.norm,
            })
            .collect();
        self.run(text.to_string(), raw)
    }

    /// Analyses documents in parallel on rayon's threads; the output keeps the input order.
    pub fn analyze_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Doc> {
        texts.par_iter().map(|t| self.analyze(t.as_ref())).collect()
    }

    /// Analyses a document given as words (as spaCy's `Doc(vocab, words, spaces)`): no
    /// tokenizer, no exception NORMs; `spaces[i]` says whether a space follows word `i`
    /// (default: every word but the last). The text is the words joined accordingly.
    pub fn analyze_words(&self, words: &[&str], spaces: Option<&[bool]>) -> Doc {
        let mut text = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
        let mut raw = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            let ws = match spaces {
                Some(s) => s.get(i).copied().unwrap_or(false),
                None => i + 1 < words.len(),
            };
            let start = text.len();
            text.push_str(word);
            raw.push(RawToken {
                start,
                end: text.len(),
                ws,
                norm: None,
            });
            if ws {
                text.push(' ');
            }
        }
        self.run(text, raw)
    }

    fn run(&self, text: String, raw: Vec<RawToken>) -> Doc {
        let mut tokens = Vec::with_capacity(raw.len());
        let mut entities = Vec::new();
        for seg in segments(&text, &raw) {
            let offset = seg.start;
            let seg_raw = &raw[seg];
            let (seg_tokens, seg_ents) = self.run_segment(&text, seg_raw);
            tokens.extend(seg_tokens.into_iter().map(|mut t| {
                t.head += offset;
                t
            }));
            entities.extend(seg_ents.into_iter().map(|mut e| {
                e.tokens = e.tokens.start + offset..e.tokens.end + offset;
                e
            }));
        }
        let sentences = sentences(&tokens);
        Doc {
            text,
            tokens,
            sentences,
            entities,
        }
    }

    /// Tags, parses and recognises one segment; heads and entity tokens are segment-relative.
    fn run_segment(&self, text: &str, raw: &[RawToken]) -> (Vec<Token>, Vec<Entity>) {
        let inputs: Vec<TokenIn<'_>> = raw
            .iter()
            .map(|t| TokenIn {
                text: &text[t.start..t.end],
                space_after: t.ws,
                norm: t.norm.as_deref(),
            })
            .collect();
        let is_space: Vec<bool> = inputs.iter().map(|t| lex::is_space(t.text)).collect();

        let hidden = self.tagger.tok2vec().forward_tokens(&inputs);
        let tags = self.tagger.predict(&hidden);
        let deps = if self.line_breaks_end_sentences {
            // Each line (its trailing whitespace token included) parsed on its own.
            let width = hidden.len() / inputs.len().max(1);
            let mut deps = Vec::with_capacity(inputs.len());
            let mut start = 0;
            for i in 0..inputs.len() {
                let last = i + 1 == inputs.len();
                if last || (is_space[i] && inputs[i].text.contains('\n')) {
                    let part = self.parser.parse(
                        &hidden[start * width..(i + 1) * width],
                        &is_space[start..=i],
                    );
                    deps.extend(part.into_iter().map(|mut d| {
                        d.head += start;
                        d
                    }));
                    start = i + 1;
                }
            }
            deps
        } else {
            self.parser.parse(&hidden, &is_space)
        };
        drop(hidden);
        let starts: Vec<bool> = deps.iter().map(|d| d.sent_start).collect();
        let ner_hidden = self.ner.tok2vec().forward_tokens(&inputs);
        let spans = self.ner.recognize(&ner_hidden, &is_space, Some(&starts));

        let ruler_in: Vec<RulerToken<'_>> = inputs
            .iter()
            .zip(&tags)
            .zip(&deps)
            .map(|((t, &tag), dep)| RulerToken {
                text: t.text,
                tag: self.tags[tag].as_str(),
                dep: dep.dep.as_str(),
            })
            .collect();
        let attrs = self.ruler.apply(&ruler_in);
        let mut tokens: Vec<Token> = raw
            .iter()
            .zip(&inputs)
            .zip(tags)
            .zip(deps)
            .zip(attrs)
            .map(|((((t, input), tag), dep), a)| {
                let pos = a.pos.map(Label).unwrap_or_default();
                let morph = a.morph.map(Label).unwrap_or_default();
                let lemma = match &a.lemma {
                    Some(l) => l.to_string(),
                    None => self.lemmatizer.lemmatize(input.text, &pos, &morph),
                };
                Token {
                    start: t.start,
                    end: t.end,
                    ws: t.ws,
                    tag: a.tag.map(Label).unwrap_or_else(|| self.tags[tag].clone()),
                    pos,
                    morph,
                    lemma,
                    head: dep.head,
                    dep: a.dep.map(Label).unwrap_or_else(|| self.label(&dep.dep)),
                    sent_start: dep.sent_start,
                    ent_iob: 'O',
                    ent_type: Label::default(),
                }
            })
            .collect();
        let mut entities = Vec::with_capacity(spans.len());
        for span in spans {
            let label = self.label(&span.label);
            for (k, tok) in tokens[span.start..span.end].iter_mut().enumerate() {
                tok.ent_iob = if k == 0 { 'B' } else { 'I' };
                tok.ent_type = label.clone();
            }
            entities.push(Entity {
                start: raw[span.start].start,
                end: raw[span.end - 1].end,
                tokens: span.start..span.end,
                label,
            });
        }
        (tokens, entities)
    }

    /// The shared copy of a label.
    fn label(&self, s: &str) -> Label {
        self.labels.get(s).cloned().unwrap_or_else(|| Label::new(s))
    }
}

/// Cuts the tokens into segments (see the module documentation).
fn segments(text: &str, raw: &[RawToken]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while raw.len() - start > SOFT_SEGMENT_TOKENS {
        let hard = (start + MAX_SEGMENT_TOKENS).min(raw.len());
        let cut = (start + SOFT_SEGMENT_TOKENS..hard)
            .find(|&i| is_break_before(text, raw, i))
            .unwrap_or(hard);
        out.push(start..cut);
        start = cut;
    }
    if start < raw.len() || out.is_empty() {
        out.push(start..raw.len());
    }
    out
}

/// Whether a segment may start at token `i`: after a line break, or after a sentence-final
/// punctuation mark followed by a space and a capital letter, digit or opening quote.
fn is_break_before(text: &str, raw: &[RawToken], i: usize) -> bool {
    let prev = &text[raw[i - 1].start..raw[i - 1].end];
    let cur = &text[raw[i].start..raw[i].end];
    if prev.contains('\n') {
        return true;
    }
    let final_mark = matches!(prev, "." | "!" | "?" | "…") || prev.ends_with(['.', '!', '?']);
    final_mark
        && raw[i - 1].ws
        && cur
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'(".contains(c))
}

/// Sentences from the tokens' sentence starts.
fn sentences(tokens: &[Token]) -> Vec<Sentence> {
    let mut out: Vec<Sentence> = Vec::new();
    let mut first = 0;
    for i in 1..=tokens.len() {
        if i == tokens.len() || tokens[i].sent_start {
            if first < i {
                out.push(Sentence {
                    start: tokens[first].start,
                    end: tokens[i - 1].end,
                    tokens: first..i,
                });
            }
            first = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_tokens(text: &str) -> Vec<RawToken> {
        let mut out = Vec::new();
        let mut pos = 0;
        for word in text.split(' ') {
            out.push(RawToken {
                start: pos,
                end: pos + word.len(),
                ws: true,
                norm: None,
            });
            pos += word.len() + 1;
        }
        out
    }

    #[test]
    fn pipeline_is_shareable_across_threads() {
        fn check<T: Send + Sync>() {}
        check::<Pipeline>();
    }

    #[test]
    fn short_documents_are_one_segment() {
        let text = "A b . C d .";
        assert_eq!(segments(text, &raw_tokens(text)), vec![0..6]);
        assert_eq!(segments("", &[]), vec![0..0]);
    }

    #[test]
    fn long_documents_are_cut_at_sentence_ends() {
        let sentence = "the talks went on . Then";
        let text = std::iter::repeat_n(sentence, 2_000)
            .collect::<Vec<_>>()
            .join(" ");
        let raw = raw_tokens(&text);
        let segs = segments(&text, &raw);
        assert!(segs.len() > 1);
        assert_eq!(segs.first().map(|s| s.start), Some(0));
        assert_eq!(segs.last().map(|s| s.end), Some(raw.len()));
        for pair in segs.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            let cut = pair[1].start;
            assert_eq!(&text[raw[cut - 1].start..raw[cut - 1].end], ".");
            assert!(pair[0].len() >= SOFT_SEGMENT_TOKENS);
        }
    }

    #[test]
    fn runs_without_sentence_ends_are_cut_at_the_cap() {
        let text = vec!["word"; 25_000].join(" ");
        let raw = raw_tokens(&text);
        let segs = segments(&text, &raw);
        assert_eq!(segs, vec![0..10_000, 10_000..20_000, 20_000..25_000]);
    }
}
