//! Linking the articles of one story: one canonical entity per person, organisation or place
//! across articles (name variants and transliterations: Zelensky / Zelenskyy / Zelenskiy), the
//! same quote reported by several outlets merged with all its sources and its wording variants,
//! the same event merged, and the **disagreements**: values that conflict for the same slot,
//! each with its article and span.
//!
//! Slots checked: a person's `role` ("former President" vs "US President"), the `speaker` of
//! one quote, an event's `killed` / `injured` figures (ranges and "at least" respected: 34 and
//! "more than 30" agree), its `date` and `place`, and the `counterpart` of a meeting or call
//! (who met the same person at the same time). Values that merely differ in detail ("US
//! President" vs "President", Kyiv vs Ukraine) are not disagreements. The same checks run
//! inside one article (a claim and its correction).

mod names;
mod positions;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sitrep_extract::events::numbers::{self, Count};
use sitrep_model::{
    ArticleRecord, Disagreement, Event, SourcedValue, StoryEntity, StoryEvent, StoryQuote,
};

pub use names::{name_key, same_name};

/// A story's articles linked together.
#[derive(Debug, Clone, Default)]
pub struct Linked {
    pub entities: Vec<StoryEntity>,
    pub quotes: Vec<StoryQuote>,
    pub events: Vec<StoryEvent>,
    pub disagreements: Vec<Disagreement>,
    /// Proposals and each party's positions on them over time.
    pub proposals: Vec<sitrep_model::Proposal>,
}

/// Where an article's entity went: `canon[(article index, entity id)]` = canonical index.
struct Canon {
    of: HashMap<(usize, String), usize>,
    names: Vec<String>,
    kinds: Vec<String>,
}

impl Canon {
    fn get(&self, article: usize, entity: Option<&String>) -> Option<usize> {
        entity.and_then(|e| self.of.get(&(article, e.clone())).copied())
    }
}

/// Links the articles of one story.
pub fn link(records: &[ArticleRecord]) -> Linked {
    let (canon, entities) = canonical_entities(records);
    let mut disagreements = Vec::new();
    disagreements.extend(role_disagreements(records, &canon));
    let (quotes, speaker_dis) = merge_quotes(records, &canon);
    disagreements.extend(speaker_dis);
    let (events, event_dis) = merge_events(records, &canon);
    disagreements.extend(event_dis);
    let proposals = positions::proposals(records, &canon);
    Linked {
        proposals,
        entities,
        quotes,
        events,
        disagreements,
    }
}

// ---------------------------------------------------------------- entities

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut x = x;
        while self.0[x] != r {
            let next = self.0[x];
            self.0[x] = r;
            x = next;
        }
        r
    }
    /// The groups, each in index order, in the order of their smallest member.
    fn groups(&mut self) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..self.0.len() {
            groups.entry(self.find(i)).or_default().push(i);
        }
        groups.into_values().collect()
    }

    /// Items `0..n` grouped by the transitive closure of `same`.
    fn cluster(n: usize, same: impl Fn(usize, usize) -> bool) -> Vec<Vec<usize>> {
        let mut uf = UnionFind((0..n).collect());
        for i in 0..n {
            for j in i + 1..n {
                if same(i, j) {
                    uf.union(i, j);
                }
            }
        }
        uf.groups()
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn canonical_entities(records: &[ArticleRecord]) -> (Canon, Vec<StoryEntity>) {
    // Every (article, entity) pair.
    let items: Vec<(usize, &sitrep_model::Entity)> = records
        .iter()
        .enumerate()
        .flat_map(|(a, r)| r.entities.iter().map(move |e| (a, e)))
        .collect();
    let mut uf = UnionFind((0..items.len()).collect());
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let (a, x) = items[i];
            let (b, y) = items[j];
            if a == b || !compatible_kinds(&x.kind, &y.kind) {
                continue;
            }
            if same_name(&x.name, &y.name, x.kind == "PERSON" || y.kind == "PERSON") {
                uf.union(i, j);
            }
        }
    }
    // A surname alone joins the one full name that ends with it.
    for i in 0..items.len() {
        let (_, x) = items[i];
        if x.name.split_whitespace().count() != 1 || x.kind != "PERSON" {
            continue;
        }
        let key = name_key(&x.name);
        let fits: BTreeSet<usize> = (0..items.len())
            .filter(|&j| {
                let (_, y) = items[j];
                y.kind == "PERSON"
                    && y.name.split_whitespace().count() > 1
                    && y.name
                        .split_whitespace()
                        .last()
                        .is_some_and(|l| name_key(l) == key)
            })
            .map(|j| uf.find(j))
            .collect();
        if fits.len() == 1
            && let Some(&root) = fits.iter().next()
        {
            uf.union(i, root);
        }
    }
    let groups = uf.groups();
    let mut canon = Canon {
        of: HashMap::new(),
        names: Vec::new(),
        kinds: Vec::new(),
    };
    let mut out = Vec::new();
    for members in &groups {
        let idx = out.len();
        // The fullest name (most words, then most mentions) is the canonical one.
        let best = members
            .iter()
            .max_by_key(|&&m| {
                let e = items[m].1;
                (e.name.split_whitespace().count(), e.mentions.len())
            })
            .map(|&m| items[m].1)
            .map_or(("", ""), |e| (e.name.as_str(), e.kind.as_str()));
        let mut variants: Vec<String> = members
            .iter()
            .map(|&m| items[m].1.name.clone())
            .filter(|n| n != best.0)
            .collect();
        variants.sort();
        variants.dedup();
        // A surname is a short form, not a variant spelling.
        variants.retain(|v| !best.0.ends_with(&format!(" {v}")));
        let articles: BTreeSet<usize> = members.iter().map(|&m| items[m].0).collect();
        for &m in members {
            canon.of.insert((items[m].0, items[m].1.id.clone()), idx);
        }
        canon.names.push(best.0.to_string());
        canon.kinds.push(best.1.to_string());
        out.push(StoryEntity {
            name: best.0.to_string(),
            kind: best.1.to_string(),
            articles: articles.len(),
            variants,
        });
    }
    (canon, out)
}

fn compatible_kinds(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (a, b),
            ("GPE", "LOC") | ("LOC", "GPE") | ("ORG", "GPE") | ("GPE", "ORG")
        )
}

// ---------------------------------------------------------------- roles

/// Words that make a role past, not present.
const PAST: &[&str] = &[
    "former",
    "ex",
    "ex-",
    "then",
    "late",
    "outgoing",
    "erstwhile",
    "previous",
];

fn role_words(role: &str) -> Vec<String> {
    role.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether two roles of one person contradict each other: the same office, one of them past
/// ("former President" vs "US President"), or of different countries ("Russian Foreign
/// Minister" vs "Ukrainian Foreign Minister").
pub fn roles_conflict(a: &str, b: &str, countries: &sitrep_geo::Countries) -> bool {
    let (wa, wb) = (role_words(a), role_words(b));
    let (Some(ha), Some(hb)) = (wa.last(), wb.last()) else {
        return false;
    };
    if ha != hb {
        return false;
    }
    let past_a = wa.iter().any(|w| PAST.contains(&w.as_str()));
    let past_b = wb.iter().any(|w| PAST.contains(&w.as_str()));
    if past_a != past_b {
        return true;
    }
    let country = |ws: &[String]| {
        ws.iter().find_map(|w| {
            countries
                .actor(w)
                .filter(|c| c.is_country)
                .map(|c| c.code.to_string())
        })
    };
    matches!((country(&wa), country(&wb)), (Some(x), Some(y)) if x != y)
}

fn role_disagreements(records: &[ArticleRecord], canon: &Canon) -> Vec<Disagreement> {
    let countries = sitrep_extract::builtin_countries();
    // Canonical person -> (role, sourced value).
    let mut roles: BTreeMap<usize, Vec<SourcedValue>> = BTreeMap::new();
    for (a, r) in records.iter().enumerate() {
        for e in &r.entities {
            let Some(c) = canon.get(a, Some(&e.id)) else {
                continue;
            };
            for role in &e.roles {
                let (start, end) = locate(&r.body, role, e.mentions.first().map(|m| m.start));
                roles.entry(c).or_default().push(SourcedValue {
                    value: role.clone(),
                    article: r.id.clone(),
                    start,
                    end,
                });
            }
        }
    }
    let mut out = Vec::new();
    for (c, values) in roles {
        let sourced: Vec<(&str, SourcedValue)> = values
            .iter()
            .map(|v| (v.value.as_str(), v.clone()))
            .collect();
        let picked = conflicting(&sourced, |x, y| roles_conflict(x, y, countries));
        if !picked.is_empty() {
            out.push(disagreement(&canon.names[c], "role", picked));
        }
    }
    out
}

/// The byte span of `text` in `body`: the occurrence nearest `near`, or the first.
fn locate(body: &str, text: &str, near: Option<usize>) -> (usize, usize) {
    let hits: Vec<usize> = body.match_indices(text).map(|(i, _)| i).collect();
    let best = match near {
        Some(n) => hits.iter().copied().min_by_key(|&i| i.abs_diff(n)),
        None => hits.first().copied(),
    };
    best.map_or((0, 0), |i| (i, i + text.len()))
}

/// The sourced values that conflict with at least one other, each once, in order.
fn conflicting<T>(
    items: &[(T, SourcedValue)],
    conflict: impl Fn(&T, &T) -> bool,
) -> Vec<SourcedValue> {
    let mut picked: Vec<SourcedValue> = Vec::new();
    for (i, (a, va)) in items.iter().enumerate() {
        for (b, vb) in &items[i + 1..] {
            if conflict(a, b) {
                for v in [va, vb] {
                    if !picked.contains(v) {
                        picked.push(v.clone());
                    }
                }
            }
        }
    }
    picked
}

fn disagreement(subject: &str, slot: &str, values: Vec<SourcedValue>) -> Disagreement {
    let articles: BTreeSet<&String> = values.iter().map(|v| &v.article).collect();
    Disagreement {
        subject: subject.to_string(),
        slot: slot.to_string(),
        within_article: articles.len() == 1,
        values,
    }
}

// ---------------------------------------------------------------- quotes

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

/// Whether two quoted texts are the same quote: one's words inside the other's, or most words
/// shared.
fn same_quote(a: &[String], b: &[String]) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return a == b && !a.is_empty();
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.windows(short.len()).any(|w| w == short) {
        return true;
    }
    let sa: BTreeSet<&String> = a.iter().collect();
    let sb: BTreeSet<&String> = b.iter().collect();
    let inter = sa.intersection(&sb).count() as f64;
    let union = sa.union(&sb).count() as f64;
    inter / union >= 0.6
}

fn merge_quotes(records: &[ArticleRecord], canon: &Canon) -> (Vec<StoryQuote>, Vec<Disagreement>) {
    struct Item {
        article: usize,
        text: String,
        words: Vec<String>,
        speaker: Option<usize>,
        speaker_name: Option<String>,
        speaker_span: (usize, usize),
    }
    let mut items = Vec::new();
    for (a, r) in records.iter().enumerate() {
        for q in &r.quotes {
            if q.kind == sitrep_model::QuoteKind::Indirect || !q.field.is_body() {
                continue;
            }
            let (speaker, speaker_name, span) = match &q.speaker {
                Some(s) => (
                    canon.get(a, s.entity.as_ref()),
                    Some(s.name.clone()),
                    (s.mention.start, s.mention.end),
                ),
                None => (None, None, (q.start, q.end)),
            };
            items.push(Item {
                article: a,
                text: q.text.clone(),
                words: words(&q.text),
                speaker,
                speaker_name,
                speaker_span: span,
            });
        }
    }
    let groups = UnionFind::cluster(items.len(), |i, j| {
        same_quote(&items[i].words, &items[j].words)
    });
    let mut quotes = Vec::new();
    let mut dis = Vec::new();
    for members in &groups {
        let main = members
            .iter()
            .copied()
            .max_by_key(|&m| items[m].words.len())
            .unwrap_or(members[0]);
        let mut variants: Vec<String> = Vec::new();
        for &m in members {
            let w = &items[m].words;
            let main_w = &items[main].words;
            let inside = main_w.windows(w.len().max(1)).any(|x| x == w.as_slice());
            if !inside && !variants.contains(&items[m].text) {
                variants.push(items[m].text.clone());
            }
        }
        // The speaker most sources give; resolved names where there are.
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for &m in members {
            let name = match items[m].speaker {
                Some(c) => Some(canon.names[c].clone()),
                None => items[m].speaker_name.clone(),
            };
            if let Some(n) = name {
                *votes.entry(n).or_default() += 1;
            }
        }
        let speaker = votes
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(s, _)| s.clone());
        let mut articles: Vec<String> = members
            .iter()
            .map(|&m| records[items[m].article].id.clone())
            .collect();
        articles.sort();
        articles.dedup();
        // Different people credited with the same words.
        let speakers: BTreeSet<usize> = members.iter().filter_map(|&m| items[m].speaker).collect();
        if speakers.len() > 1 && canon.kinds.iter().len() > 0 {
            let people: BTreeSet<usize> = speakers
                .iter()
                .copied()
                .filter(|&c| canon.kinds[c] == "PERSON")
                .collect();
            if people.len() > 1 {
                let values = members
                    .iter()
                    .filter_map(|&m| {
                        let c = items[m].speaker?;
                        people.contains(&c).then(|| SourcedValue {
                            value: canon.names[c].clone(),
                            article: records[items[m].article].id.clone(),
                            start: items[m].speaker_span.0,
                            end: items[m].speaker_span.1,
                        })
                    })
                    .collect();
                dis.push(disagreement(&short(&items[main].text), "speaker", values));
            }
        }
        quotes.push(StoryQuote {
            text: items[main].text.clone(),
            speaker,
            articles,
            variants,
        });
    }
    (quotes, dis)
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------- events

/// The count in a casualty mention ("killed at least 34" -> at least 34).
fn count_in(text: &str) -> Option<Count> {
    let mut starts = vec![0];
    starts.extend(text.match_indices(' ').map(|(i, _)| i + 1));
    starts
        .into_iter()
        .find_map(|i| text.get(i..).and_then(numbers::parse_count))
}

/// The casualty figure of one kind in an event, with its span: the mention that says it.
fn casualty(event: &Event, kind: &str) -> Option<(Count, (usize, usize), String)> {
    let c = event.casualties.as_ref()?;
    let value = match kind {
        "killed" => c.killed?,
        "injured" => c.injured?,
        _ => return None,
    };
    let words: &[&str] = match kind {
        "killed" => &["kill", "dead", "death", "die", "toll", "lives"],
        _ => &["injur", "wound", "hurt"],
    };
    for m in &c.mentions {
        let lower = m.text.to_lowercase();
        if words.iter().any(|w| lower.contains(w))
            && let Some(count) = count_in(&m.text)
        {
            return Some((count, (m.start, m.end), m.text.clone()));
        }
    }
    let exact = numbers::parse_count(&value.to_string())?;
    Some((exact, (event.start, event.end), value.to_string()))
}

fn actor_set(event: &Event, article: usize, canon: &Canon) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let ids = |actors: &[sitrep_model::Actor]| {
        actors
            .iter()
            .filter_map(|x| canon.get(article, x.entity.as_ref()))
            .collect::<BTreeSet<usize>>()
    };
    (ids(&event.source), ids(&event.target))
}

fn same_place(a: &sitrep_model::Location, b: &sitrep_model::Location) -> bool {
    name_key(&a.name) == name_key(&b.name)
}

fn merge_events(records: &[ArticleRecord], canon: &Canon) -> (Vec<StoryEvent>, Vec<Disagreement>) {
    struct Item<'a> {
        article: usize,
        event: &'a Event,
        source: BTreeSet<usize>,
        target: BTreeSet<usize>,
    }
    let mut items = Vec::new();
    for (a, r) in records.iter().enumerate() {
        for e in &r.events {
            let (source, target) = actor_set(e, a, canon);
            items.push(Item {
                article: a,
                event: e,
                source,
                target,
            });
        }
    }
    // The same event: same type and modality class, sharing an actor on the same side (or the
    // same place), dates not contradicting.
    let same = |x: &Item, y: &Item| {
        if x.event.kind != y.event.kind || x.event.hypothetical != y.event.hypothetical {
            return false;
        }
        // Both sides must fit: "Trump met Rutte" and "Trump met Macron" are two meetings.
        let fits = |a: &BTreeSet<usize>, b: &BTreeSet<usize>| {
            a.is_empty() || b.is_empty() || !a.is_disjoint(b)
        };
        let shares = (!x.source.is_disjoint(&y.source) || !x.target.is_disjoint(&y.target))
            && fits(&x.source, &y.source)
            && fits(&x.target, &y.target);
        let placed = match (&x.event.location, &y.event.location) {
            (Some(a), Some(b)) => same_place(a, b),
            _ => false,
        };
        shares || (placed && x.source.is_empty() && y.source.is_empty())
    };
    let groups = UnionFind::cluster(items.len(), |i, j| same(&items[i], &items[j]));
    let mut events = Vec::new();
    let mut dis = Vec::new();
    for members in &groups {
        // The fullest account: most actors resolved to an entity ("talk to Putin" over "meet
        // him"), most actors, then a place, a date, casualties.
        let main = members
            .iter()
            .copied()
            .max_by_key(|&m| {
                let e = items[m].event;
                (
                    e.source
                        .iter()
                        .chain(&e.target)
                        .filter(|a| a.entity.is_some())
                        .count(),
                    e.source.len() + e.target.len(),
                    e.location.is_some(),
                    e.date.is_some(),
                    e.casualties.is_some(),
                )
            })
            .unwrap_or(members[0]);
        let subject = event_subject(items[main].event);
        let mut articles: Vec<String> = members
            .iter()
            .map(|&m| records[items[m].article].id.clone())
            .collect();
        articles.sort();
        articles.dedup();
        // Casualty figures.
        for kind in ["killed", "injured"] {
            let figures: Vec<(Count, SourcedValue)> = members
                .iter()
                .filter_map(|&m| {
                    let (count, (start, end), text) = casualty(items[m].event, kind)?;
                    Some((
                        count,
                        SourcedValue {
                            value: text,
                            article: records[items[m].article].id.clone(),
                            start,
                            end,
                        },
                    ))
                })
                .collect();
            let picked = conflicting(&figures, |a, b| !numbers::compatible(a, b));
            if !picked.is_empty() {
                dis.push(disagreement(&subject, kind, picked));
            }
        }
        // Dates and places of asserted events.
        if !items[main].event.hypothetical {
            let mut dates: Vec<SourcedValue> = Vec::new();
            let mut places: Vec<(&sitrep_model::Location, SourcedValue)> = Vec::new();
            for &m in members {
                let e = items[m].event;
                let id = records[items[m].article].id.clone();
                if let Some(d) = &e.date
                    && let Some(v) = d.value
                {
                    dates.push(SourcedValue {
                        value: v.to_string(),
                        article: id.clone(),
                        start: d.start.unwrap_or(e.start),
                        end: d.end.unwrap_or(e.end),
                    });
                }
                if let Some(l) = &e.location {
                    let (start, end) = l
                        .mention
                        .as_ref()
                        .map_or((e.start, e.end), |m| (m.start, m.end));
                    places.push((
                        l,
                        SourcedValue {
                            value: l.name.clone(),
                            article: id,
                            start,
                            end,
                        },
                    ));
                }
            }
            let distinct: BTreeSet<&String> = dates.iter().map(|d| &d.value).collect();
            if distinct.len() > 1 {
                dis.push(disagreement(&subject, "date", dates));
            }
            let picked = conflicting(&places, |a, b| places_conflict(a, b));
            if !picked.is_empty() {
                dis.push(disagreement(&subject, "place", picked));
            }
        }
        let mut event = items[main].event.clone();
        if let Some(m) = members.iter().find(|&&m| items[m].event.location.is_some()) {
            event.location = event.location.or_else(|| items[*m].event.location.clone());
        }
        events.push(StoryEvent { event, articles });
    }
    dis.extend(counterpart_disagreements(
        &items
            .iter()
            .map(|i| (i.article, i.event, &i.source, &i.target))
            .collect::<Vec<_>>(),
        records,
        canon,
    ));
    (events, dis)
}

/// Two places of one event conflict when they are in different countries, or far apart and
/// neither is a country or region containing the other ("Kyiv" vs "Ukraine" is detail).
fn places_conflict(a: &sitrep_model::Location, b: &sitrep_model::Location) -> bool {
    if same_place(a, b) {
        return false;
    }
    if let (Some(x), Some(y)) = (&a.country, &b.country)
        && x != y
    {
        return true;
    }
    let table = sitrep_extract::builtin_countries();
    let is_area = |l: &sitrep_model::Location| table.actor(&l.name).is_some_and(|c| c.is_country);
    if is_area(a) || is_area(b) {
        return false;
    }
    match (a.lat, a.lon, b.lat, b.lon) {
        (Some(la), Some(lo), Some(lb), Some(lob)) => km(la, lo, lb, lob) > 100.0,
        _ => false,
    }
}

fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn event_subject(e: &Event) -> String {
    let names = |xs: &[sitrep_model::Actor]| {
        xs.iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = e.kind.clone();
    if !e.source.is_empty() {
        s.push_str(&format!(" by {}", names(&e.source)));
    }
    if !e.target.is_empty() {
        s.push_str(&format!(" on {}", names(&e.target)));
    }
    if let Some(l) = &e.location {
        s.push_str(&format!(" in {}", l.name));
    }
    s
}

/// Who met or spoke with the same person at the same time: meetings and calls with the same
/// target on the same date (or at the same place) by different sources, each reported as
/// having happened, where no article gives both sources.
fn counterpart_disagreements(
    items: &[(usize, &Event, &BTreeSet<usize>, &BTreeSet<usize>)],
    records: &[ArticleRecord],
    canon: &Canon,
) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let consult: Vec<_> = items
        .iter()
        .filter(|(_, e, s, t)| {
            e.kind == "CONSULT" && !e.hypothetical && !e.negated && !s.is_empty() && !t.is_empty()
        })
        .collect();
    let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
    for (i, (a1, e1, s1, t1)) in consult.iter().enumerate() {
        for (a2, e2, s2, t2) in &consult[i + 1..] {
            let Some(&shared) = t1.intersection(t2).next() else {
                continue;
            };
            if !s1.is_disjoint(s2) || !s1.is_disjoint(t2) || !s2.is_disjoint(t1) {
                continue;
            }
            let same_time = match (
                e1.date.as_ref().and_then(|d| d.value),
                e2.date.as_ref().and_then(|d| d.value),
            ) {
                (Some(x), Some(y)) => x == y,
                _ => match (&e1.location, &e2.location) {
                    (Some(x), Some(y)) => same_place(x, y),
                    _ => false,
                },
            };
            // A correction ("it was in fact X who spoke with Putin, rather than ...") speaks
            // of the same occasion even without a date.
            let corrects = |a: usize, e: &Event| {
                let text = records[a]
                    .body
                    .get(e.start..e.end)
                    .unwrap_or("")
                    .to_lowercase();
                text.contains("rather than")
                    || text.contains("in fact")
                    || text.contains("instead of")
                    || (text.contains("it was ") && text.contains(" who "))
            };
            if !same_time && !corrects(*a1, e1) && !corrects(*a2, e2) {
                continue;
            }
            let key = (
                shared,
                e1.date
                    .as_ref()
                    .and_then(|d| d.value)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            if !seen.insert(key) {
                continue;
            }
            let value = |a: usize, e: &Event, s: &BTreeSet<usize>| {
                let name = s
                    .iter()
                    .map(|&c| canon.names[c].clone())
                    .collect::<Vec<_>>()
                    .join(", ");
                let (start, end) = e
                    .source
                    .first()
                    .and_then(|x| x.mention.as_ref())
                    .map_or((e.start, e.end), |m| (m.start, m.end));
                SourcedValue {
                    value: name,
                    article: records[a].id.clone(),
                    start,
                    end,
                }
            };
            out.push(disagreement(
                &canon.names[shared],
                "counterpart",
                vec![value(*a1, e1, s1), value(*a2, e2, s2)],
            ));
        }
    }
    out
}

// ---------------------------------------------------------------- stories

/// The story object of a group of articles (one real-world event): its linked entities,
/// quotes, events and disagreements. Its id is stable as the story grows: `s` + the id of
/// its earliest article (by publication date, then id).
pub fn story(records: &[ArticleRecord], thread: Option<String>) -> sitrep_model::Story {
    let linked = link(records);
    let mut order: Vec<&ArticleRecord> = records.iter().collect();
    order.sort_by(|a, b| {
        (a.published.is_none(), a.published, &a.id).cmp(&(
            b.published.is_none(),
            b.published,
            &b.id,
        ))
    });
    let first = order.first();
    let id = format!("s{}", first.map_or("", |r| r.id.as_str()));
    let title = order
        .iter()
        .find_map(|r| r.title.clone())
        .or_else(|| {
            first.map(|r| {
                let text = r.body.split(['\n', '.']).next().unwrap_or("").trim();
                short(text)
            })
        })
        .unwrap_or_default();
    let mut outlets: Vec<String> = records.iter().filter_map(|r| r.outlet.clone()).collect();
    outlets.sort();
    outlets.dedup();
    let dates: Vec<chrono::NaiveDate> = records.iter().filter_map(|r| r.published).collect();
    let mut entities = linked.entities;
    entities.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then_with(|| a.name.cmp(&b.name))
    });
    sitrep_model::Story {
        schema: sitrep_model::SCHEMA.to_string(),
        id,
        title,
        articles: order.iter().map(|r| r.id.clone()).collect(),
        outlets,
        span: sitrep_model::StorySpan {
            first: dates.iter().min().copied(),
            last: dates.iter().max().copied(),
        },
        thread,
        entities,
        quotes: linked.quotes,
        events: linked.events,
        disagreements: linked.disagreements,
        proposals: linked.proposals,
    }
}
