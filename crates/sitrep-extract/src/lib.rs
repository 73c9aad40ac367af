//! Who said what: the article's entities resolved within it, and its quotes attributed to
//! their speakers, computed from the linguistic core's analysis of the body
//! ([`sitrep_nlp::Doc`], whose `text` is the body; every offset is a byte offset into it).
//!
//! - [`entities`]: mentions grouped into entities (full names, surnames, titles, roles,
//!   pronouns, metonyms such as "the Kremlin" for Russia).
//! - [`quotes`]: direct, partial and indirect quotes with their cue and speaker.

pub mod entities;
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
}
