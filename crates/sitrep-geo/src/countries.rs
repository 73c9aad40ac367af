//! The team's table of countries and intergovernmental organisations as news text names them
//! (`data/countries.tsv`): names and aliases, adjectives and demonyms, metonyms. Event coding
//! uses it to give an actor its country ("Russian forces" -> RUS, "the Kremlin" -> RUS,
//! "NATO" -> IGO).

use std::collections::HashMap;

use crate::GeoError;
use crate::fold;

const TABLE: &str = include_str!("../data/countries.tsv");

/// The code of intergovernmental organisations (not countries) in the table.
pub const IGO: &str = "IGO";

/// How a term names its country or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// Its name or an alias ("Russia", "Russian Federation", "U.S.").
    Name,
    /// An adjective or demonym ("Russian", "Russians").
    Adjective,
    /// A capital or seat of power standing for the state ("Moscow", "the Kremlin").
    Metonym,
}

/// A country or organisation a term stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// ISO 3166-1 alpha-3 code, or [`IGO`] for an intergovernmental organisation.
    pub code: &'a str,
    /// The canonical name ("United States", "NATO").
    pub name: &'a str,
    /// False for intergovernmental organisations.
    pub is_country: bool,
    /// How the term names it.
    pub via: Via,
}

#[derive(Debug, Clone)]
struct Row {
    code: String,
    name: String,
}

#[derive(Debug, Clone, Copy)]
struct Term {
    row: u32,
    via: Via,
    /// Short acronyms ("US", "WHO", "CAR") match only when written in capitals.
    caps_only: bool,
}

/// The countries-and-organisations table.
#[derive(Debug, Clone)]
pub struct Countries {
    rows: Vec<Row>,
    terms: HashMap<String, Vec<Term>>,
}

impl Countries {
    /// The team's table compiled into the crate.
    pub fn builtin() -> Result<Countries, GeoError> {
        Countries::parse(TABLE, "data/countries.tsv")
    }

    /// Parses a table in the format of `data/countries.tsv`; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Countries, GeoError> {
        let mut rows = Vec::new();
        let mut terms: HashMap<String, Vec<Term>> = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let bad = |reason: String| GeoError::Format {
                path: origin.into(),
                line: n + 1,
                reason,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 2 || cols.len() > 5 {
                return Err(bad(format!(
                    "expected 2 to 5 tab-separated columns, found {}",
                    cols.len()
                )));
            }
            let code = cols[0].trim();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(bad(format!("code {code:?} is not three capital letters")));
            }
            let name = cols[1].trim();
            if name.is_empty() {
                return Err(bad("empty name".into()));
            }
            let row = u32::try_from(rows.len()).map_err(|_| bad("too many rows".into()))?;
            rows.push(Row {
                code: code.into(),
                name: name.into(),
            });
            let lists = [(Via::Name, 2), (Via::Adjective, 3), (Via::Metonym, 4)];
            let mut add = |term: &str, via: Via| {
                let key = fold::key(term);
                if key.is_empty() {
                    return;
                }
                let caps_only = fold::letters(term) <= 3 && fold::all_caps(term);
                terms.entry(key).or_default().push(Term {
                    row,
                    via,
                    caps_only,
                });
            };
            add(name, Via::Name);
            for (via, col) in lists {
                for term in cols.get(col).unwrap_or(&"").split(';') {
                    add(term.trim(), via);
                }
            }
        }
        if rows.is_empty() {
            return Err(GeoError::Format {
                path: origin.into(),
                line: 0,
                reason: "no rows".into(),
            });
        }
        Ok(Countries { rows, terms })
    }

    /// What a term stands for: name first, then adjective, then metonym ("Russian" ->
    /// RUS by adjective, "Brussels" -> the European Union by metonym). Case, diacritics,
    /// periods, a leading "the" and a possessive "'s" do not matter, except that acronyms of
    /// three letters or fewer must be in capitals ("US", not "us").
    pub fn actor(&self, term: &str) -> Option<Actor<'_>> {
        self.find(term, |_| true)
    }

    /// The ISO-3 code of the country a name or alias stands for ("the United States", "U.S.",
    /// "Britain"); `None` for organisations and unknown names.
    pub fn country_by_name(&self, name: &str) -> Option<&str> {
        self.find(name, |t| t.via == Via::Name)
            .filter(|a| a.is_country)
            .map(|a| a.code)
    }

    /// The ISO-3 code of the country of an adjective or demonym ("Russian", "Israelis").
    pub fn country_of_adjective(&self, adjective: &str) -> Option<&str> {
        self.find(adjective, |t| t.via == Via::Adjective)
            .filter(|a| a.is_country)
            .map(|a| a.code)
    }

    /// Every (code, canonical name) of the table, in its order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rows.iter().map(|r| (r.code.as_str(), r.name.as_str()))
    }

    /// The canonical name of a code ("RUS" -> "Russia"); the first row for [`IGO`].
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.as_str())
    }

    fn find(&self, term: &str, keep: impl Fn(&Term) -> bool) -> Option<Actor<'_>> {
        let mut forms = vec![term];
        if let Some(s) = fold::strip_possessive(term) {
            forms.push(s);
        }
        for form in forms {
            let caps = fold::all_caps(form);
            let Some(found) = self.terms.get(&fold::key(form)) else {
                continue;
            };
            let best = found
                .iter()
                .filter(|t| keep(t) && (!t.caps_only || caps))
                .min_by_key(|t| (t.via, t.row));
            if let Some(t) = best {
                let row = &self.rows[t.row as usize];
                return Some(Actor {
                    code: &row.code,
                    name: &row.name,
                    is_country: row.code != IGO,
                    via: t.via,
                });
            }
        }
        None
    }
}
