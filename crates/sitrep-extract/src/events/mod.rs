//! Who did what to whom, when and where: political events in the PLOVER ontology.
//!
//! - [`when`]: date expressions ("on Tuesday", "last week") resolved against the publication date.
//! - [`numbers`]: counts in text ("at least 34", "dozens") and the casualties and sizes they give.

pub mod numbers;
pub mod when;
