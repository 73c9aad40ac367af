//! Streaming story clustering: articles into **stories** (one real-world event: who, what,
//! where, when) and stories into **threads** (the longer-running storyline).
//!
//! Inputs: [`ArticleFeatures`], built from sitrep's own output
//! ([`ArticleFeatures::from_record`]) or from plain text ([`ArticleFeatures::from_text`]).
//! Output: an [`Assignment`] per article, and [`Clusterer::stories`].
//!
//! How: each article is compared with the aggregated profiles (centroids) of candidate stories
//! found through an inverted index of rare features (entities, places, rare words, numbers),
//! never with all stories; similarity is a weighted mean of idf-weighted cosines per signal
//! (words, entities, places, event types with actors, numbers), lowered when both sides name
//! different years, death tolls or event dates (a second earthquake is another story). Document
//! frequencies are counted online. A story takes articles published within `window_days` of
//! its span; a closed story's thread still takes new stories. A merge pass (every
//! `merge_every` articles and on [`Clusterer::consolidate`]) joins stories that became similar,
//! and a split pass bisects a story whose articles form two groups the merge pass would keep
//! apart (two instances of one topic joined while young), and a reassignment pass moves single
//! articles that joined the wrong story early (own story left one out vs the best other story;
//! moves made best gain first against one state), so the result depends little on the order
//! articles come in. Both passes keep the profiles of open stories' articles. An
//! optional length factor (`Config::length_exponent`, off by default) asks more similarity of
//! long articles, which share more of a topic's words with related events.
//!
//! Invariants: no IO, no clock (time is the articles' publication dates), deterministic (fixed
//! hasher; ties broken by id), never panics on empty or odd input. State lives behind
//! [`StoryStore`] ([`MemoryStore`], the one implementation).
//!
//! Hooks for the next stages (not done here): [`Story::articles`] lists a story's article ids
//! for cross-article entity linking, quote and event merging and disagreements;
//! [`Story::entities`] counts each entity's articles by its in-article name (canonical
//! entities would replace the `PERSON:surname` folding in [`ArticleFeatures`]);
//! [`Clusterer::story_of`] / [`Clusterer::thread_of`] follow merges. `sitrep ingest` keeps
//! stored stories current by re-clustering the articles around new ones with a new clusterer,
//! which [`Clusterer::observe`]s earlier articles for the stream's document frequencies.
//!
//! ```
//! use sitrep_stories::{ArticleFeatures, Clusterer, Config};
//! let mut c = Clusterer::new(Config::default());
//! let a = c.add(&ArticleFeatures::from_text("a", "Flood waters swept through Velmora on Monday, the mayor of Velmora said.", None));
//! let b = c.add(&ArticleFeatures::from_text("b", "Velmora flood: waters swept the old town, the mayor said.", None));
//! assert_eq!(a.story, b.story);
//! assert!(a.new_story && !b.new_story);
//! ```

pub mod bcubed;
mod cluster;
pub mod consensus;
mod features;
mod state;

pub use cluster::{
    Assignment, Clusterer, Config, ProbeStats, StateStats, Story, StoryEntity, Weights,
};
pub use features::{ArticleFeatures, LEAD_WORDS};
pub use state::{
    ArticleEntry, FxHasher, FxMap, Kind, Level, MemoryStore, Postings, Profile, StoryId,
    StoryState, StoryStore, ThreadId, ThreadState, Vector,
};
