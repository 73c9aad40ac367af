//! The gazetteer proper: loading `places.tsv`, looking names up, choosing among candidates.

use std::collections::HashMap;
use std::path::Path;

use crate::countries::Countries;
use crate::{GeoError, fold};

const US_STATES: &str = include_str!("../data/us-states.tsv");

/// The file [`Gazetteer::load`] reads in its folder.
pub const PLACES_FILE: &str = "places.tsv";

/// What kind of place a [`Place`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A country or territory with an ISO code; coordinates of its capital.
    Country,
    /// A first-level division (the United States' states); coordinates of its cities'
    /// population-weighted mean.
    Admin1,
    /// A city, town or village.
    City,
}

/// A place with its country and coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The gazetteer's name ("Saint Petersburg", "Kyiv").
    pub name: String,
    /// ISO 3166-1 alpha-3 code of the country.
    pub country: String,
    /// The first-level division's code in GeoNames ("TX" for Texas); empty for countries.
    pub admin1: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Population (0 when unknown; for a state, the sum of its listed cities).
    pub population: u64,
    pub kind: PlaceKind,
    /// A country's capital city.
    pub capital: bool,
}

/// What the article tells about where it is: the countries it mentions, as ISO-3 codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub countries: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    place: u32,
    /// Matched by the place's own name (not an alternate name).
    primary: bool,
}

/// A qualifier after a comma ("Paris, Texas", "Tripoli, Lebanon").
enum Qualifier {
    Country(String),
    Admin1 { country: String, code: String },
}

/// The loaded gazetteer: places, their names, the team's country table.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    places: Vec<Place>,
    index: HashMap<String, Vec<Entry>>,
    country_place: HashMap<String, u32>,
    states: HashMap<String, String>,
    countries: Countries,
}

impl Gazetteer {
    /// Loads `places.tsv` from `dir` (as `scripts/fetch-models` writes it into `models/geo`).
    /// A missing or malformed file is an error naming the file, the line and the reason.
    pub fn load(dir: &Path) -> Result<Gazetteer, GeoError> {
        let path = dir.join(PLACES_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| GeoError::Io {
            path: path.clone(),
            source,
        })?;
        Gazetteer::parse(&text, &path)
    }

    /// Builds the gazetteer from the text of a `places.tsv`; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Gazetteer, GeoError> {
        let bad = |line: usize, reason: String| GeoError::Format {
            path: path.to_path_buf(),
            line,
            reason,
        };
        let mut places = Vec::new();
        let mut index: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut country_place = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 8 {
                return Err(bad(
                    n + 1,
                    format!("expected 8 tab-separated columns, found {}", cols.len()),
                ));
            }
            let (kind, capital) = match cols[0] {
                "country" => (PlaceKind::Country, false),
                "admin1" => (PlaceKind::Admin1, false),
                "capital" => (PlaceKind::City, true),
                "city" => (PlaceKind::City, false),
                k => return Err(bad(n + 1, format!("unknown kind {k:?}"))),
            };
            let number = |col: usize, what: &str| -> Result<f64, GeoError> {
                cols[col]
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(n + 1, format!("{what} {:?} is not a number", cols[col])))
            };
            let lat = number(4, "latitude")?;
            let lon = number(5, "longitude")?;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(bad(n + 1, format!("coordinates {lat}, {lon} out of range")));
            }
            let population = cols[6]
                .parse::<u64>()
                .map_err(|_| bad(n + 1, format!("population {:?} is not a number", cols[6])))?;
            let country = cols[2];
            if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(bad(
                    n + 1,
                    format!("country {country:?} is not an ISO-3 code"),
                ));
            }
            if cols[1].trim().is_empty() {
                return Err(bad(n + 1, "empty name".into()));
            }
            let id =
                u32::try_from(places.len()).map_err(|_| bad(n + 1, "too many places".into()))?;
            let mut add = |name: &str, primary: bool| {
                let key = fold::key(name);
                if key.is_empty() {
                    return;
                }
                let entries = index.entry(key).or_default();
                match entries.iter_mut().find(|e| e.place == id) {
                    Some(e) => e.primary |= primary,
                    None => entries.push(Entry { place: id, primary }),
                }
            };
            add(cols[1], true);
            for alt in cols[7].split(';').filter(|a| !a.is_empty()) {
                add(alt, false);
            }
            if kind == PlaceKind::Country {
                country_place.entry(country.to_string()).or_insert(id);
            }
            places.push(Place {
                name: cols[1].to_string(),
                country: country.to_string(),
                admin1: cols[3].to_string(),
                lat,
                lon,
                population,
                kind,
                capital,
            });
        }
        if places.is_empty() {
            return Err(bad(0, "no places".into()));
        }
        let countries = Countries::builtin()?;
        let mut states = HashMap::new();
        for p in places
            .iter()
            .filter(|p| p.kind == PlaceKind::Admin1 && p.country == "USA")
        {
            states.insert(fold::key(&p.name), p.admin1.clone());
        }
        for (n, line) in US_STATES.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (code, abbrevs) = line.split_once('\t').ok_or_else(|| GeoError::Format {
                path: "data/us-states.tsv".into(),
                line: n + 1,
                reason: "expected a code, a tab and abbreviations".into(),
            })?;
            states.insert(fold::key(code), code.to_string());
            for a in abbrevs.split(';') {
                states.insert(fold::key(a), code.to_string());
            }
        }
        Ok(Gazetteer {
            places,
            index,
            country_place,
            states,
            countries,
        })
    }

    /// The team's table of countries and organisations.
    pub fn countries(&self) -> &Countries {
        &self.countries
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are no places (never true for a loaded gazetteer).
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Number of distinct names (keys) places can be looked up by.
    pub fn names(&self) -> usize {
        self.index.len()
    }

    /// Every place a name may denote, by its own or an alternate name (case, diacritics,
    /// periods, "St."/"Saint", a leading "the" and a possessive "'s" do not matter), or by the
    /// team's aliases of countries ("U.S.", "Britain"). Most likely first, without context.
    pub fn lookup(&self, name: &str) -> Vec<&Place> {
        let mut found = self.candidates(name);
        rank(&mut found, &self.places, &Context::default());
        found
            .iter()
            .map(|e| &self.places[e.place as usize])
            .collect()
    }

    /// The place a name most likely denotes in an article: among the candidates of
    /// [`lookup`](Self::lookup), those that match a qualifier after a comma ("Paris, Texas",
    /// "Tripoli, Lebanon", "St. Petersburg, Fla."); then by score: countries mentioned in the
    /// article, population, and class (country > capital > city; a state counts a little less
    /// than a city of the same size, so "New York" and "Washington" are cities). `None` for
    /// unknown names, for a known qualifier that no candidate matches, and for an unknown
    /// qualifier when more than one candidate remains.
    pub fn resolve(&self, name: &str, ctx: &Context) -> Option<Place> {
        let mut found = self.candidates(name);
        if found.is_empty() {
            let (head, qualifier) = name.rsplit_once(',')?;
            found = self.candidates(head);
            match self.qualifier(qualifier) {
                Some(q) => found.retain(|e| q.matches(&self.places[e.place as usize])),
                None if found.len() > 1 => return None,
                None => {}
            }
        }
        rank(&mut found, &self.places, ctx);
        found.first().map(|e| self.places[e.place as usize].clone())
    }

    /// The ISO-3 code of a country's name: the team's names and aliases ("the United States",
    /// "U.S."), then the gazetteer's country names ("Burkina Faso").
    pub fn country_by_name(&self, name: &str) -> Option<&str> {
        if let Some(code) = self.countries.country_by_name(name) {
            return Some(code);
        }
        self.candidates(name)
            .into_iter()
            .map(|e| &self.places[e.place as usize])
            .find(|p| p.kind == PlaceKind::Country)
            .map(|p| p.country.as_str())
    }

    /// The ISO-3 code of the country of an adjective or demonym ("Russian" -> "RUS").
    pub fn country_of_adjective(&self, adjective: &str) -> Option<&str> {
        self.countries.country_of_adjective(adjective)
    }

    /// The country place of an ISO-3 code.
    pub fn country(&self, code: &str) -> Option<&Place> {
        self.country_place
            .get(code)
            .map(|&i| &self.places[i as usize])
    }

    fn candidates(&self, name: &str) -> Vec<Entry> {
        let mut forms = vec![name];
        if let Some(s) = fold::strip_possessive(name) {
            forms.push(s);
        }
        for form in forms {
            let mut found: Vec<Entry> = self
                .index
                .get(&fold::key(form))
                .cloned()
                .unwrap_or_default();
            if let Some(&id) = self
                .countries
                .country_by_name(form)
                .and_then(|code| self.country_place.get(code))
            {
                match found.iter_mut().find(|e| e.place == id) {
                    Some(e) => e.primary = true,
                    None => found.push(Entry {
                        place: id,
                        primary: true,
                    }),
                }
            }
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn qualifier(&self, text: &str) -> Option<Qualifier> {
        let key = fold::key(text);
        if let Some(code) = self.states.get(&key) {
            return Some(Qualifier::Admin1 {
                country: "USA".into(),
                code: code.clone(),
            });
        }
        self.country_by_name(text)
            .map(|c| Qualifier::Country(c.to_string()))
    }
}

impl Qualifier {
    fn matches(&self, p: &Place) -> bool {
        match self {
            Qualifier::Country(c) => p.country == *c && p.kind != PlaceKind::Country,
            Qualifier::Admin1 { country, code } => {
                p.country == *country && p.admin1 == *code && p.kind == PlaceKind::City
            }
        }
    }
}

/// How likely a candidate is: log10 of the population, plus 2 for a country, 1.5 for a
/// capital, -0.5 for a state, 1 when matched by its own name, 3 when its country is in the
/// article. Examples: Paris (France) beats Paris (Texas) even in an American article; Saint
/// Petersburg (Florida) beats Saint Petersburg (Russia) in one.
fn score(p: &Place, primary: bool, ctx: &Context) -> f64 {
    let mut s = (p.population as f64 + 1.0).log10();
    s += match p.kind {
        PlaceKind::Country => 2.0,
        PlaceKind::Admin1 => -0.5,
        PlaceKind::City if p.capital => 1.5,
        PlaceKind::City => 0.0,
    };
    if primary {
        s += 1.0;
    }
    if ctx.countries.contains(&p.country) {
        s += 3.0;
    }
    s
}

/// Sorts candidates best first; ties keep the file's order.
fn rank(found: &mut [Entry], places: &[Place], ctx: &Context) {
    found.sort_by(|a, b| {
        let sa = score(&places[a.place as usize], a.primary, ctx);
        let sb = score(&places[b.place as usize], b.primary, ctx);
        sb.total_cmp(&sa).then(a.place.cmp(&b.place))
    });
}
