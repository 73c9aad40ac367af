//! In-article entity resolution: the named-entity mentions of the analysis grouped into
//! entities, each with a canonical name, a type, roles, and every mention (names, surnames,
//! pronouns, descriptions) with its byte span.
//!
//! 1. Name mentions are the NER spans without edge punctuation, a leading "the" or a trailing
//!    possessive. Titles the model put inside a person's span ("President", "Sen.") move to
//!    the roles. Where the model disagrees with itself: a name opening with a listed given
//!    name, or ending with a word typed PERSON elsewhere, is a person's ("Marta Olvenk" typed
//!    ORG); a name opening with an earlier person's surname is that surname ("Warhol
//!    Polaroid"), and so is "Biden's war" typed ORG. Surnames and unshared given names of the
//!    people named in full are mentions where the model tagged nothing.
//! 2. People: full names (two words or more) found anywhere in the article make the entities;
//!    a shorter mention joins the one whose name ends with it (a surname, "Leavitt"), or
//!    starts with it, preferring the most recent; a surname the model typed ORG or GPE joins
//!    a person all the same. Other types group by their normalised text, country aliases
//!    folded ("U.S." = "United States"); an entity's type is its mentions' majority.
//! 3. Roles: the words before a name that modify it ("White House Press Secretary Karoline
//!    Leavitt", "Russian President Vladimir Putin") and appositions ("Steve Witkoff, the US
//!    Special Envoy to the Middle East"), kept once ("President" adds nothing to "Russian
//!    President"). An apposition's noun is also a description mention of the person
//!    ("Orlund's envoy, Piet Varnholm": "envoy"), without the other names it holds.
//! 4. Pronouns (he/him/his/himself, she/her/hers/herself) join the nearest person before them
//!    in the last three sentences whose gender does not clash (gender from titles, the
//!    team's list of given names `data/first-names.tsv`, and earlier pronouns), subjects of
//!    the sentence preferred. Right after a quotation distances count from where it opened
//!    and names inside it are no antecedents; a pronoun inside a quotation may take one. An
//!    object "him"/"her" is never its own clause's subject ("he would meet Olm and talk to
//!    him").
//!    "I", "we" and "they" are never resolved (first person in a quotation is its speaker's,
//!    which the quote stage knows).
//! 5. Definite descriptions ("the president", "the Home Secretary": "the", at most two
//!    modifiers and a noun of `data/role-nouns.txt`; inside quotations too) join the most recent entity one of whose
//!    roles is headed by that noun ("US Special Envoy to the Middle East" -> "envoy"), only
//!    when a single entity so far has such a role (two presidents: "the president" is left).
//! 6. Seats of power and capitals used for their state ("the Kremlin", "Washington") keep
//!    their own entity and name the state in `stands_for` (`data/seats-of-power.tsv`): the
//!    place is still a place ("talks in Moscow"), and the link says whom it speaks for.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use sitrep_nlp::Doc;

/// How an entity is mentioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    /// A proper name ("Karoline Leavitt", "Leavitt", "the Kremlin" as written).
    Name,
    /// A personal pronoun ("she", "him").
    Pronoun,
    /// A definite description ("the president", "the envoy").
    Description,
}

/// One mention: tokens `tokens` and bytes `start..end` of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityMention {
    pub tokens: Range<usize>,
    pub start: usize,
    pub end: usize,
    pub kind: MentionKind,
}

/// One entity of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEntity {
    /// The fullest name the article gives ("Karoline Leavitt").
    pub name: String,
    /// OntoNotes type ("PERSON", "ORG", "GPE", ...).
    pub kind: String,
    /// Titles and roles the article gives it ("White House Press Secretary").
    pub roles: Vec<String>,
    /// Every mention, in text order.
    pub mentions: Vec<EntityMention>,
    /// The state a seat of power or capital stands for ("the Kremlin" -> "Russia").
    pub stands_for: Option<String>,
}

/// The entities of one article, and which entity each token's mention belongs to.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub entities: Vec<ResolvedEntity>,
    token_entity: Vec<Option<usize>>,
}

impl Resolution {
    /// Builds the token index from the entities' mentions (`n_tokens` tokens in the doc).
    pub fn new(entities: Vec<ResolvedEntity>, n_tokens: usize) -> Self {
        let mut token_entity = vec![None; n_tokens];
        for (e, entity) in entities.iter().enumerate() {
            for m in &entity.mentions {
                for slot in token_entity.get_mut(m.tokens.clone()).into_iter().flatten() {
                    *slot = Some(e);
                }
            }
        }
        Resolution {
            entities,
            token_entity,
        }
    }

    /// The entity whose mention covers token `token`, if any.
    pub fn entity_at(&self, token: usize) -> Option<usize> {
        self.token_entity.get(token).copied().flatten()
    }

    /// The one entity whose name is `text` or ends with it as its last words ("Vell" for
    /// "Orla Vell"); none when no entity or several fit.
    pub fn named(&self, text: &str) -> Option<usize> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let ending = format!(" {text}");
        let mut fits = self
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.name == text || e.name.ends_with(&ending));
        match (fits.next(), fits.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// The contract's form: ids `e1`, `e2`, ... in order of first mention.
    pub fn to_model(&self, doc: &Doc) -> Vec<sitrep_model::Entity> {
        self.entities
            .iter()
            .enumerate()
            .map(|(i, e)| sitrep_model::Entity {
                id: entity_id(i),
                name: e.name.clone(),
                kind: e.kind.clone(),
                roles: e.roles.clone(),
                stands_for: e.stands_for.clone(),
                mentions: e
                    .mentions
                    .iter()
                    .map(|m| sitrep_model::Mention {
                        text: doc.text[m.start..m.end].to_string(),
                        start: m.start,
                        end: m.end,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The contract id of entity `index`.
pub fn entity_id(index: usize) -> String {
    format!("e{}", index + 1)
}

/// Titles that can stand before a name (lowercase, without a final full stop), besides the
/// [`PERSONAL_TITLES`]: these also open names of bodies ("General", "State", "Press").
const TITLES: &[&str] = &[
    "vice",
    "prime",
    "secretary",
    "gen",
    "general",
    "colonel",
    "maj",
    "major",
    "captain",
    "adm",
    "admiral",
    "miss",
    "lord",
    "lady",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "rev",
    "judge",
    "justice",
    "chancellor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chairman",
    "chairwoman",
    "chief",
    "speaker",
    "commander",
    "former",
    "foreign",
    "defence",
    "defense",
    "deputy",
    "special",
    "state",
    "press",
    "presidential",
    "sheikh",
    "emir",
    "sultan",
    "crown",
    "supreme",
    "leader",
    "premier",
    "inspector",
    "superintendent",
    "lieutenant",
    "sergeant",
    "cardinal",
];

/// Whether a lowercased word is a title that can stand before a name.
fn is_title(word: &str) -> bool {
    TITLES.contains(&word) || PERSONAL_TITLES.contains(&word)
}

const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "miss", "sir", "dame", "mx"];

const MALE_TITLES: &[&str] = &["mr", "sir", "lord", "king", "prince", "sheikh", "emir"];
const FEMALE_TITLES: &[&str] = &["mrs", "ms", "miss", "dame", "lady", "queen", "princess"];

/// Last words that make a name a place or a body even after a given name ("Victoria
/// Station", "Jackson Foundation").
const NON_PERSON_HEADS: &[&str] = &[
    "street",
    "road",
    "avenue",
    "square",
    "station",
    "airport",
    "bridge",
    "park",
    "river",
    "lake",
    "island",
    "islands",
    "bay",
    "county",
    "city",
    "hall",
    "house",
    "center",
    "centre",
    "hospital",
    "school",
    "college",
    "university",
    "institute",
    "foundation",
    "fund",
    "trust",
    "party",
    "group",
    "company",
    "corporation",
    "corp",
    "inc",
    "ltd",
    "bank",
    "council",
    "committee",
    "ministry",
    "agency",
    "museum",
    "church",
    "cathedral",
    "stadium",
    "arena",
    "prize",
    "award",
    "cup",
    "league",
    "club",
    "times",
    "post",
    "news",
    "falls",
    "mountains",
];

/// Given names and the gender they mark (`data/first-names.tsv`).
const FIRST_NAMES: &str = include_str!("../data/first-names.tsv");
/// Seats of power and capitals, and the state they stand for (`data/seats-of-power.tsv`).
const SEATS_OF_POWER: &str = include_str!("../data/seats-of-power.tsv");
/// Nouns naming a person by office or role (`data/role-nouns.txt`).
const ROLE_NOUNS: &str = include_str!("../data/role-nouns.txt");

/// The rows of a team data file: lines without comments or blanks, split at tabs.
fn rows(data: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    data.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

/// The gender a given name marks, if the list has it.
fn first_name_gender(name: &str) -> Option<Gender> {
    static TABLE: OnceLock<HashMap<&'static str, Gender>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        rows(FIRST_NAMES)
            .filter_map(|r| match r.as_slice() {
                [n, "m"] => Some((*n, Gender::Male)),
                [n, "f"] => Some((*n, Gender::Female)),
                _ => None,
            })
            .collect()
    });
    table.get(name.to_lowercase().as_str()).copied()
}

/// The state a seat of power or capital stands for ("kremlin" -> "Russia"); `name` lowercase
/// without a leading "the".
fn seat_state(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        rows(SEATS_OF_POWER)
            .filter_map(|r| match r.as_slice() {
                [seat, state] => Some((*seat, *state)),
                _ => None,
            })
            .collect()
    });
    table.get(name).copied()
}

/// Whether a lowercase noun names a person by office or role ("president", "envoy").
fn is_role_noun(noun: &str) -> bool {
    static TABLE: OnceLock<Vec<&'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            rows(ROLE_NOUNS)
                .filter_map(|r| r.first().copied())
                .collect()
        })
        .contains(&noun)
}

/// Common short and long forms of states and unions, and the name they are given.
const ALIASES: &[(&str, &str)] = &[
    ("u.s.", "United States"),
    ("us", "United States"),
    ("usa", "United States"),
    ("u.s.a.", "United States"),
    ("united states", "United States"),
    ("united states of america", "United States"),
    ("america", "United States"),
    ("uk", "United Kingdom"),
    ("u.k.", "United Kingdom"),
    ("britain", "United Kingdom"),
    ("great britain", "United Kingdom"),
    ("united kingdom", "United Kingdom"),
    ("eu", "European Union"),
    ("e.u.", "European Union"),
    ("european union", "European Union"),
    ("un", "United Nations"),
    ("u.n.", "United Nations"),
    ("united nations", "United Nations"),
    ("russian federation", "Russia"),
    ("uae", "United Arab Emirates"),
    ("u.a.e.", "United Arab Emirates"),
    ("prc", "China"),
    ("dprk", "North Korea"),
];

/// The name an alias stands for ("U.S." -> "United States").
fn canonical(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    ALIASES.iter().find(|(a, _)| *a == lower).map(|(_, c)| *c)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

fn lower_word(w: &str) -> String {
    w.trim_end_matches('.').to_lowercase()
}

fn is_word(doc: &Doc, i: usize) -> bool {
    doc.token_text(i).chars().any(char::is_alphanumeric)
}

/// A name mention before grouping.
struct NameMention {
    tokens: Range<usize>,
    label: String,
    /// The name's words (titles removed).
    words: Vec<String>,
    titles: Vec<String>,
}

/// Resolves the entities of one analysed body.
pub fn resolve(doc: &Doc) -> Resolution {
    let n = doc.tokens.len();
    if n == 0 {
        return Resolution::default();
    }
    let quoted = quoted_tokens(doc);
    let mut mentions = name_mentions(doc);
    mentions.extend(untagged_name_parts(doc, &mentions));
    mentions.sort_by_key(|m| m.tokens.start);
    trim_surname_led_names(doc, &mut mentions);

    // People: full names first, then the shorter mentions.
    let mut entities: Vec<ResolvedEntity> = Vec::new();
    let mut words_of: Vec<Vec<String>> = Vec::new();
    let mut gender: Vec<Option<Gender>> = Vec::new();
    let mut assigned: Vec<Option<usize>> = vec![None; mentions.len()];
    for (k, m) in mentions.iter().enumerate() {
        if m.label != "PERSON" || m.words.len() < 2 {
            continue;
        }
        let existing = (0..entities.len()).find(|&e| {
            entities[e].kind == "PERSON"
                && (words_of[e] == m.words || ends_with(&words_of[e], &m.words))
        });
        let e = existing.unwrap_or_else(|| {
            entities.push(new_entity(m.words.join(" "), "PERSON"));
            words_of.push(m.words.clone());
            gender.push(None);
            entities.len() - 1
        });
        // A longer form of the name becomes the name ("Trump" < "Donald Trump").
        if m.words.len() > words_of[e].len() && ends_with(&m.words, &words_of[e]) {
            words_of[e] = m.words.clone();
            entities[e].name = m.words.join(" ");
        }
        assigned[k] = Some(e);
    }
    for (k, m) in mentions.iter().enumerate() {
        if assigned[k].is_some() || m.words.is_empty() {
            continue;
        }
        // A surname (or given name) of a known person, whatever the model typed it.
        let person_like = m.label == "PERSON" || m.words.len() == 1;
        let candidates: Vec<usize> = (0..entities.len())
            .filter(|&e| {
                entities[e].kind == "PERSON"
                    && person_like
                    && m.words.len() < words_of[e].len()
                    && (ends_with(&words_of[e], &m.words) || starts_with(&words_of[e], &m.words))
            })
            .collect();
        // The most recent one mentioned before, else the first.
        let before = candidates
            .iter()
            .copied()
            .filter(|&e| {
                entities[e]
                    .mentions
                    .iter()
                    .any(|x| x.tokens.start < m.tokens.start)
                    || mentions
                        .iter()
                        .zip(&assigned)
                        .any(|(x, a)| *a == Some(e) && x.tokens.start < m.tokens.start)
            })
            .max_by_key(|&e| {
                mentions
                    .iter()
                    .zip(&assigned)
                    .filter(|(x, a)| **a == Some(e) && x.tokens.start < m.tokens.start)
                    .map(|(x, _)| x.tokens.start)
                    .max()
                    .unwrap_or(0)
            });
        if let Some(e) = before.or(candidates.first().copied()) {
            assigned[k] = Some(e);
            continue;
        }
        // Others group by their normalised text (country aliases folded: "U.S." = "United
        // States") and type family.
        let text = m.words.join(" ");
        let key = canonical(&text).map_or_else(|| text.to_lowercase(), str::to_lowercase);
        let existing = (0..entities.len()).find(|&e| {
            let name = words_of[e].join(" ");
            canonical(&name).map_or_else(|| name.to_lowercase(), str::to_lowercase) == key
                && same_family(&entities[e].kind, &m.label)
        });
        let e = existing.unwrap_or_else(|| {
            let name = canonical(&text).map_or(text.clone(), str::to_string);
            entities.push(new_entity(name.clone(), &m.label));
            words_of.push(name.split(' ').map(str::to_string).collect());
            gender.push(None);
            entities.len() - 1
        });
        assigned[k] = Some(e);
    }

    // Mentions, roles, gender from titles and first names.
    let mut labels: Vec<HashMap<String, usize>> = vec![HashMap::new(); entities.len()];
    let mut described: Vec<(usize, Range<usize>)> = Vec::new();
    for (m, a) in mentions.iter().zip(&assigned) {
        let Some(e) = *a else { continue };
        *labels[e].entry(m.label.clone()).or_default() += 1;
        entities[e].mentions.push(EntityMention {
            tokens: m.tokens.clone(),
            start: doc.tokens[m.tokens.start].start,
            end: doc.tokens[m.tokens.end - 1].end,
            kind: MentionKind::Name,
        });
        for t in &m.titles {
            let lower = lower_word(t);
            if MALE_TITLES.contains(&lower.as_str()) {
                gender[e] = Some(Gender::Male);
            } else if FEMALE_TITLES.contains(&lower.as_str()) {
                gender[e] = Some(Gender::Female);
            }
        }
        let (roles, descriptions) = roles_of(doc, m.tokens.clone(), &m.titles);
        for role in roles {
            push_role(&mut entities[e].roles, role);
        }
        for d in descriptions {
            if mentions
                .iter()
                .all(|x| x.tokens.end <= d.start || d.end <= x.tokens.start)
            {
                described.push((e, d));
            }
        }
    }
    for e in 0..entities.len() {
        // The type most mentions carry (a surname typed ORG does not make a person an ORG).
        if entities[e].kind != "PERSON"
            && let Some((label, _)) = labels[e]
                .iter()
                .max_by_key(|(l, c)| (**c, l.as_str() == "PERSON", std::cmp::Reverse(l.as_str())))
        {
            entities[e].kind = label.clone();
        }
        if gender[e].is_none() && entities[e].kind == "PERSON" {
            let first = words_of[e]
                .first()
                .map(|w| w.to_lowercase())
                .unwrap_or_default();
            gender[e] = first_name_gender(&first);
        }
        let lower = entities[e].name.to_lowercase();
        let bare = lower.strip_prefix("the ").unwrap_or(&lower);
        if entities[e].kind != "PERSON" {
            entities[e].stands_for = seat_state(bare).map(str::to_string);
        }
    }

    // Appositions describing a person are mentions of them ("Orlund's envoy, Piet Varnholm").
    described.sort_by_key(|(_, d)| (d.start, d.end));
    described.dedup_by_key(|(_, d)| d.start);
    for (e, d) in described {
        if entities[e].kind == "PERSON" {
            entities[e].mentions.push(EntityMention {
                start: doc.tokens[d.start].start,
                end: doc.tokens[d.end - 1].end,
                tokens: d,
                kind: MentionKind::Description,
            });
        }
    }
    let mut resolution = Resolution::new(entities, n);
    link_pronouns_and_descriptions(doc, &mut resolution, &mut gender, &quoted);
    for e in &mut resolution.entities {
        e.mentions.sort_by_key(|m| m.start);
    }
    // Entities in order of first mention (ids e1, e2, ... follow the text).
    let mut order: Vec<usize> = (0..resolution.entities.len()).collect();
    order.sort_by_key(|&e| {
        resolution.entities[e]
            .mentions
            .first()
            .map_or(usize::MAX, |m| m.start)
    });
    let entities: Vec<ResolvedEntity> = order
        .into_iter()
        .map(|e| resolution.entities[e].clone())
        .filter(|e| !e.mentions.is_empty())
        .collect();
    Resolution::new(entities, n)
}

fn new_entity(name: String, kind: &str) -> ResolvedEntity {
    ResolvedEntity {
        name,
        kind: kind.to_string(),
        roles: Vec::new(),
        mentions: Vec::new(),
        stands_for: None,
    }
}

fn ends_with(long: &[String], short: &[String]) -> bool {
    short.len() <= long.len() && long[long.len() - short.len()..] == *short
}

fn starts_with(long: &[String], short: &[String]) -> bool {
    short.len() <= long.len() && long[..short.len()] == *short
}

/// Types that can name the same thing (a place typed GPE once and LOC once).
fn same_family(a: &str, b: &str) -> bool {
    let family = |t: &str| match t {
        "GPE" | "LOC" | "FAC" | "NORP" => "place",
        "ORG" => "org",
        other => match other {
            "PERSON" => "person",
            _ => "other",
        },
    };
    a == b
        || family(a) == family(b)
        || (family(a) != "other" && family(b) != "other" && a != "PERSON" && b != "PERSON")
}

/// The NER's spans as name mentions: no edge punctuation, no leading "the", no possessive;
/// a person's titles split off. Numbers, dates and amounts are not entities here.
fn name_mentions(doc: &Doc) -> Vec<NameMention> {
    let mut out = Vec::new();
    for ent in &doc.entities {
        if !matches!(
            ent.label.as_str(),
            "PERSON"
                | "ORG"
                | "GPE"
                | "LOC"
                | "NORP"
                | "FAC"
                | "EVENT"
                | "LAW"
                | "PRODUCT"
                | "WORK_OF_ART"
        ) {
            continue;
        }
        let mut r = ent.tokens.clone();
        while r.start < r.end && !is_word(doc, r.start) {
            r.start += 1;
        }
        while r.end > r.start
            && (!is_word(doc, r.end - 1) || matches!(doc.token_text(r.end - 1), "'s" | "’s"))
        {
            r.end -= 1;
        }
        if r.start < r.end && doc.token_text(r.start).eq_ignore_ascii_case("the") {
            r.start += 1;
        }
        if r.start >= r.end {
            continue;
        }
        let mut label = ent.label.as_str();
        if label == "ORG" && titled_name(doc, r.clone()) {
            label = "PERSON";
        }
        let mut titles = Vec::new();
        let mut name_start = r.start;
        if label == "PERSON" {
            while name_start + 1 < r.end && is_title(&lower_word(doc.token_text(name_start))) {
                titles.push(doc.token_text(name_start).to_string());
                name_start += 1;
            }
        }
        let words: Vec<String> = (name_start..r.end)
            .filter(|&i| is_word(doc, i))
            .map(|i| doc.token_text(i).to_string())
            .collect();
        out.push(NameMention {
            tokens: r,
            label: label.to_string(),
            words,
            titles,
        });
    }
    out
}

/// Titles that only ever stand before a person's name ("Councillor Ansel Dorn"), unlike
/// the rest of [`TITLES`].
const PERSONAL_TITLES: &[&str] = &[
    "president",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "councillor",
    "councilor",
    "councilman",
    "councilwoman",
    "congressman",
    "congresswoman",
    "assemblyman",
    "assemblywoman",
    "commissioner",
    "sheriff",
    "minister",
    "ambassador",
    "envoy",
    "dr",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "sir",
    "dame",
    "rabbi",
    "bishop",
    "archbishop",
    "sgt",
    "capt",
    "col",
    "lt",
];

/// Whether the NER's span `r` (typed ORG) is a personal title and a name of one to three
/// capitalised words, none of them a head that names a place or body ("Councillor Ansel
/// Dorn", but not "Mayor's Office" or "Senator Hotel Group").
fn titled_name(doc: &Doc, r: Range<usize>) -> bool {
    let words: Vec<&str> = r
        .filter(|&i| is_word(doc, i))
        .map(|i| doc.token_text(i))
        .collect();
    let Some((title, name)) = words.split_first() else {
        return false;
    };
    PERSONAL_TITLES.contains(&lower_word(title).as_str())
        && (1..=3).contains(&name.len())
        && name.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '.' || c == '\'')
                && !NON_PERSON_HEADS.contains(&w.to_lowercase().as_str())
                && !matches!(
                    w.to_lowercase().as_str(),
                    "office"
                        | "department"
                        | "court"
                        | "union"
                        | "commission"
                        | "service"
                        | "board"
                        | "police"
                        | "government"
                        | "administration"
                        | "cabinet"
                        | "hotel"
                        | "fc"
                        | "ministries"
                        | "offices"
                )
        })
}

/// A "name" that starts with the surname of a person named in full before it ("Warhol
/// Polaroid" after "Andy Warhol") is that person's surname and a thing: the mention keeps the
/// surname only, unless that word is a known given name.
fn trim_surname_led_names(doc: &Doc, mentions: &mut [NameMention]) {
    for k in 0..mentions.len() {
        let m = &mentions[k];
        if m.label != "PERSON" || m.words.len() < 2 || !m.titles.is_empty() {
            continue;
        }
        let first = m.words[0].clone();
        let earlier = mentions[..k].iter().any(|x| {
            x.label == "PERSON"
                && x.words.len() >= 2
                && x.words.last() == Some(&first)
                && x.words != m.words
        });
        let start = m.tokens.start;
        if earlier && first_name_gender(&first).is_none() && doc.token_text(start) == first {
            let m = &mut mentions[k];
            m.tokens = start..start + 1;
            m.words.truncate(1);
        }
    }
    // A name the model typed otherwise is a person's when it opens with a listed given name
    // ("Marta Olvenk" as ORG) or ends with a word the model calls a person elsewhere.
    let person_words: Vec<String> = mentions
        .iter()
        .filter(|m| m.label == "PERSON" && m.words.len() == 1)
        .map(|m| m.words[0].clone())
        .collect();
    for m in mentions.iter_mut() {
        if m.label == "PERSON" || !(2..=3).contains(&m.words.len()) {
            continue;
        }
        let capitalised = m
            .words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
        let last = m.words.last().map(|w| w.to_lowercase()).unwrap_or_default();
        let given = first_name_gender(&m.words[0]).is_some()
            && !NON_PERSON_HEADS.contains(&last.as_str())
            && canonical(&m.words.join(" ")).is_none()
            && seat_state(&m.words.join(" ").to_lowercase()).is_none();
        if capitalised
            && matches!(
                m.label.as_str(),
                "ORG" | "GPE" | "NORP" | "LOC" | "FAC" | "PRODUCT"
            )
            && (given || m.words.last().is_some_and(|w| person_words.contains(w)))
        {
            m.label = "PERSON".to_string();
        }
    }
    // "Biden's war" typed ORG: a person's surname with a possessive opening another name is
    // the person.
    let surnames: Vec<String> = mentions
        .iter()
        .filter(|m| m.label == "PERSON")
        .filter_map(|m| m.words.last().cloned())
        .collect();
    for m in mentions.iter_mut() {
        let start = m.tokens.start;
        if m.label != "PERSON"
            && m.tokens.len() >= 3
            && matches!(doc.token_text(start + 1), "'s" | "’s")
            && surnames.iter().any(|s| s == doc.token_text(start))
        {
            m.tokens = start..start + 1;
            m.words = vec![doc.token_text(start).to_string()];
            m.label = "PERSON".to_string();
        }
    }
}

/// Surnames (and given names only one person has) of the people named in full, where the
/// model tagged no entity: a capitalised proper-noun token spelled like that part of the name
/// ("Montalvo" after "Daniel Montalvo").
fn untagged_name_parts(doc: &Doc, mentions: &[NameMention]) -> Vec<NameMention> {
    let full: Vec<&[String]> = mentions
        .iter()
        .filter(|m| m.label == "PERSON" && m.words.len() >= 2)
        .map(|m| m.words.as_slice())
        .collect();
    let mut parts: Vec<&str> = Vec::new();
    for words in &full {
        if let Some(last) = words.last() {
            parts.push(last);
        }
        let first = words[0].as_str();
        let shared = full
            .iter()
            .any(|w| w[0] != words[0] && w.iter().any(|x| x == first))
            || full.iter().any(|w| w[0] == first && w[1..] != words[1..]);
        if !shared {
            parts.push(first);
        }
    }
    parts.retain(|p| p.chars().count() >= 3 && p.chars().next().is_some_and(char::is_uppercase));
    let mut out = Vec::new();
    for (i, t) in doc.tokens.iter().enumerate() {
        if !t.ent_type.is_empty() || !t.tag.starts_with("NNP") {
            continue;
        }
        let text = doc.token_text(i);
        if !parts.contains(&text) {
            continue;
        }
        // Part of a longer unrecognised name ("Montalvo Street") is not the person.
        let proper = |k: usize| {
            doc.tokens[k].tag.starts_with("NNP")
                && is_word(doc, k)
                && !is_title(&lower_word(doc.token_text(k)))
        };
        if (i > 0 && proper(i - 1)) || (i + 1 < doc.tokens.len() && proper(i + 1)) {
            continue;
        }
        out.push(NameMention {
            tokens: i..i + 1,
            label: "PERSON".to_string(),
            words: vec![text.to_string()],
            titles: Vec::new(),
        });
    }
    out
}

/// Roles from the words modifying a name before it and from its appositions.
fn roles_of(doc: &Doc, name: Range<usize>, titles: &[String]) -> (Vec<String>, Vec<Range<usize>>) {
    let mut roles = Vec::new();
    let mut descriptions = Vec::new();
    let head = (name.clone())
        .find(|&i| !name.contains(&doc.tokens[i].head) || doc.tokens[i].head == i)
        .unwrap_or(name.end - 1);
    // Pre-modifiers: a run of words right before the name, each depending on a word of the
    // run or the name ("White House Press Secretary", "Russian President").
    let mut start = name.start;
    while start > 0 {
        let i = start - 1;
        let t = &doc.tokens[i];
        let inside = t.head >= i && t.head < name.end && t.head != i;
        if !inside
            || !matches!(
                t.dep.as_str(),
                "compound" | "amod" | "nmod" | "npadvmod" | "punct" | "nummod"
            )
            || t.ent_type.as_str() == "PERSON"
            || doc.text[t.end..doc.tokens[i + 1].start].contains('\n')
        {
            break;
        }
        start = i;
    }
    while start < name.start && !is_word(doc, start) {
        start += 1;
    }
    let mut pre = String::new();
    if start < name.start {
        pre = doc.text[doc.tokens[start].start..doc.tokens[name.start - 1].end].to_string();
    }
    // Honorifics are no roles ("Mr.").
    let title_text = titles
        .iter()
        .filter(|t| !HONORIFICS.contains(&lower_word(t).as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let role = match (pre.is_empty(), title_text.is_empty()) {
        (false, false) => format!("{pre} {title_text}"),
        (false, true) => pre,
        (true, false) => title_text,
        (true, true) => String::new(),
    };
    if role
        .split_whitespace()
        .any(|w| w.chars().next().is_some_and(char::is_alphabetic))
    {
        roles.push(role);
    }
    // The name as apposition of a noun ("Orlund's envoy, Piet Varnholm,"): that noun phrase.
    let h = doc.tokens[head].head;
    if doc.tokens[head].dep.as_str() == "appos"
        && h < name.start
        && doc.tokens[h].tag.starts_with("NN")
        && !doc.tokens[h].tag.starts_with("NNP")
    {
        let mut lo = h;
        while lo > 0 && descends(doc, lo - 1, h) && h - lo < 8 {
            lo -= 1;
        }
        while lo < h
            && matches!(
                doc.token_text(lo).to_lowercase().as_str(),
                "the" | "a" | "an"
            )
        {
            lo += 1;
        }
        roles.push(doc.text[doc.tokens[lo].start..doc.tokens[h].end].to_string());
        descriptions.extend(description_span(doc, lo, h));
    }
    // Appositions: ", the US Special Envoy to the Middle East,".
    for (c, t) in doc.tokens.iter().enumerate() {
        if t.head != head
            || t.dep.as_str() != "appos"
            || c == head
            || t.ent_type.as_str() == "PERSON"
        {
            continue;
        }
        let mut lo = c;
        let mut hi = c + 1;
        for (k, u) in doc.tokens.iter().enumerate().skip(head + 1).take(40) {
            if descends(doc, k, c) {
                lo = lo.min(k);
                hi = hi.max(k + 1);
            }
            let _ = u;
        }
        while lo < hi
            && (!is_word(doc, lo)
                || doc.token_text(lo).eq_ignore_ascii_case("the")
                || doc.token_text(lo).eq_ignore_ascii_case("a")
                || doc.token_text(lo).eq_ignore_ascii_case("an"))
        {
            lo += 1;
        }
        while hi > lo && !is_word(doc, hi - 1) {
            hi -= 1;
        }
        if hi > lo && hi - lo <= 12 {
            roles.push(doc.text[doc.tokens[lo].start..doc.tokens[hi - 1].end].to_string());
            if matches!(t.tag.as_str(), "NN" | "NNS") && lo <= c {
                descriptions.extend(description_span(doc, lo, c));
            }
        }
    }
    (roles, descriptions)
}

/// The words of an apposition that describe the person, as a mention: from `lo` to the noun
/// `head`, without the other names it holds ("Orlund's envoy" -> "envoy", "the US Special
/// Envoy" -> "Special Envoy"), so that each token stays one entity's.
fn description_span(doc: &Doc, lo: usize, head: usize) -> Option<Range<usize>> {
    let mut start = lo;
    while start < head
        && (!doc.tokens[start].ent_type.is_empty()
            || !is_word(doc, start)
            || matches!(doc.token_text(start), "'s" | "’s"))
    {
        start += 1;
    }
    // Captions ("Image: Piet Varnholm") are no descriptions.
    let caption = matches!(
        doc.token_text(head).to_lowercase().as_str(),
        "image" | "photo" | "picture" | "video" | "file" | "credit" | "source"
    ) || doc
        .tokens
        .get(head + 1)
        .is_some_and(|t| doc.text[t.start..t.end] == *":");
    if caption || !doc.tokens[head].ent_type.is_empty() || !doc.tokens[head].tag.starts_with("NN") {
        return None;
    }
    if (start..head).any(|k| !doc.tokens[k].ent_type.is_empty()) {
        start = head;
    }
    Some(start..head + 1)
}

/// The noun a role is named by, lowercase: its last word before a preposition ("US Special
/// Envoy to the Middle East" -> "envoy", "curator of the exhibit" -> "curator").
fn role_head(role: &str) -> Option<String> {
    role.split_whitespace()
        .take_while(|w| {
            !matches!(
                *w,
                "of" | "to" | "for" | "at" | "in" | "on" | "from" | "with" | "and" | "("
            )
        })
        .last()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
}

fn descends(doc: &Doc, mut a: usize, b: usize) -> bool {
    for _ in 0..64 {
        if a == b {
            return true;
        }
        let h = doc.tokens[a].head;
        if h == a {
            return false;
        }
        a = h;
    }
    false
}

fn push_role(roles: &mut Vec<String>, role: String) {
    let role = role.trim().trim_matches(',').trim().to_string();
    if role
        .split_whitespace()
        .all(|w| HONORIFICS.contains(&lower_word(w).as_str()))
    {
        return;
    }
    // "President" adds nothing to "Russian President": a role whose words end another's is
    // kept once, in its longer form.
    let words = |r: &str| -> Vec<String> { r.split_whitespace().map(str::to_lowercase).collect() };
    let new = words(&role);
    if roles.iter().any(|r| ends_with(&words(r), &new)) {
        return;
    }
    if let Some(k) = roles.iter().position(|r| ends_with(&new, &words(r))) {
        roles[k] = role;
        return;
    }
    roles.push(role);
}

/// Tokens inside double quotation marks (paired per line).
fn quoted_tokens(doc: &Doc) -> Vec<bool> {
    let mut inside = vec![false; doc.tokens.len()];
    let mut open = false;
    let mut last_line_end = 0;
    for (i, t) in doc.tokens.iter().enumerate() {
        if doc.text[last_line_end..t.start].contains('\n') {
            open = false;
        }
        last_line_end = t.end;
        let text = doc.token_text(i);
        let marks = text
            .chars()
            .filter(|c| matches!(c, '"' | '“' | '”' | '«' | '»'))
            .count();
        if marks > 0 && text.chars().all(|c| !c.is_alphanumeric()) {
            open = match text {
                "“" | "«" => true,
                "”" | "»" => false,
                _ => !open,
            };
            continue;
        }
        inside[i] = open;
    }
    inside
}

/// The subject of the clause a token is in: up its heads through verbs without a subject of
/// their own (xcomp, conj, prepositions), stopping at a clause boundary.
fn clause_subject(doc: &Doc, i: usize) -> Option<usize> {
    let mut k = doc.tokens[i].head;
    for _ in 0..24 {
        let subject = doc
            .tokens
            .iter()
            .enumerate()
            .skip(k.saturating_sub(40))
            .take(80)
            .find(|(c, t)| {
                *c != k && t.head == k && matches!(t.dep.as_str(), "nsubj" | "nsubjpass")
            })
            .map(|(c, _)| c);
        if subject.is_some() {
            return subject;
        }
        let t = &doc.tokens[k];
        if t.head == k
            || matches!(
                t.dep.as_str(),
                "ccomp" | "advcl" | "relcl" | "acl" | "parataxis" | "ROOT" | "csubj"
            )
        {
            return None;
        }
        k = t.head;
    }
    None
}

fn pronoun_gender(word: &str) -> Option<Gender> {
    match word.to_lowercase().as_str() {
        "he" | "him" | "his" | "himself" => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" => Some(Gender::Female),
        _ => None,
    }
}

/// Pronouns and definite descriptions joined to the entities before them.
fn link_pronouns_and_descriptions(
    doc: &Doc,
    resolution: &mut Resolution,
    gender: &mut [Option<Gender>],
    quoted: &[bool],
) {
    let sentence_of: Vec<usize> = {
        let mut s = vec![0; doc.tokens.len()];
        for (k, sent) in doc.sentences.iter().enumerate() {
            for slot in &mut s[sent.tokens.clone()] {
                *slot = k;
            }
        }
        s
    };
    // Person mentions seen so far: (token, entity, is subject).
    let mut seen: Vec<(usize, usize, bool)> = Vec::new();
    let mut added: Vec<(usize, EntityMention)> = Vec::new();
    for i in 0..doc.tokens.len() {
        if let Some(e) = resolution.entity_at(i) {
            let ent = &resolution.entities[e];
            if ent.kind == "PERSON"
                && (i + 1 == doc.tokens.len() || resolution.entity_at(i + 1) != Some(e))
            {
                let subject = matches!(doc.tokens[i].dep.as_str(), "nsubj" | "nsubjpass");
                seen.push((i, e, subject));
            }
            continue;
        }
        let word = doc.token_text(i);
        if let Some(g) = pronoun_gender(word) {
            // Right after a quotation ("“…,” he wrote"), distances count from where the
            // quotation opened, and names inside quotations are no antecedents. Inside a
            // quotation ("“He will sign,” she said") they are.
            let inside = quoted[i];
            let mut k = i;
            while !inside && k > 0 && (quoted[k - 1] || !is_word(doc, k - 1)) {
                k -= 1;
            }
            let s = sentence_of[k];
            // An object pronoun is not its own clause's subject ("Trump said he would meet
            // Putin and talk to him").
            let barred = if matches!(word.to_lowercase().as_str(), "him" | "her")
                && matches!(doc.tokens[i].dep.as_str(), "dobj" | "pobj" | "dative")
            {
                clause_subject(doc, i)
                    .and_then(|subj| seen.iter().rev().find(|x| x.0 == subj).map(|x| x.1))
            } else {
                None
            };
            let fits = |&&(t, e, _): &&(usize, usize, bool)| {
                sentence_of[t] + 3 >= s
                    && (inside || !quoted[t])
                    && gender[e].is_none_or(|x| x == g)
                    && barred != Some(e)
            };
            // The main clause's subject in this or the previous sentence first, then any
            // subject there, else the nearest.
            let recent = |t: usize| sentence_of[t] + 1 >= s;
            let main_subject = |t: usize| {
                let h = doc.tokens[t].head;
                h == t || doc.tokens[h].dep.as_str() == "ROOT"
            };
            let choice = seen
                .iter()
                .rev()
                .filter(fits)
                .find(|(t, _, subj)| *subj && recent(*t) && main_subject(*t))
                .or_else(|| {
                    seen.iter()
                        .rev()
                        .filter(fits)
                        .find(|(t, _, subj)| *subj && recent(*t))
                })
                .or_else(|| seen.iter().rev().find(fits))
                .or_else(|| {
                    // Farther back (a quote running over paragraphs), only a person whose
                    // gender is known to match.
                    seen.iter().rev().find(|&&(t, e, _)| {
                        sentence_of[t] + 8 >= s
                            && (inside || !quoted[t])
                            && gender[e] == Some(g)
                            && barred != Some(e)
                    })
                })
                .map(|&(_, e, _)| e);
            if let Some(e) = choice {
                gender[e] = Some(g);
                added.push((
                    e,
                    EntityMention {
                        tokens: i..i + 1,
                        start: doc.tokens[i].start,
                        end: doc.tokens[i].end,
                        kind: MentionKind::Pronoun,
                    },
                ));
                let subject = matches!(doc.tokens[i].dep.as_str(), "nsubj" | "nsubjpass");
                seen.push((i, e, subject));
            }
            continue;
        }
        // "the president", "the Home Secretary": "the", at most two modifiers and a listed
        // role noun that heads one of an entity's roles.
        let noun = word.to_lowercase();
        let the = (1..=3)
            .filter_map(|back| i.checked_sub(back))
            .take_while(|&k| {
                doc.token_text(k).eq_ignore_ascii_case("the")
                    || (doc.tokens[k].head == i
                        && matches!(doc.tokens[k].dep.as_str(), "compound" | "amod"))
            })
            .find(|&k| doc.token_text(k).eq_ignore_ascii_case("the"));
        if doc.tokens[i].tag.starts_with("NN")
            && is_role_noun(&noun)
            && let Some(the) = the
            && (the..i).all(|k| resolution.entity_at(k).is_none())
        {
            // Only when one entity so far carries the role: with a US and a Russian
            // president, "the president" is left alone.
            let mut holders: Vec<usize> = seen
                .iter()
                .map(|&(_, e, _)| e)
                .filter(|&e| {
                    resolution.entities[e]
                        .roles
                        .iter()
                        .any(|r| role_head(r).is_some_and(|h| h == noun))
                })
                .collect();
            holders.sort_unstable();
            holders.dedup();
            if let [e] = holders[..] {
                added.push((
                    e,
                    EntityMention {
                        tokens: the..i + 1,
                        start: doc.tokens[the].start,
                        end: doc.tokens[i].end,
                        kind: MentionKind::Description,
                    },
                ));
                let subject = matches!(doc.tokens[i].dep.as_str(), "nsubj" | "nsubjpass");
                seen.push((i, e, subject));
            }
        }
    }
    if added.is_empty() {
        return;
    }
    for (e, m) in added {
        resolution.entities[e].mentions.push(m);
    }
    let entities = std::mem::take(&mut resolution.entities);
    *resolution = Resolution::new(entities, doc.tokens.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_fold_to_one_name() {
        assert_eq!(canonical("U.S."), Some("United States"));
        assert_eq!(canonical("US"), Some("United States"));
        assert_eq!(canonical("Britain"), Some("United Kingdom"));
        assert_eq!(canonical("Velstad"), None);
    }
}
