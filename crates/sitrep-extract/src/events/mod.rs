//! Who did what to whom, when and where: political events in the PLOVER ontology.
//!
//! - [`lexicon`]: the trigger words and their PLOVER type, CAMEO code and mode.
//! - [`detect`]: event mentions in the parse: trigger, source and target spans, negation,
//!   modality, and the main event of a sentence.
//! - [`when`]: date expressions ("on Tuesday", "last week") resolved against the publication date.
//! - [`numbers`]: counts in text ("at least 34", "dozens") and the casualties and sizes they give.

pub mod detect;
pub mod lexicon;
pub mod numbers;
pub mod when;
