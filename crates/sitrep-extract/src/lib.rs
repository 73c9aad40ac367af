//! Who said what: the article's entities resolved within it, and its quotes attributed to
//! their speakers, computed from the linguistic core's analysis of the body
//! ([`sitrep_nlp::Doc`], whose `text` is the body; every offset is a byte offset into it).
//!
//! - [`entities`]: mentions grouped into entities (full names, surnames, titles, roles,
//!   pronouns, metonyms such as "the Kremlin" for Russia).
//! - [`quotes`]: direct, partial and indirect quotes with their cue and speaker.

pub mod entities;
pub mod events;
pub mod lexicon;
pub mod quotes;

use sitrep_model::Extraction;
use sitrep_nlp::Doc;

/// Entities and quotes of one analysed body (events come later).
pub fn extract(doc: &Doc) -> Extraction {
    let resolution = entities::resolve(doc);
    let quotes = quotes::find(doc, &resolution);
    Extraction {
        entities: resolution.to_model(doc),
        quotes,
        events: Vec::new(),
    }
}

/// The loaded linguistic core with the extraction stages on top: one per process, shared
/// read-only across threads.
pub struct Analyzer {
    nlp: sitrep_nlp::Pipeline,
}

impl Analyzer {
    /// Loads the model from an en_core_web_sm folder.
    pub fn load(model_dir: &std::path::Path) -> Result<Self, sitrep_nlp::NlpError> {
        Ok(Analyzer {
            nlp: sitrep_nlp::Pipeline::load(model_dir)?,
        })
    }

    /// Wraps a loaded linguistic core.
    pub fn new(nlp: sitrep_nlp::Pipeline) -> Self {
        Analyzer { nlp }
    }

    /// The linguistic core.
    pub fn pipeline(&self) -> &sitrep_nlp::Pipeline {
        &self.nlp
    }

    /// Entities and quotes of an article body.
    pub fn extract(&self, body: &str) -> Extraction {
        extract(&self.nlp.analyze(body))
    }

    /// Entities and quotes of an article: the body's, and the title's quotes (headline quotes,
    /// `field: title`, offsets into the title) with their speakers linked to the body's
    /// entities by name.
    pub fn extract_article(&self, title: Option<&str>, body: &str) -> Extraction {
        let doc = self.nlp.analyze(body);
        let resolution = entities::resolve(&doc);
        let mut quotes = quotes::find(&doc, &resolution);
        if let Some(title) = title.filter(|t| t.chars().any(char::is_alphanumeric)) {
            let title_doc = self.nlp.analyze(title);
            let title_resolution = entities::resolve(&title_doc);
            for mut quote in quotes::find(&title_doc, &title_resolution) {
                quote.field = sitrep_model::TextField::Title;
                if let Some(speaker) = &mut quote.speaker {
                    speaker.entity = None;
                    if let Some(e) = entity_named(&resolution, &speaker.mention.text) {
                        speaker.entity = Some(entities::entity_id(e));
                        speaker.name = resolution.entities[e].name.clone();
                    }
                }
                quotes.push(quote);
            }
        }
        Extraction {
            entities: resolution.to_model(&doc),
            quotes,
            events: Vec::new(),
        }
    }
}

/// The entity a title names: one whose name is `text` or ends with it (a surname); only when
/// exactly one entity fits.
fn entity_named(resolution: &entities::Resolution, text: &str) -> Option<usize> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let fits: Vec<usize> = resolution
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.name == text || e.name.ends_with(&format!(" {text}")))
        .map(|(i, _)| i)
        .collect();
    match fits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}
