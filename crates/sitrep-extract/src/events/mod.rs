//! Who did what to whom, when and where: political events in the PLOVER ontology.
//!
//! - [`lexicon`]: the trigger words and their PLOVER type, CAMEO code and mode.
//! - [`detect`]: event mentions in the parse: trigger, source and target spans, negation,
//!   modality, and the main event of a sentence.
//! - [`when`]: date expressions ("on Tuesday", "last week") resolved against the publication date.
//! - [`numbers`]: counts in text ("at least 34", "dozens") and the casualties and sizes they give.

pub mod actors;
pub mod detect;
pub mod lexicon;
pub mod numbers;
pub mod when;

use std::ops::Range;

use chrono::NaiveDate;
use sitrep_geo::{Countries, Gazetteer};
use sitrep_model::{Event, Location, Mention};
use sitrep_nlp::Doc;

use crate::entities::Resolution;
use detect::{EventMention, Modality, Tree};

/// What event coding needs beside the text: the publication date (for "on Tuesday"), the
/// gazetteer (for coordinates; without it places keep their name and country only when the
/// name is a country) and the country table.
pub struct Context<'a> {
    pub published: Option<NaiveDate>,
    pub gazetteer: Option<&'a Gazetteer>,
    pub countries: &'a Countries,
}

/// Every event of an analysed body, coded per the output contract.
pub fn find(doc: &Doc, resolution: &Resolution, ctx: &Context) -> Vec<Event> {
    let mentions = detect::detect(doc);
    if mentions.is_empty() {
        return Vec::new();
    }
    let tree = Tree::new(doc);

    // The countries the article names: they pick among places of the same name.
    let mut article_countries: Vec<String> = Vec::new();
    for e in &resolution.entities {
        if matches!(e.kind.as_str(), "GPE" | "NORP")
            && let Some(c) = ctx.countries.actor(&e.name)
            && c.is_country
            && !article_countries.iter().any(|x| x == c.code)
        {
            article_countries.push(c.code.to_string());
        }
    }
    let geo_ctx = sitrep_geo::Context {
        countries: article_countries,
    };
    let coder = actors::ActorCoder {
        countries: ctx.countries,
        gazetteer: ctx.gazetteer,
        context: &geo_ctx,
    };
    let mut anchors: Vec<(usize, usize, usize)> = Vec::new(); // sentence, trigger, anchor
    let mut dates_cache: Vec<Option<Vec<when::TimeExpr>>> = vec![None; doc.sentences.len()];
    let mut out = Vec::new();
    for m in &mentions {
        if !worth_reporting(&tree, m) {
            continue;
        }
        let sentence = &doc.sentences[m.sentence];
        let code_all = |spans: &[Range<usize>]| {
            spans
                .iter()
                .filter_map(|r| actor_phrase(&tree, resolution, r))
                .filter_map(|(r, head)| coder.code(doc, resolution, r, head))
                .collect::<Vec<_>>()
        };
        let source = code_all(&m.sources);
        let mut target = code_all(&m.targets);
        // No one is their own counterpart: "“We will see,” Brill declared" reads "we" as the
        // sayer, who is the source already. ("Sorvik will meet her counterpart" keeps its
        // target: only a target that is the source's own words, or a pronoun resolved to the
        // source, goes.)
        target.retain(|t| {
            let Some(tm) = &t.mention else {
                return true;
            };
            let pronoun = matches!(
                tm.text.to_lowercase().as_str(),
                "i" | "me" | "we" | "us" | "he" | "him" | "she" | "her" | "it" | "they" | "them"
            );
            !source.iter().any(|s| {
                s.mention.as_ref().is_some_and(|sm| sm.start == tm.start)
                    || (pronoun && t.entity.is_some() && s.entity == t.entity)
            })
        });
        // A consultation needs a partner: a target, or several on the source side ("the two
        // leaders met"); "what he called a rigged election" is no phone call.
        let plural_source = source.len() > 1
            || m.sources.first().is_some_and(|r| {
                doc.tokens[span_head(&tree, r)].tag.as_str().ends_with('S')
                    || matches!(tree.lower(span_head(&tree, r)).as_str(), "we" | "they")
            });
        if m.frame.kind == "CONSULT" && target.is_empty() && !plural_source && !m.nominal {
            continue;
        }
        let proposal = m.nominal && !m.modality.is_real();
        let location = place(&tree, m, ctx, &geo_ctx);
        // An event with no actor is still news when the text says where it happened or what
        // it cost ("the attack in Kabul", "a car bomb exploded in Mogadishu").
        let clause = tree.span(m.anchor, &[]);
        let clause_bytes = doc.tokens[clause.start].start..doc.tokens[clause.end - 1].end;
        let casualties = if matches!(m.frame.kind, "ASSAULT" | "COERCE") {
            let text = &doc.text[clause_bytes.clone()];
            let found = numbers::casualties(text);
            numbers::summary_in(&found, &doc.text, clause_bytes.start)
        } else {
            None
        };
        if source.is_empty()
            && target.is_empty()
            && !proposal
            && location.is_none()
            && casualties.is_none()
        {
            continue;
        }
        let date = {
            let slot = &mut dates_cache[m.sentence];
            let found = slot.get_or_insert_with(|| {
                let text = &doc.text[sentence.start..sentence.end];
                when::find(text, ctx.published)
            });
            let trigger_at = doc.tokens[m.trigger].start;
            found
                .iter()
                .filter(|t| {
                    let (s, e) = (sentence.start + t.start, sentence.start + t.end);
                    s >= clause_bytes.start && e <= clause_bytes.end
                })
                .min_by_key(|t| (sentence.start + t.start).abs_diff(trigger_at))
                .map(|t| {
                    let mut d = t.to_model();
                    d.start = Some(sentence.start + t.start);
                    d.end = Some(sentence.start + t.end);
                    if m.modality == Modality::Future && t.value.is_some() {
                        // "will meet on Tuesday": the coming Tuesday.
                        let text = &doc.text[sentence.start..sentence.end];
                        if let Some(f) =
                            when::find_with_tense(text, ctx.published, when::Tense::Future)
                                .into_iter()
                                .find(|f| f.start == t.start)
                        {
                            d.value = f.value;
                        }
                    }
                    d
                })
        };
        let trigger = Mention {
            text: doc.token_text(m.trigger).to_string(),
            start: doc.tokens[m.trigger].start,
            end: doc.tokens[m.trigger].end,
        };
        anchors.push((m.sentence, m.trigger, m.anchor));
        out.push(Event {
            kind: m.frame.kind.to_string(),
            mode: m.frame.mode.map(str::to_string),
            context: context(m.frame.cameo, &doc.text[clause_bytes.clone()]),
            cameo_root: m.frame.cameo_root().to_string(),
            quad_class: m.frame.quad_class(),
            source,
            target,
            location,
            date,
            casualties,
            negated: m.negated,
            hypothetical: !m.modality.is_real(),
            modality: m.modality.as_str().to_string(),
            cameo: Some(m.frame.cameo.to_string()),
            trigger: Some(trigger),
            start: sentence.start,
            end: sentence.end,
        });
    }
    merge_parts(&tree, out, &anchors)
}

/// One event told by several words of a sentence ("the strike on Sumy, which killed 34 and
/// injured 100") is one event: a mention of the same type inside another's phrase joins it
/// (its targets, casualties, place and date fill what the outer one lacks).
fn merge_parts(tree: &Tree, events: Vec<Event>, anchors: &[(usize, usize, usize)]) -> Vec<Event> {
    let mut into: Vec<Option<usize>> = vec![None; events.len()];
    for j in 0..events.len() {
        let (sj, _, aj) = anchors[j];
        for i in 0..events.len() {
            if i == j || into[i].is_some() || events[i].kind != events[j].kind {
                continue;
            }
            let (si, ti, _) = anchors[i];
            if si != sj {
                continue;
            }
            let phrase = tree.span(ti, &[]);
            if phrase.contains(&aj) && aj != ti {
                into[j] = Some(i);
                break;
            }
        }
    }
    let mut events: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    for j in 0..events.len() {
        let Some(i) = into[j] else { continue };
        let Some(part) = events[j].take() else {
            continue;
        };
        let Some(whole) = events[i].as_mut() else {
            events[j] = Some(part);
            continue;
        };
        for t in part.target {
            if !whole.target.iter().any(|x| x.name == t.name) {
                whole.target.push(t);
            }
        }
        if whole.source.is_empty() {
            whole.source = part.source;
        }
        whole.location = whole.location.take().or(part.location);
        whole.date = whole.date.take().or(part.date);
        whole.casualties = match (whole.casualties.take(), part.casualties) {
            (Some(mut a), Some(b)) => {
                a.killed = a.killed.or(b.killed);
                a.injured = a.injured.or(b.injured);
                a.missing = a.missing.or(b.missing);
                a.detained = a.detained.or(b.detained);
                for m in b.mentions {
                    if !a.mentions.contains(&m) {
                        a.mentions.push(m);
                    }
                }
                Some(a)
            }
            (a, b) => a.or(b),
        };
    }
    events.into_iter().flatten().collect()
}

/// PLOVER contexts of an event: from its CAMEO code where the code names one (0312 military
/// cooperation, 0311 economic, 0333 humanitarian, ...), and from words of its clause ("troops",
/// "sanctions", "election", "refugees", "nuclear"). Sorted, without repeats.
fn context(cameo: &str, clause: &str) -> Vec<String> {
    const BY_CODE: &[(&str, &str)] = &[
        ("0311", "economic"),
        ("0312", "military"),
        ("0313", "legal"),
        ("0314", "intelligence"),
        ("0331", "economic"),
        ("0332", "military"),
        ("0333", "humanitarian"),
        ("0334", "peacekeeping"),
        ("0354", "economic"),
        ("0356", "military"),
        ("061", "economic"),
        ("062", "military"),
        ("063", "legal"),
        ("064", "intelligence"),
        ("071", "economic"),
        ("072", "military"),
        ("073", "humanitarian"),
        ("074", "peacekeeping"),
        ("0811", "economic"),
        ("087", "military"),
        ("15", "military"),
        ("163", "economic"),
        ("18", "military"),
        ("19", "military"),
        ("20", "military"),
    ];
    const BY_WORD: &[(&str, &str)] = &[
        ("troop", "military"),
        ("soldier", "military"),
        ("army", "military"),
        ("military", "military"),
        ("weapon", "military"),
        ("missile", "military"),
        ("ceasefire", "military"),
        ("sanction", "economic"),
        ("tariff", "economic"),
        ("trade", "economic"),
        ("economic", "economic"),
        ("loan", "economic"),
        ("investment", "economic"),
        ("election", "election"),
        ("vote", "election"),
        ("ballot", "election"),
        ("refugee", "refugee"),
        ("asylum", "refugee"),
        ("migrant", "refugee"),
        ("nuclear", "cbrn"),
        ("chemical weapon", "cbrn"),
        ("cyber", "cyber"),
        ("hacker", "cyber"),
        ("terror", "terrorism"),
        ("court", "legal"),
        ("trial", "legal"),
        ("treaty", "diplomatic"),
        ("embassy", "diplomatic"),
        ("ambassador", "diplomatic"),
        ("human rights", "rights"),
        ("oil", "resource"),
        ("gas", "resource"),
        ("water", "resource"),
    ];
    let mut out: Vec<String> = BY_CODE
        .iter()
        .filter(|(code, _)| cameo.starts_with(code))
        .map(|(_, c)| c.to_string())
        .collect();
    let lower = clause.to_lowercase();
    for (word, c) in BY_WORD {
        let found = lower.match_indices(word).any(|(i, _)| {
            // At a word start ("troops", not "retroops").
            i == 0
                || !lower[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        });
        if found {
            out.push(c.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Pronouns inside a direct quote, read with its speaker: "I" and "me" are the speaker (a
/// person), and a third-person pronoun the resolution tied to the speaker is someone else (a
/// speaker does not call themselves "him"): it is left as written. A first- or second-person
/// pronoun inside a quote is no actor of a verb outside it ("“We will see,” he declared"). The speaker's country and
/// sector come from another actor of the same entity, if any.
pub fn pronouns_in_quotes(x: &mut sitrep_model::Extraction) {
    use sitrep_model::{QuoteKind, TextField};
    let people: std::collections::BTreeSet<&str> = x
        .entities
        .iter()
        .filter(|e| e.kind == "PERSON")
        .map(|e| e.id.as_str())
        .collect();
    // Country and sector per entity, from actors that have them.
    let mut coded: std::collections::BTreeMap<String, (Option<String>, Option<String>)> =
        std::collections::BTreeMap::new();
    for a in x
        .events
        .iter()
        .flat_map(|e| e.source.iter().chain(&e.target))
    {
        if let Some(id) = &a.entity
            && a.country.is_some()
        {
            coded
                .entry(id.clone())
                .or_insert((a.country.clone(), a.sector.clone()));
        }
    }
    let direct: Vec<&sitrep_model::Quote> = x
        .quotes
        .iter()
        .filter(|q| q.kind == QuoteKind::Direct && q.field == TextField::Body)
        .collect();
    for e in &mut x.events {
        // "“We will see,” he declared": a first- or second-person pronoun quoted around a
        // verb outside the quote is the quote's own subject, not an actor of that verb.
        if let Some(t) = &e.trigger {
            let (ts, te) = (t.start, t.end);
            let quoted_away = |a: &sitrep_model::Actor| {
                a.mention.as_ref().is_some_and(|m| {
                    matches!(
                        m.text.to_lowercase().as_str(),
                        "we" | "us" | "i" | "me" | "you"
                    ) && direct.iter().any(|q| {
                        q.start <= m.start && m.end <= q.end && !(q.start <= ts && te <= q.end)
                    })
                })
            };
            e.source.retain(|a| !quoted_away(a));
            e.target.retain(|a| !quoted_away(a));
        }
        for a in e.source.iter_mut().chain(e.target.iter_mut()) {
            let Some(m) = &a.mention else {
                continue;
            };
            let Some(speaker) = direct
                .iter()
                .filter(|q| q.start <= m.start && m.end <= q.end)
                .find_map(|q| q.speaker.as_ref())
            else {
                continue;
            };
            let Some(id) = speaker.entity.as_deref().filter(|id| people.contains(id)) else {
                continue;
            };
            let word = m.text.to_lowercase();
            if matches!(word.as_str(), "i" | "me") {
                a.entity = Some(id.to_string());
                a.name = speaker.name.clone();
                if let Some((country, sector)) = coded.get(id) {
                    a.country.clone_from(country);
                    a.sector.clone_from(sector);
                }
            } else if a.entity.as_deref() == Some(id)
                && matches!(word.as_str(), "he" | "him" | "she" | "her")
            {
                a.entity = None;
                a.name = m.text.clone();
                a.country = None;
                a.sector = None;
            }
        }
    }
}

/// Whether an event mention says enough to be reported: a verb with an actor, or an event noun
/// with an actor, or a proposal or demand ("a 30-day ceasefire" that is not yet agreed).
fn worth_reporting(tree: &Tree, m: &EventMention) -> bool {
    let has_actor = !m.sources.is_empty() || !m.targets.is_empty();
    // Event nouns are judged later, on what they have (actors, place, casualties, a proposal).
    let _ = tree;
    m.nominal || has_actor
}

/// The part of an argument phrase that names an actor, with its head: the phrase itself when
/// its head is a named entity, a personal pronoun or a people noun ("troops", "officials");
/// else the actor inside it ("Russia's strike" -> Russia, "the army of Mali" -> Mali). `None`
/// when it names no actor ("the war", "an end", "their weapons"). Phrases are cut at a
/// paragraph break.
fn actor_phrase(
    tree: &Tree,
    resolution: &Resolution,
    r: &Range<usize>,
) -> Option<(Range<usize>, usize)> {
    let doc = tree.doc;
    let mut r = r.clone();
    if let Some(cut) = (r.start + 1..r.end).find(|&t| {
        doc.text
            .get(doc.tokens[t - 1].end..doc.tokens[t].start)
            .is_some_and(|gap| gap.contains('\n'))
            || doc.tokens[t].sent_start
    }) {
        r.end = cut;
    }
    let head = span_head(tree, &r);
    // "Hungary has said it will support ...": a pronoun subject of what someone says is, failing
    // a resolution, the sayer.
    if r.len() == 1
        && resolution.entity_at(head).is_none()
        && matches!(tree.lower(head).as_str(), "it" | "they" | "we")
        && let Some(sayer) = sayer_of(tree, head)
    {
        return actor_phrase(tree, resolution, &(sayer..sayer + 1)).map(|(_, h)| {
            (
                tree.actor_spans(h).into_iter().next().unwrap_or(h..h + 1),
                h,
            )
        });
    }
    if actor_like(tree, resolution, head) {
        return Some((r, head));
    }
    // An actor inside: possessor, "of" phrase, nationality adjective, compound name.
    let mut inside: Vec<(usize, usize)> = tree.children[head]
        .iter()
        .filter(|c| r.contains(c))
        .filter_map(|&c| {
            let rank = match tree.dep(c) {
                "poss" => 0,
                "prep" if tree.lower(c) == "of" => 1,
                "compound" | "nmod" => 2,
                "amod" => 3,
                _ => return None,
            };
            Some((rank, c))
        })
        .collect();
    inside.sort();
    for (_, c) in inside {
        let inner = match tree.dep(c) {
            "prep" => tree.kid(c, "pobj"),
            _ => Some(c),
        };
        if let Some(i) = inner
            && actor_like(tree, resolution, i)
            && !matches!(tree.pos(i), "PRON")
        {
            let inner_span = tree.actor_spans(i).into_iter().next().unwrap_or(i..i + 1);
            let inner_span = if matches!(tree.dep(c), "poss") {
                // "Russia's": without the possessive ending.
                let mut s = inner_span;
                if s.end > s.start + 1 && tree.dep(s.end - 1) == "case" {
                    s.end -= 1;
                }
                s
            } else {
                inner_span
            };
            return Some((inner_span, i));
        }
    }
    None
}

/// The subject of the verb of saying whose reported clause has `pronoun` as its subject.
fn sayer_of(tree: &Tree, pronoun: usize) -> Option<usize> {
    let mut v = tree.head(pronoun);
    for _ in 0..3 {
        let h = tree.head(v);
        if h == v {
            return None;
        }
        if tree.dep(v) == "ccomp" && crate::lexicon::speech_verb(tree.doc.token_text(h)).is_some() {
            let s = tree.kid(h, "nsubj")?;
            return (!matches!(tree.pos(s), "PRON")).then_some(s);
        }
        if !matches!(tree.dep(v), "xcomp" | "conj") {
            return None;
        }
        v = h;
    }
    None
}

/// Whether token `t` heads an actor: an entity of the article, a named entity of an actor
/// type, a personal pronoun, or a noun for people, forces or institutions.
fn actor_like(tree: &Tree, resolution: &Resolution, t: usize) -> bool {
    let doc = tree.doc;
    if resolution.entity_at(t).is_some() {
        return true;
    }
    if matches!(
        doc.tokens[t].ent_type.as_str(),
        "PERSON" | "ORG" | "GPE" | "NORP"
    ) {
        return true;
    }
    let lower = tree.lower(t);
    if tree.pos(t) == "PRON" {
        return matches!(
            lower.as_str(),
            "he" | "she" | "they" | "them" | "him" | "her" | "we" | "us" | "i" | "me" | "you"
        );
    }
    actors::is_actor_noun(&doc.tokens[t].lemma) || actors::is_actor_noun(&lower)
}

/// The head of a token span: the token whose head lies outside it.
fn span_head(tree: &Tree, r: &Range<usize>) -> usize {
    r.clone()
        .find(|&t| !r.contains(&tree.head(t)) || tree.head(t) == t)
        .unwrap_or(r.start)
}

const LOCATIVE: &[&str] = &["in", "at", "near", "outside", "inside", "across", "around"];

/// Where the event happened: a place in a locative phrase of the event's verb or noun ("in
/// Sumy", "near the border with Poland", "the Ukrainian city of Sumy"), never just any place in
/// the sentence.
fn place(
    tree: &Tree,
    m: &EventMention,
    ctx: &Context,
    geo_ctx: &sitrep_geo::Context,
) -> Option<Location> {
    let doc = tree.doc;
    // Candidate place phrases, best first: the target of a use of force when it is a place
    // ("struck Sumy", "the strike on the city of Sumy"), then locative phrases of the event's
    // verb and noun, then of its target.
    let mut places = Vec::new();
    let force = matches!(m.frame.kind, "ASSAULT" | "COERCE" | "MOBILIZE" | "PROTEST");
    if force {
        places.extend(m.targets.iter().map(|r| span_head(tree, r)));
    }
    // Locative phrases the parser hung on an actor ("attacked by rebels near Goma", "met the
    // president in Brussels") come after the event's own.
    // "the shelling of Donetsk": the object of a use of force named by a noun.
    if force && m.nominal {
        for &p in &tree.children[m.trigger] {
            if tree.dep(p) == "prep"
                && matches!(tree.lower(p).as_str(), "of" | "on")
                && let Some(obj) = tree.kid(p, "pobj")
            {
                places.push(obj);
            }
        }
    }
    let mut heads = vec![m.anchor, m.trigger];
    heads.extend(m.targets.iter().map(|r| span_head(tree, r)));
    heads.extend(m.sources.iter().map(|r| span_head(tree, r)));
    // Deployments and visits happen where they go ("deployed to Niamey", "travelled to Doha").
    let goes = m.frame.kind == "MOBILIZE" || m.frame.mode == Some("visit");
    for (k, h) in heads.into_iter().enumerate() {
        for &p in &tree.children[h] {
            let w = tree.lower(p);
            if tree.dep(p) == "prep"
                && (LOCATIVE.contains(&w.as_str()) || (goes && k < 2 && w == "to"))
                && let Some(obj) = tree.kid(p, "pobj")
            {
                places.push(obj);
            }
        }
    }
    // "near a market in Mogadishu": a place inside a locative phrase's object.
    let mut deeper = Vec::new();
    for &obj in &places {
        for &p in &tree.children[obj] {
            if tree.dep(p) == "prep"
                && LOCATIVE.contains(&tree.lower(p).as_str())
                && let Some(o) = tree.kid(p, "pobj")
            {
                deeper.push(o);
            }
        }
    }
    places.extend(deeper);
    {
        for obj in places {
            if let Some(mut name_tokens) = place_name(tree, obj, ctx.gazetteer) {
                // "the Strait of Hormuz": the name without its article.
                if name_tokens.len() > 1 && tree.lower(name_tokens.start) == "the" {
                    name_tokens.start += 1;
                }
                let start = doc.tokens[name_tokens.start].start;
                let end = doc.tokens[name_tokens.end - 1].end;
                let name = doc.text[start..end].to_string();
                let mention = Some(Mention {
                    text: name.clone(),
                    start,
                    end,
                });
                if let Some(g) = ctx.gazetteer
                    && let Some(place) = g.resolve(&name, geo_ctx)
                {
                    return Some(Location {
                        name: place.name.clone(),
                        country: Some(place.country.clone()),
                        lat: Some(place.lat),
                        lon: Some(place.lon),
                        mention,
                    });
                }
                let country = ctx
                    .countries
                    .actor(&name)
                    .filter(|c| c.is_country)
                    .map(|c| c.code.to_string());
                return Some(Location {
                    name,
                    country,
                    lat: None,
                    lon: None,
                    mention,
                });
            }
        }
    }
    None
}

/// The tokens of a place name at or under `obj`: a GPE/LOC/FAC entity, or the one in "the city
/// of X" / "X region".
fn place_name(tree: &Tree, obj: usize, gazetteer: Option<&Gazetteer>) -> Option<Range<usize>> {
    let doc = tree.doc;
    let entity_of = |t: usize| {
        doc.entities
            .iter()
            .find(|e| e.tokens.contains(&t))
            .map(|e| e.tokens.clone())
            .or_else(|| {
                // A proper name the NER missed: its compound words and itself.
                let mut start = t;
                while start > 0
                    && tree.head(start - 1) == t
                    && tree.dep(start - 1) == "compound"
                    && tree.pos(start - 1) == "PROPN"
                {
                    start -= 1;
                }
                Some(start..t + 1)
            })
    };
    // A place by the NER, or a proper name the gazetteer knows that the NER did not call a
    // person or group (the small NER model calls unfamiliar towns ORG or worse).
    let is_place = |t: usize| {
        match doc.tokens[t].ent_type.as_str() {
            "GPE" | "LOC" | "FAC" => return true,
            "PERSON" | "NORP" | "DATE" | "TIME" | "CARDINAL" | "MONEY" | "PERCENT" => return false,
            _ => {}
        }
        if doc.tokens[t].pos.as_str() != "PROPN" {
            return false;
        }
        let Some(g) = gazetteer else { return false };
        entity_of(t).is_some_and(|r| {
            let start = doc.tokens[r.start].start;
            let end = doc.tokens[r.end - 1].end;
            !g.lookup(&doc.text[start..end]).is_empty()
        })
    };
    let located = tree.dep(obj) == "pobj"
        && LOCATIVE.contains(&tree.lower(tree.head(obj)).as_str())
        && doc.tokens[obj].ent_type.as_str() == "PERSON"
        && doc.tokens[obj].pos.as_str() == "PROPN"
        && gazetteer.is_some_and(|g| {
            entity_of(obj).is_some_and(|r| {
                !g.lookup(&doc.text[doc.tokens[r.start].start..doc.tokens[r.end - 1].end])
                    .is_empty()
            })
        });
    if is_place(obj) || located {
        // "St. Petersburg, Florida": a qualifier after the comma belongs to the name when the
        // gazetteer reads the two together.
        let name = entity_of(obj)?;
        if name.end + 1 < doc.tokens.len()
            && tree.lower(name.end) == ","
            && matches!(doc.tokens[name.end + 1].ent_type.as_str(), "GPE" | "LOC")
            && let Some(q) = entity_of(name.end + 1)
            && let Some(g) = gazetteer
        {
            let joined = &doc.text[doc.tokens[name.start].start..doc.tokens[q.end - 1].end];
            if g.resolve(joined, &sitrep_geo::Context::default()).is_some() {
                return Some(name.start..q.end);
            }
        }
        return Some(name);
    }
    // "the city of Sumy", "the town of X", "the region of X" (the NER may call X anything).
    let place_noun = matches!(
        doc.tokens[obj].lemma.to_lowercase().as_str(),
        "city"
            | "town"
            | "village"
            | "region"
            | "province"
            | "district"
            | "capital"
            | "port"
            | "oblast"
            | "state"
            | "county"
            | "area"
            | "suburb"
            | "island"
            | "enclave"
    );
    if let Some(of) = tree
        .kids(obj, "prep")
        .find(|&p| tree.lower(p) == "of")
        .and_then(|p| tree.kid(p, "pobj"))
        && (is_place(of) || (place_noun && tree.pos(of) == "PROPN"))
    {
        return entity_of(of);
    }
    // "Kursk region", "Donetsk oblast": a place compound.
    if let Some(c) = tree.kids(obj, "compound").find(|&c| is_place(c)) {
        return entity_of(c);
    }
    None
}
