//! Proposals and positions: for each proposal named in a group of articles (a story or a
//! thread: "a 30-day ceasefire", "the prisoner exchange"), each party's stated position over
//! time (proposed, demanded, accepted, rejected, or conditional with its conditions), every
//! position with its article and sentence span.
//!
//! Per sentence that names a proposal: the proposal is the noun phrase around a proposal noun
//! (a generic head, "the proposal for a 30-day truce", gives way to its object; a bare "the
//! plan" refers back to the article's last proposal); the stance is the cue verb nearest the
//! proposal ("rejected", "agreed to", "turned down", negated acceptance = rejection), made
//! conditional by "only if", "on condition that", "provided that", "unless"...; the party is the
//! source of the event sitrep extracted at the cue, else the named entity closest before the
//! cue, else the agent after "by". Parties are the story's canonical entities. Proposals are
//! one when their keys match (synonyms folded: truce = ceasefire; numbers kept: a 30-day
//! ceasefire is not a 90-day one); a key without modifiers joins the one proposal with the
//! same head, if there is exactly one.

use std::collections::BTreeMap;

use sitrep_model::{ArticleRecord, Position, Proposal, SourcedText};

use super::Canon;

/// Nouns naming something that can be proposed, accepted or rejected (singular).
const PROPOSAL_NOUNS: &[&str] = &[
    "ceasefire",
    "cease-fire",
    "truce",
    "armistice",
    "exchange",
    "swap",
    "moratorium",
    "settlement",
    "accord",
    "deal",
    "agreement",
    "plan",
    "proposal",
    "offer",
    "initiative",
    "roadmap",
    "referendum",
    "talks",
    "pause",
];

/// Heads that say "a proposal" without saying of what: they take their object's key ("the
/// proposal for a 30-day truce") or, bare, refer back.
const GENERIC: &[&str] = &[
    "proposal",
    "offer",
    "plan",
    "initiative",
    "deal",
    "agreement",
];

/// Modifiers that do not tell two proposals apart.
const NEUTRAL_MODIFIERS: &[&str] = &[
    "immediate",
    "new",
    "proposed",
    "possible",
    "latest",
    "so-called",
    "formal",
    "draft",
    "initial",
    "first",
    "broader",
    "revised",
];

/// Words that end a noun phrase's modifiers when read leftwards.
const PHRASE_STOP: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "any",
    "to", "for", "of", "on", "in", "with", "and", "or", "by", "at", "from", "it", "as",
];

/// Stance cues: words (one or two) and the stance they state.
const CUES: &[(&str, &str)] = &[
    ("propose", "proposed"),
    ("proposed", "proposed"),
    ("proposes", "proposed"),
    ("proposing", "proposed"),
    ("offer", "proposed"),
    ("offered", "proposed"),
    ("offers", "proposed"),
    ("suggested", "proposed"),
    ("suggests", "proposed"),
    ("floated", "proposed"),
    ("unveiled", "proposed"),
    ("tabled", "proposed"),
    ("put forward", "proposed"),
    ("demand", "demanded"),
    ("demanded", "demanded"),
    ("demands", "demanded"),
    ("called for", "demanded"),
    ("calls for", "demanded"),
    ("urged", "demanded"),
    ("urges", "demanded"),
    ("insisted on", "demanded"),
    ("pushed for", "demanded"),
    ("accept", "accepted"),
    ("accepted", "accepted"),
    ("accepts", "accepted"),
    ("agree to", "accepted"),
    ("agreed to", "accepted"),
    ("agrees to", "accepted"),
    ("endorsed", "accepted"),
    ("endorses", "accepted"),
    ("approved", "accepted"),
    ("approves", "accepted"),
    ("sign", "accepted"),
    ("endorse", "accepted"),
    ("approve", "accepted"),
    ("embrace", "accepted"),
    ("signed", "accepted"),
    ("signs", "accepted"),
    ("backed", "accepted"),
    ("backs", "accepted"),
    ("embraced", "accepted"),
    ("reject", "rejected"),
    ("rejected", "rejected"),
    ("rejects", "rejected"),
    ("refuse", "rejected"),
    ("dismiss", "rejected"),
    ("turn down", "rejected"),
    ("rule out", "rejected"),
    ("veto", "rejected"),
    ("oppose", "rejected"),
    ("refused", "rejected"),
    ("refuses", "rejected"),
    ("dismissed", "rejected"),
    ("dismisses", "rejected"),
    ("turned down", "rejected"),
    ("turns down", "rejected"),
    ("ruled out", "rejected"),
    ("rules out", "rejected"),
    ("spurned", "rejected"),
    ("declined", "rejected"),
    ("vetoed", "rejected"),
    ("opposes", "rejected"),
    ("opposed", "rejected"),
];

/// Words that open a condition, longest first.
const CONDITION_CUES: &[&[&str]] = &[
    &["on", "the", "condition", "that"],
    &["on", "condition", "that"],
    &["provided", "that"],
    &["providing", "that"],
    &["as", "long", "as"],
    &["only", "if"],
    &["in", "exchange", "for"],
    &["in", "return", "for"],
    &["unless"],
    &["without"],
    &["if"],
    &["once"],
];

/// Words just before a cue that make it someone's guess, not a stated position ("Russia is
/// unlikely to accept", "may reject").
const HEDGES: &[&str] = &[
    "unlikely", "likely", "may", "might", "could", "expected", "possibly", "perhaps",
];

/// Words before an acceptance cue that turn it into a rejection ("did not accept", "refused to
/// accept").
const NEGATIONS: &[&str] = &[
    "not", "n't", "never", "no", "refused", "refuses", "declined", "declines", "failed",
];

/// A word of a sentence: lowercase text and byte span in the body.
struct Word {
    lower: String,
    start: usize,
    end: usize,
}

/// Words of `body[start..end]`: letters, digits, hyphens and apostrophes inside words; "n't"
/// split off as its own word.
fn words(body: &str, start: usize, end: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let text = &body[start..end];
    let mut cur: Option<usize> = None;
    let flush = |out: &mut Vec<Word>, s: usize, e: usize| {
        let w = &text[s..e];
        let lower = w.to_lowercase();
        if let Some(stem) = lower.strip_suffix("n't").filter(|s| !s.is_empty()) {
            let cut = s + stem.len();
            out.push(Word {
                lower: stem.to_string(),
                start: start + s,
                end: start + cut,
            });
            out.push(Word {
                lower: "n't".into(),
                start: start + cut,
                end: start + e,
            });
        } else {
            out.push(Word {
                lower,
                start: start + s,
                end: start + e,
            });
        }
    };
    for (i, c) in text.char_indices() {
        let inner = c.is_alphanumeric() || ((c == '-' || c == '\'' || c == '’') && cur.is_some());
        match (inner, cur) {
            (true, None) => cur = Some(i),
            (false, Some(s)) => {
                flush(&mut out, s, i);
                cur = None;
            }
            _ => {}
        }
    }
    if let Some(s) = cur {
        flush(&mut out, s, text.len());
    }
    for w in &mut out {
        // "talks'" or "ceasefire-" at a word's edge are not part of it.
        while w.lower.ends_with(['-', '\'', '’']) {
            w.lower.pop();
        }
    }
    out
}

/// Sentence spans of a body: breaks after `.`, `!` or `?` followed by whitespace, and at
/// blank lines.
fn sentences(body: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let end_mark = matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if end_mark || b == b'\n' {
            let end = if end_mark { i + 1 } else { i };
            if body[start..end].trim().len() > 1 {
                out.push((start, end));
            }
            start = i + 1;
        }
        i += 1;
    }
    if body.len() > start && body[start..].trim().len() > 1 {
        out.push((start, body.len()));
    }
    out
}

fn singular(w: &str) -> String {
    if w != "talks"
        && let Some(stem) = w.strip_suffix('s')
        && (PROPOSAL_NOUNS.contains(&stem) || stem == "prisoner")
    {
        return stem.to_string();
    }
    w.to_string()
}

/// The synonym-folded form of a proposal word.
fn fold(w: &str) -> &str {
    match w {
        "truce" | "cease-fire" | "armistice" => "ceasefire",
        "swap" => "exchange",
        "prisoners" => "prisoner",
        "proposal" | "offer" | "initiative" => "proposal",
        other => other,
    }
}

/// A proposal named in a sentence: its words as written, its key, and its head.
struct Named {
    text: String,
    key: Vec<String>,
    head: String,
    /// A bare generic head ("the plan"): refers back.
    anaphoric: bool,
    /// Index of the head word.
    at: usize,
}

/// The noun phrase ending at word `h` (a proposal noun): modifiers read leftwards.
fn phrase(ws: &[Word], h: usize, body: &str) -> Named {
    let mut first = h;
    while first > 0 && h - first < 3 {
        let w = &ws[first - 1].lower;
        if PHRASE_STOP.contains(&w.as_str())
            || CUES
                .iter()
                .any(|(c, _)| c.split(' ').next_back() == Some(w.as_str()))
            || ws[first].start - ws[first - 1].end > 1
        {
            break;
        }
        first -= 1;
    }
    let head = fold(&singular(&ws[h].lower)).to_string();
    let key: Vec<String> = ws[first..h]
        .iter()
        .map(|w| fold(&singular(&w.lower)).to_string())
        .filter(|w| !NEUTRAL_MODIFIERS.contains(&w.as_str()))
        .chain(std::iter::once(head.clone()))
        .collect();
    Named {
        text: body[ws[first].start..ws[h].end].to_string(),
        anaphoric: key.len() == 1 && GENERIC.contains(&ws[h].lower.as_str()),
        key,
        head,
        at: h,
    }
}

/// The proposal a sentence names: the first specific one; a generic head followed by "for" /
/// "of" / "on" and a proposal takes that one's key.
fn named(ws: &[Word], body: &str) -> Option<Named> {
    let heads: Vec<usize> = (0..ws.len())
        .filter(|&i| PROPOSAL_NOUNS.contains(&singular(&ws[i].lower).as_str()))
        .filter(|&i| {
            // A proposal noun used as a modifier ("ceasefire talks", "ceasefire proposal") is
            // part of the next one's phrase.
            !(i + 1 < ws.len()
                && PROPOSAL_NOUNS.contains(&singular(&ws[i + 1].lower).as_str())
                && ws[i + 1].start - ws[i].end <= 1)
        })
        .collect();
    let first = *heads.first()?;
    let mut n = phrase(ws, first, body);
    if GENERIC.contains(&ws[first].lower.as_str()) {
        // "the proposal for a 30-day truce": the object is the proposal.
        if let Some(&next) = heads.get(1)
            && next > first + 1
            && matches!(ws[first + 1].lower.as_str(), "for" | "of" | "on")
            && next <= first + 6
        {
            let mut object = phrase(ws, next, body);
            object.at = first;
            n = object;
        }
    }
    Some(n)
}

/// The stance cue nearest the proposal (before it, or just after for passives): `(first word,
/// last word, stance)`.
fn cue(ws: &[Word], at: usize) -> Option<(usize, usize, &'static str)> {
    let mut found: Vec<(usize, usize, usize, &'static str)> = Vec::new();
    for i in 0..ws.len() {
        for (c, stance) in CUES {
            let parts: Vec<&str> = c.split(' ').collect();
            if i + parts.len() <= ws.len()
                && parts.iter().enumerate().all(|(k, p)| ws[i + k].lower == *p)
            {
                let last = i + parts.len() - 1;
                if (i..=last).contains(&at) {
                    continue; // the proposal's own word ("the offer")
                }
                let distance = if last < at {
                    at - last
                } else {
                    // After the proposal: only close by ("the plan was rejected").
                    if i > at + 4 {
                        continue;
                    }
                    (i - at) + 10
                };
                found.push((distance, i, last, stance));
            }
        }
    }
    found.sort();
    found.first().map(|&(_, i, last, stance)| (i, last, stance))
}

/// The condition of a sentence, after the cue: the clause after a condition opener.
fn condition(ws: &[Word], from: usize, body: &str, end: usize) -> Option<(usize, usize)> {
    for i in from..ws.len() {
        for opener in CONDITION_CUES {
            if i + opener.len() <= ws.len()
                && opener
                    .iter()
                    .enumerate()
                    .all(|(k, p)| ws[i + k].lower == *p)
            {
                let start = if opener == &["unless"] {
                    ws[i].start
                } else {
                    ws.get(i + opener.len())?.start
                };
                let mut stop = end;
                for (k, c) in body[start..end].char_indices() {
                    if matches!(c, ';' | '.' | '!' | '?') || body[start + k..].starts_with(", ") {
                        stop = start + k;
                        break;
                    }
                }
                let text = body[start..stop].trim_end();
                if text.is_empty() {
                    return None;
                }
                return Some((start, start + text.len()));
            }
        }
    }
    None
}

/// One position read from one sentence, before proposals are joined.
struct Reading {
    article: usize,
    named: Named,
    parties: Vec<String>,
    stance: &'static str,
    conditions: Vec<(usize, usize)>,
    start: usize,
    end: usize,
}

/// The parties of a cue: the sources of the event sitrep found at the cue (or at the proposal
/// noun: "signed the truce" is coded at "truce"), else the closest entity named before the cue
/// in the sentence with those joined to it by "and", else the agent after "by".
fn parties(
    record: &ArticleRecord,
    index: usize,
    canon: &Canon,
    ws: &[Word],
    cue: (usize, usize),
    head: usize,
    sentence: (usize, usize),
) -> Vec<String> {
    let (cue_start, cue_end) = (ws[cue.0].start, ws[cue.1].end);
    let (head_start, head_end) = (ws[head].start, ws[head].end);
    let name_of = |entity: Option<&String>, fallback: &str| {
        canon
            .get(index, entity)
            .map_or_else(|| fallback.to_string(), |c| canon.names[c].clone())
    };
    for e in &record.events {
        let Some(t) = &e.trigger else { continue };
        let at_cue = t.start >= cue_start && t.end <= cue_end;
        let at_head = t.start >= head_start && t.end <= head_end;
        if (at_cue || at_head) && !e.source.is_empty() {
            let mut out: Vec<String> = Vec::new();
            for src in &e.source {
                let name = name_of(src.entity.as_ref(), &src.name);
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            return out;
        }
    }
    // Entity mentions of the sentence, in text order.
    let mut mentions: Vec<(usize, usize, String)> = Vec::new();
    for ent in &record.entities {
        if !matches!(ent.kind.as_str(), "PERSON" | "ORG" | "GPE" | "NORP") {
            continue;
        }
        for m in &ent.mentions {
            if m.start >= sentence.0 && m.end <= sentence.1 {
                mentions.push((m.start, m.end, name_of(Some(&ent.id), &ent.name)));
            }
        }
    }
    mentions.sort();
    let before: Vec<&(usize, usize, String)> =
        mentions.iter().filter(|m| m.1 <= cue_start).collect();
    if let Some(last) = before.last() {
        let mut out = vec![last.2.clone()];
        // "Moravia and Kestria": walk back over mentions joined by "and" or a comma.
        let mut right = last.0;
        for m in before.iter().rev().skip(1) {
            let gap = record.body[m.1..right].trim();
            if matches!(gap, "and" | "," | ", and") {
                if !out.contains(&m.2) {
                    out.insert(0, m.2.clone());
                }
                right = m.0;
            } else {
                break;
            }
        }
        return out;
    }
    let by = ws[cue.1 + 1..]
        .iter()
        .find(|w| w.lower == "by")
        .map(|w| w.end);
    by.and_then(|by| mentions.iter().find(|m| m.0 >= by))
        .map(|m| vec![m.2.clone()])
        .unwrap_or_default()
}

fn readings(records: &[ArticleRecord], canon: &Canon) -> Vec<Reading> {
    let mut out = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let body = &record.body;
        let mut last_key: Option<Named> = None;
        for (start, end) in sentences(body) {
            let ws = words(body, start, end);
            let Some(mut n) = named(&ws, body) else {
                continue;
            };
            if n.anaphoric
                && let Some(prev) = &last_key
            {
                n.key.clone_from(&prev.key);
                n.head.clone_from(&prev.head);
                n.text.clone_from(&prev.text);
                n.anaphoric = false;
            }
            if !n.anaphoric {
                last_key = Some(Named {
                    text: n.text.clone(),
                    key: n.key.clone(),
                    head: n.head.clone(),
                    anaphoric: false,
                    at: n.at,
                });
            }
            let Some((c0, c1, mut stance)) = cue(&ws, n.at) else {
                continue;
            };
            if ws[c0.saturating_sub(2)..c0]
                .iter()
                .any(|w| HEDGES.contains(&w.lower.as_str()))
            {
                continue;
            }
            let negated = ws[c0.saturating_sub(3)..c0]
                .iter()
                .any(|w| NEGATIONS.contains(&w.lower.as_str()));
            if negated && stance == "accepted" {
                stance = "rejected";
            }
            let mut conditions = Vec::new();
            if matches!(stance, "accepted" | "rejected")
                && let Some(span) = condition(&ws, c1 + 1, body, end)
            {
                stance = "conditional";
                conditions.push(span);
            }
            let parties = parties(record, index, canon, &ws, (c0, c1), n.at, (start, end));
            if parties.is_empty() {
                continue;
            }
            out.push(Reading {
                article: index,
                named: n,
                parties,
                stance,
                conditions,
                start,
                end: body[start..end].trim_end().len() + start,
            });
        }
    }
    out
}

/// The proposals of a group of articles and each party's positions on them, in time order.
pub(crate) fn proposals(records: &[ArticleRecord], canon: &Canon) -> Vec<Proposal> {
    let mut rs = readings(records, canon);
    // Time order: publication date (undated last), article id, offset.
    rs.sort_by(|a, b| {
        let (ra, rb) = (&records[a.article], &records[b.article]);
        (ra.published.is_none(), ra.published, &ra.id, a.start).cmp(&(
            rb.published.is_none(),
            rb.published,
            &rb.id,
            b.start,
        ))
    });
    // Keys: a key without modifiers joins the single specific key with its head.
    let mut specific: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for r in &rs {
        if r.named.key.len() > 1 {
            let v = specific.entry(r.named.head.clone()).or_default();
            if !v.contains(&r.named.key) {
                v.push(r.named.key.clone());
            }
        }
    }
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut by_key: BTreeMap<Vec<String>, Proposal> = BTreeMap::new();
    for r in rs {
        if r.named.anaphoric {
            continue; // "the plan" with nothing before it in the article
        }
        let key = match specific.get(&r.named.head) {
            Some(keys) if r.named.key.len() == 1 && keys.len() == 1 => keys[0].clone(),
            _ => r.named.key.clone(),
        };
        let record = &records[r.article];
        let p = by_key.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Proposal {
                subject: r.named.text.clone(),
                variants: Vec::new(),
                positions: Vec::new(),
            }
        });
        let text = r.named.text.clone();
        let wording = text.to_lowercase();
        if wording != p.subject.to_lowercase()
            && !p.variants.iter().any(|v| v.to_lowercase() == wording)
            && r.named.key.len() > 1
        {
            p.variants.push(text);
        }
        let conditions: Vec<SourcedText> = r
            .conditions
            .iter()
            .map(|&(s, e)| SourcedText {
                text: record.body[s..e].to_string(),
                article: record.id.clone(),
                start: s,
                end: e,
            })
            .collect();
        for party in r.parties {
            p.positions.push(Position {
                party,
                stance: r.stance.to_string(),
                conditions: conditions.clone(),
                date: record.published,
                article: record.id.clone(),
                start: r.start,
                end: r.end,
            });
        }
    }
    order
        .into_iter()
        .filter_map(|k| by_key.remove(&k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(s: &str) -> Vec<String> {
        words(s, 0, s.len()).into_iter().map(|w| w.lower).collect()
    }

    #[test]
    fn words_split_negation_and_keep_hyphens() {
        assert_eq!(
            lowers("Norland didn't accept the 30-day cease-fire."),
            [
                "norland",
                "did",
                "n't",
                "accept",
                "the",
                "30-day",
                "cease-fire"
            ]
        );
    }

    #[test]
    fn sentences_break_after_stops() {
        let body = "One ceasefire. Two truce!\n\nThree";
        let s: Vec<&str> = sentences(body).iter().map(|&(a, b)| &body[a..b]).collect();
        assert_eq!(s, ["One ceasefire.", " Two truce!", "Three"]);
    }

    #[test]
    fn generic_head_takes_its_object() {
        let body = "The council refused the proposal for a 30-day truce.";
        let ws = words(body, 0, body.len());
        let n = named(&ws, body);
        assert_eq!(
            n.map(|n| n.key),
            Some(vec!["30-day".into(), "ceasefire".into()])
        );
    }

    #[test]
    fn conditions_end_at_the_clause() {
        let body = "Norland would accept it only if Vestria withdraws, officials said.";
        let ws = words(body, 0, body.len());
        let c = condition(&ws, 0, body, body.len()).map(|(s, e)| &body[s..e]);
        assert_eq!(c, Some("Vestria withdraws"));
    }
}
