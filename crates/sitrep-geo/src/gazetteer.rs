//! The gazetteer proper: loading `places.tsv`, looking names up, choosing among candidates.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::countries::Countries;
use crate::{GeoError, fold};

const ADMIN1_TABLE: &str = include_str!("../data/admin1.tsv");
const REGIONS_TABLE: &str = include_str!("../data/regions.tsv");

/// The file [`Gazetteer::load`] reads in its folder.
pub const PLACES_FILE: &str = "places.tsv";

/// What kind of place a [`Place`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A country or territory with an ISO code; coordinates of its capital.
    Country,
    /// A first-level division or a region: the United States' states (coordinates of their
    /// cities' population-weighted mean) and the team's regions (`data/regions.tsv`: "Crimea",
    /// "Gaza Strip", "Scotland"; rough centres).
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
    /// Population (0 when unknown; for a state, the team's figure in `data/admin1.tsv`).
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

/// Every name key of every place, in one string, sorted for binary search: a few bytes a name
/// rather than a map entry and an allocation each.
#[derive(Debug, Clone, Default)]
struct Index {
    arena: String,
    scratch: String,
    keys: Vec<Key>,
}

/// A name key: its first 8 bytes (big-endian, so that integer order is byte order), where the
/// whole key lies in the arena, the place and whether it is the place's own name. Sorted by
/// key then place.
#[derive(Debug, Clone, Copy)]
struct Key {
    prefix: u64,
    start: u32,
    end: u32,
    place: u32,
    primary: bool,
}

fn prefix(key: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = key.len().min(8);
    bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

impl Index {
    /// Adds the key of `name` followed by `suffix` (nothing for a name without letters or
    /// digits).
    fn push(&mut self, name: &str, suffix: &str, place: u32, primary: bool) -> Result<(), ()> {
        let start = self.arena.len();
        fold::key_into(name, &mut self.scratch, &mut self.arena);
        if self.arena.len() == start {
            return Ok(());
        }
        self.arena.push_str(suffix);
        let key = &self.arena[start..];
        self.keys.push(Key {
            prefix: prefix(key),
            start: u32::try_from(start).map_err(|_| ())?,
            end: u32::try_from(self.arena.len()).map_err(|_| ())?,
            place,
            primary,
        });
        Ok(())
    }

    fn key(&self, k: &Key) -> &str {
        &self.arena[k.start as usize..k.end as usize]
    }

    /// Sorts the keys and merges duplicates (a place named twice under one key is primary if
    /// either is).
    fn finish(&mut self) {
        let mut keys = std::mem::take(&mut self.keys);
        keys.sort_unstable_by(|a, b| {
            a.prefix
                .cmp(&b.prefix)
                .then_with(|| self.key(a).cmp(self.key(b)))
                .then(a.place.cmp(&b.place))
        });
        let mut out: Vec<Key> = Vec::with_capacity(keys.len());
        for k in keys {
            match out.last_mut() {
                Some(last) if last.place == k.place && self.key(last) == self.key(&k) => {
                    last.primary |= k.primary
                }
                _ => out.push(k),
            }
        }
        out.shrink_to_fit();
        self.arena.shrink_to_fit();
        self.scratch = String::new();
        self.keys = out;
    }

    fn get(&self, key: &str) -> Vec<Entry> {
        let p = prefix(key);
        let first = self
            .keys
            .partition_point(|k| (k.prefix, self.key(k)) < (p, key));
        self.keys[first..]
            .iter()
            .take_while(|k| self.key(k) == key)
            .map(|k| Entry {
                place: k.place,
                primary: k.primary,
            })
            .collect()
    }

    fn distinct(&self) -> usize {
        let changes = self
            .keys
            .windows(2)
            .filter(|w| self.key(&w[0]) != self.key(&w[1]))
            .count();
        changes + usize::from(!self.keys.is_empty())
    }
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
    index: Index,
    /// Names that are no single place ("the Middle East").
    not_places: HashSet<String>,
    country_place: HashMap<String, u32>,
    /// Folded names and abbreviations of first-level divisions: (country, code).
    states: HashMap<String, (String, String)>,
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
        let mut index = Index::default();
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
            let too_big = |_| bad(n + 1, "the names exceed 4 GiB".into());
            index.push(cols[1], "", id, true).map_err(too_big)?;
            // "New York" for "New York City" is as good as its own name.
            let short = cols[1]
                .strip_suffix(" City")
                .or_else(|| cols[1].strip_suffix(" city"));
            for alt in cols[7].split(';').filter(|a| !a.is_empty()) {
                let primary = short.is_some_and(|s| fold::key(s) == fold::key(alt));
                index.push(alt, "", id, primary).map_err(too_big)?;
            }
            if kind == PlaceKind::Admin1 {
                // "Washington state", "New York State".
                index.push(cols[1], " state", id, true).map_err(too_big)?;
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
        let not_places = add_regions(&mut places, &mut index)?;
        index.finish();
        let countries = Countries::builtin()?;
        let (states, populations) = divisions()?;
        for p in places.iter_mut().filter(|p| p.kind == PlaceKind::Admin1) {
            if let Some(&pop) = populations.get(&(p.country.clone(), p.admin1.clone())) {
                p.population = pop;
            }
        }
        Ok(Gazetteer {
            places,
            index,
            not_places,
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
        self.index.distinct()
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
            let key = fold::key(form);
            if self.not_places.contains(&key) {
                return Vec::new();
            }
            let mut found = if key.is_empty() {
                Vec::new()
            } else {
                self.index.get(&key)
            };
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
        if let Some((country, code)) = self.states.get(&key) {
            return Some(Qualifier::Admin1 {
                country: country.clone(),
                code: code.clone(),
            });
        }
        self.country_by_name(text)
            .map(|c| Qualifier::Country(c.to_string()))
    }
}

/// Adds the team's regions (`data/regions.tsv`) to the places; returns the folded names that
/// are no single place.
fn add_regions(places: &mut Vec<Place>, index: &mut Index) -> Result<HashSet<String>, GeoError> {
    let mut not_places = HashSet::new();
    for (n, line) in REGIONS_TABLE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let bad = |reason: &str| GeoError::Format {
            path: "data/regions.tsv".into(),
            line: n + 1,
            reason: reason.into(),
        };
        let cols: Vec<&str> = line.split('\t').collect();
        let name = cols.get(1).map_or("", |n| n.trim());
        if name.is_empty() {
            return Err(bad("no name"));
        }
        let aliases = cols.get(2).map_or("", |a| a.trim());
        let names: Vec<&str> = std::iter::once(name)
            .chain(aliases.split(';').filter(|a| !a.trim().is_empty()))
            .collect();
        if cols[0] == "-" {
            not_places.extend(names.iter().map(|n| fold::key(n)));
            continue;
        }
        let [country, _, _, lat, lon, population] = cols[..] else {
            return Err(bad("expected 6 tab-separated columns"));
        };
        if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad("the country is not an ISO-3 code"));
        }
        let (Ok(lat), Ok(lon), Ok(population)) = (lat.parse(), lon.parse(), population.parse())
        else {
            return Err(bad("bad coordinates or population"));
        };
        let id = u32::try_from(places.len()).map_err(|_| bad("too many places"))?;
        for (i, n) in names.iter().enumerate() {
            index
                .push(n, "", id, i == 0)
                .map_err(|_| bad("the names exceed 4 GiB"))?;
        }
        places.push(Place {
            name: name.to_string(),
            country: country.to_string(),
            admin1: String::new(),
            lat,
            lon,
            population,
            kind: PlaceKind::Admin1,
            capital: false,
        });
    }
    Ok(not_places)
}

/// Folded names and abbreviations of first-level divisions -> (country, code).
type Divisions = HashMap<String, (String, String)>;
/// (country, code) -> population.
type Populations = HashMap<(String, String), u64>;

/// The team's table of first-level divisions (`data/admin1.tsv`).
fn divisions() -> Result<(Divisions, Populations), GeoError> {
    let mut states = HashMap::new();
    let mut populations = HashMap::new();
    for (n, line) in ADMIN1_TABLE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let bad = |reason: &str| GeoError::Format {
            path: "data/admin1.tsv".into(),
            line: n + 1,
            reason: reason.into(),
        };
        let cols: Vec<&str> = line.split('\t').collect();
        let [country, code, name, abbrevs, population] = cols[..] else {
            return Err(bad("expected 5 tab-separated columns"));
        };
        let population: u64 = population.parse().map_err(|_| bad("bad population"))?;
        let division = (country.to_string(), code.to_string());
        populations.insert(division.clone(), population);
        let mut names = vec![name];
        if code.bytes().all(|b| b.is_ascii_alphabetic()) {
            names.push(code);
        }
        names.extend(abbrevs.split(';'));
        for key in names.into_iter().map(fold::key).filter(|k| !k.is_empty()) {
            states.insert(key, division.clone());
        }
    }
    Ok((states, populations))
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

/// Bonus of a country over a city of the same population ("Mexico", "Kuwait").
const COUNTRY: f64 = 2.0;
/// Bonus of a capital ("Paris" in France, not in Texas; "Washington", not the state).
const CAPITAL: f64 = 1.5;
/// A state counts a little less than a city of its size ("New York" is the city).
const ADMIN1: f64 = -0.5;
/// Bonus of a match by the place's own name over a former or foreign one (Pokrovsk is the
/// Ukrainian town, not Engels, once named so).
const OWN_NAME: f64 = 1.0;
/// Bonus of a place in a country the article mentions: worth a 300-fold population (St.
/// Petersburg, Florida, in an American article), less than a capital's lead of more
/// (Moscow stays in Russia, London in England).
const IN_CONTEXT: f64 = 2.5;

/// How likely a candidate is: log10 of the population plus the bonuses above.
fn score(p: &Place, primary: bool, ctx: &Context) -> f64 {
    let mut s = (p.population as f64 + 1.0).log10();
    s += match p.kind {
        PlaceKind::Country => COUNTRY,
        PlaceKind::Admin1 => ADMIN1,
        PlaceKind::City if p.capital => CAPITAL,
        PlaceKind::City => 0.0,
    };
    if primary {
        s += OWN_NAME;
    }
    if ctx.countries.contains(&p.country) {
        s += IN_CONTEXT;
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
