//! Coding an actor phrase: the entity it names, its country (ISO-3) and its sector
//! ("Russian forces" -> RUS military, "the Kremlin" -> RUS government, "NATO Secretary-General
//! Mark Rutte" -> IGO).

use std::ops::Range;

use sitrep_geo::Countries;
use sitrep_model::{Actor, Mention};
use sitrep_nlp::Doc;

use crate::entities::{Resolution, entity_id};

/// Words that give an actor's sector, by lowercase lemma or word. Checked on the phrase's head
/// first, then on its other words and the entity's roles.
const SECTORS: &[(&str, &[&str])] = &[
    (
        "military",
        &[
            "force",
            "forces",
            "troop",
            "troops",
            "army",
            "military",
            "soldier",
            "soldiers",
            "navy",
            "marine",
            "marines",
            "airforce",
            "warplane",
            "warplanes",
            "jet",
            "jets",
            "general",
            "commander",
            "battalion",
            "brigade",
            "division",
            "artillery",
            "drone",
            "drones",
            "missile",
            "missiles",
            "officer",
            "paratrooper",
            "defence",
            "defense",
            "peacekeeper",
            "peacekeepers",
            "airstrike",
            "airstrikes",
            "tank",
            "tanks",
        ],
    ),
    (
        "police",
        &[
            "police",
            "policeman",
            "policemen",
            "officers",
            "gendarmerie",
            "security",
        ],
    ),
    (
        "rebel",
        &[
            "rebel",
            "rebels",
            "militant",
            "militants",
            "insurgent",
            "insurgents",
            "separatist",
            "separatists",
            "guerrilla",
            "guerrillas",
            "militia",
            "militias",
            "jihadist",
            "jihadists",
            "gunman",
            "gunmen",
            "fighter",
            "fighters",
            "terrorist",
            "terrorists",
            "extremist",
            "extremists",
        ],
    ),
    (
        "judiciary",
        &[
            "court",
            "judge",
            "judges",
            "prosecutor",
            "prosecutors",
            "tribunal",
            "justice",
        ],
    ),
    (
        "legislature",
        &[
            "parliament",
            "congress",
            "senate",
            "senator",
            "lawmaker",
            "lawmakers",
            "legislator",
            "legislators",
            "duma",
            "assembly",
            "mp",
            "mps",
            "congressman",
            "congresswoman",
        ],
    ),
    (
        "government",
        &[
            "government",
            "ministry",
            "minister",
            "president",
            "premier",
            "chancellor",
            "king",
            "queen",
            "prince",
            "emir",
            "cabinet",
            "administration",
            "authorities",
            "official",
            "officials",
            "spokesman",
            "spokeswoman",
            "spokesperson",
            "envoy",
            "ambassador",
            "embassy",
            "diplomat",
            "diplomats",
            "secretary",
            "governor",
            "mayor",
            "kremlin",
            "state",
            "department",
            "regime",
            "leader",
            "leadership",
            "negotiator",
            "negotiators",
            "delegation",
            "consulate",
            "foreign",
        ],
    ),
    (
        "opposition",
        &[
            "opposition",
            "dissident",
            "dissidents",
            "activist",
            "activists",
        ],
    ),
    (
        "media",
        &[
            "journalist",
            "journalists",
            "reporter",
            "reporters",
            "newspaper",
            "broadcaster",
            "media",
            "agency",
        ],
    ),
    (
        "business",
        &[
            "company",
            "companies",
            "firm",
            "firms",
            "corporation",
            "bank",
            "banks",
            "investor",
            "investors",
            "business",
            "businesses",
            "exporter",
            "exporters",
        ],
    ),
    (
        "ngo",
        &[
            "charity",
            "ngo",
            "ngos",
            "red cross",
            "organisation",
            "organization",
            "group",
        ],
    ),
    (
        "civilian",
        &[
            "civilian",
            "civilians",
            "resident",
            "residents",
            "people",
            "protester",
            "protesters",
            "demonstrator",
            "demonstrators",
            "villager",
            "villagers",
            "refugee",
            "refugees",
            "worker",
            "workers",
            "student",
            "students",
            "child",
            "children",
            "family",
            "families",
            "citizen",
            "citizens",
            "crowd",
            "farmer",
            "farmers",
            "migrants",
            "hostage",
            "hostages",
            "prisoner",
            "prisoners",
        ],
    ),
];

/// Whether a noun names people, forces or institutions that can act ("troops", "officials",
/// "the government", "protesters").
pub fn is_actor_noun(word: &str) -> bool {
    sector_of_word(word).is_some_and(|s| s != "ngo")
        || matches!(
            word.to_lowercase().as_str(),
            "country"
                | "countries"
                | "nation"
                | "nations"
                | "side"
                | "sides"
                | "party"
                | "parties"
                | "alliance"
                | "coalition"
                | "union"
                | "bloc"
                | "council"
                | "committee"
                | "commission"
                | "organisation"
                | "organization"
                | "group"
                | "delegation"
                | "team"
                | "mission"
                | "man"
                | "woman"
                | "men"
                | "women"
                | "person"
                | "persons"
                | "member"
                | "members"
                | "ally"
                | "allies"
                | "partner"
                | "partners"
                | "counterpart"
                | "counterparts"
                | "neighbour"
                | "neighbor"
                | "opponent"
                | "opponents"
                | "critic"
                | "critics"
                | "supporter"
                | "supporters"
        )
}

/// The sector a word names, if any.
fn sector_of_word(word: &str) -> Option<&'static str> {
    let w = word.to_lowercase();
    SECTORS
        .iter()
        .find(|(_, words)| words.contains(&w.as_str()))
        .map(|(s, _)| *s)
}

/// Codes actors: needs the country table (compiled in, always available).
pub struct ActorCoder<'a> {
    pub countries: &'a Countries,
    /// For the country of a city or region named as an actor ("Sumy" -> UKR).
    pub gazetteer: Option<&'a sitrep_geo::Gazetteer>,
    pub context: &'a sitrep_geo::Context,
}

impl ActorCoder<'_> {
    /// The actor named by tokens `span` of `doc`, whose head is `head`.
    pub fn code(
        &self,
        doc: &Doc,
        resolution: &Resolution,
        span: Range<usize>,
        head: usize,
    ) -> Option<Actor> {
        let span = span.start.min(doc.tokens.len())..span.end.min(doc.tokens.len());
        if span.is_empty() {
            return None;
        }
        let start = doc.tokens[span.start].start;
        let end = doc.tokens[span.end - 1].end;
        let text = doc.text.get(start..end)?.to_string();
        // The entity: the head's, else the first entity inside the span.
        let entity = resolution
            .entity_at(head)
            .or_else(|| span.clone().find_map(|t| resolution.entity_at(t)));
        let resolved = entity.map(|e| &resolution.entities[e]);
        // A pronoun or a bare description with no entity is kept as written.
        let name = match resolved {
            Some(e) if resolution.entity_at(head) == entity => e.name.clone(),
            _ => text.clone(),
        };
        let country = self.country(doc, resolution, &span, resolved);
        let mut sector = sector_of_word(&doc.tokens[head].lemma)
            .or_else(|| sector_of_word(doc.token_text(head)));
        if country.as_deref() == Some(sitrep_geo::IGO) {
            sector = Some("igo");
        }
        if sector.is_none() {
            sector = span
                .clone()
                .filter(|&t| t != head)
                .find_map(|t| sector_of_word(doc.token_text(t)));
        }
        if sector.is_none()
            && let Some(e) = resolved
        {
            sector = e
                .roles
                .iter()
                .flat_map(|r| r.split_whitespace())
                .find_map(sector_of_word)
                .or_else(|| e.stands_for.as_ref().map(|_| "government"))
                .or_else(|| (e.kind == "GPE").then_some("government"));
        }
        Some(Actor {
            entity: entity.map(entity_id),
            name,
            country,
            sector: sector.map(str::to_string),
            mention: Some(Mention { text, start, end }),
        })
    }

    fn country(
        &self,
        doc: &Doc,
        resolution: &Resolution,
        span: &Range<usize>,
        resolved: Option<&crate::entities::ResolvedEntity>,
    ) -> Option<String> {
        let table = self.countries;
        if let Some(e) = resolved {
            if let Some(state) = &e.stands_for
                && let Some(c) = table.actor(state)
            {
                return Some(c.code.to_string());
            }
            if matches!(e.kind.as_str(), "GPE" | "ORG" | "NORP")
                && let Some(c) = table.actor(&e.name)
            {
                return Some(c.code.to_string());
            }
            if e.kind == "GPE"
                && let Some(g) = self.gazetteer
                && let Some(place) = g.resolve(&e.name, self.context)
            {
                return Some(place.country.clone());
            }
            for role in &e.roles {
                if let Some(c) = words_country(table, role) {
                    return Some(c);
                }
            }
        }
        // Words of the phrase: "Russian forces", "the U.S. envoy", "Kyiv's troops".
        let words: Vec<&str> = span.clone().map(|t| doc.token_text(t)).collect();
        for n in [3usize, 2, 1] {
            for w in words.windows(n) {
                let term = w.join(" ");
                if let Some(c) = table.actor(&term) {
                    return Some(c.code.to_string());
                }
            }
        }
        // A GPE entity inside the phrase ("the army of Mali").
        for t in span.clone() {
            if let Some(e) = resolution.entity_at(t)
                && resolution.entities[e].kind == "GPE"
                && let Some(c) = table.actor(&resolution.entities[e].name)
            {
                return Some(c.code.to_string());
            }
        }
        None
    }
}

/// The country named by one of the words of a role ("Russian President" -> RUS).
fn words_country(table: &Countries, role: &str) -> Option<String> {
    let words: Vec<&str> = role.split_whitespace().collect();
    for n in [3usize, 2, 1] {
        for w in words.windows(n) {
            if let Some(c) = table.actor(&w.join(" ")) {
                return Some(c.code.to_string());
            }
        }
    }
    None
}
