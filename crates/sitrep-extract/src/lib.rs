//! Who said what: the article's entities resolved within it, and its quotes attributed to
//! their speakers, computed from the linguistic core's analysis of the body
//! ([`sitrep_nlp::Doc`], whose `text` is the body; every offset is a byte offset into it).
//!
//! - [`entities`]: mentions grouped into entities (full names, surnames, titles, roles,
//!   pronouns, metonyms such as "the Kremlin" for Russia).
//! - [`quotes`]: direct, partial and indirect quotes with their cue and speaker.
//! - [`events`]: political events (PLOVER) with actors, place, date, casualties and modality.

pub mod attribution;
pub mod entities;
pub mod events;
mod learn;
pub mod lexicon;
pub mod quotes;

use sitrep_geo::{Countries, Gazetteer};
use sitrep_model::Extraction;
use sitrep_nlp::Doc;

/// Entities, quotes and events of one analysed body (no publication date, no gazetteer: event
/// places keep their name, relative dates have no value).
pub fn extract(doc: &Doc) -> Extraction {
    let resolution = entities::resolve(doc);
    let quotes = quotes::find(doc, &resolution);
    let countries = builtin_countries();
    let events = events::find(
        doc,
        &resolution,
        &events::Context {
            published: None,
            gazetteer: None,
            countries,
        },
    );
    let mut x = Extraction {
        entities: resolution.to_model(doc),
        quotes,
        events,
    };
    events::pronouns_in_quotes(&mut x);
    x
}

/// The compiled-in country table (always available).
pub fn builtin_countries() -> &'static Countries {
    static TABLE: std::sync::OnceLock<Countries> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        // The table is compiled in and checked by sitrep-geo's tests.
        Countries::builtin().unwrap_or_else(|e| panic!("built-in country table: {e}"))
    })
}

/// The loaded linguistic core with the extraction stages on top: one per process, shared
/// read-only across threads.
pub struct Analyzer {
    nlp: sitrep_nlp::Pipeline,
    gazetteer: Option<Gazetteer>,
    /// Why the gazetteer is missing, if it is.
    gazetteer_error: Option<String>,
}

impl Analyzer {
    /// Loads the model from an en_core_web_sm folder, and the gazetteer from the `geo` folder
    /// beside it when there is one (without it event places get no coordinates).
    pub fn load(model_dir: &std::path::Path) -> Result<Self, sitrep_nlp::NlpError> {
        let nlp = sitrep_nlp::Pipeline::load(model_dir)?.with_line_breaks_as_sentence_ends(true);
        let geo_dir = model_dir
            .parent()
            .map(|p| p.join("geo"))
            .unwrap_or_else(|| std::path::PathBuf::from("geo"));
        let (gazetteer, gazetteer_error) = match Gazetteer::load(&geo_dir) {
            Ok(g) => (Some(g), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(Analyzer {
            nlp,
            gazetteer,
            gazetteer_error,
        })
    }

    /// Wraps a loaded linguistic core (no gazetteer).
    pub fn new(nlp: sitrep_nlp::Pipeline) -> Self {
        Analyzer {
            nlp,
            gazetteer: None,
            gazetteer_error: None,
        }
    }

    /// Adds a gazetteer for event places.
    pub fn with_gazetteer(mut self, gazetteer: Gazetteer) -> Self {
        self.gazetteer = Some(gazetteer);
        self.gazetteer_error = None;
        self
    }

    /// Why no gazetteer was loaded, if none was.
    pub fn gazetteer_error(&self) -> Option<&str> {
        self.gazetteer_error.as_deref()
    }

    /// The linguistic core.
    pub fn pipeline(&self) -> &sitrep_nlp::Pipeline {
        &self.nlp
    }

    /// Entities, quotes and events of an article body.
    pub fn extract(&self, body: &str) -> Extraction {
        self.extract_article(None, body)
    }

    /// Entities, quotes and events of an article (no publication date known).
    pub fn extract_article(&self, title: Option<&str>, body: &str) -> Extraction {
        self.extract_dated(title, body, None)
    }

    /// Entities, quotes and events of an article: the body's, and the title's quotes (headline
    /// quotes, `field: title`, offsets into the title) with their speakers linked to the body's
    /// entities by name. Relative event dates resolve against `published`.
    pub fn extract_dated(
        &self,
        title: Option<&str>,
        body: &str,
        published: Option<chrono::NaiveDate>,
    ) -> Extraction {
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
                    // The whole mention, else its longest opening of two words or more that
                    // names a body entity (a title-case headline read as one name: "White
                    // House Signals Hope" is the White House).
                    let text = speaker.mention.text.clone();
                    let cuts: Vec<usize> = text
                        .match_indices(' ')
                        .map(|(i, _)| i)
                        .filter(|&i| text[..i].contains(' '))
                        .collect();
                    let found = std::iter::once(text.len())
                        .chain(cuts.into_iter().rev())
                        .find_map(|end| resolution.named(&text[..end]).map(|e| (e, end)));
                    if let Some((e, end)) = found {
                        speaker.entity = Some(entities::entity_id(e));
                        speaker.name = resolution.entities[e].name.clone();
                        speaker.mention.text = text[..end].to_string();
                        speaker.mention.end = speaker.mention.start + end;
                    }
                }
                if quote.speaker.is_none() {
                    quote.speaker = colon_speaker(&resolution, title, quote.start);
                    if quote.speaker.is_some() {
                        quote.cue = Some(":".to_string());
                    }
                }
                quotes.push(quote);
            }
        }
        let events = events::find(
            &doc,
            &resolution,
            &events::Context {
                published,
                gazetteer: self.gazetteer.as_ref(),
                countries: match &self.gazetteer {
                    Some(g) => g.countries(),
                    None => builtin_countries(),
                },
            },
        );
        let mut x = Extraction {
            entities: resolution.to_model(&doc),
            quotes,
            events,
        };
        events::pronouns_in_quotes(&mut x);
        x
    }
}

/// The entity a title names: one whose name is `text` or ends with it (a surname); only when
/// exactly one entity fits.
/// The speaker of a headline quote after "Name:" ("Vell: ‘We will rebuild’"), when the name
/// (one to four words before the title's first colon, the quotation right after it) is a
/// body entity's name or surname: the model often finds no name in a short headline.
fn colon_speaker(
    resolution: &entities::Resolution,
    title: &str,
    quote_start: usize,
) -> Option<sitrep_model::Speaker> {
    let colon = title.find(':')?;
    let between = title.get(colon + 1..quote_start)?;
    if !between
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '‘' | '«'))
    {
        return None;
    }
    let before = &title[..colon];
    let name = before.trim();
    let words = name.split_whitespace().count();
    if !(1..=4).contains(&words) {
        return None;
    }
    let e = resolution.named(name)?;
    let start = before.len() - before.trim_start().len();
    Some(sitrep_model::Speaker {
        entity: Some(entities::entity_id(e)),
        name: resolution.entities[e].name.clone(),
        mention: sitrep_model::Mention {
            text: name.to_string(),
            start,
            end: start + name.len(),
        },
    })
}
