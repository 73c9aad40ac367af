//! Quote attribution against PolNeAR (political news attribution relations, brat standoff).
//!
//! Each article's whole text file (title line included) is analysed as the body. Gold: the
//! `Attribution` events (`E` lines) joining `Source`, `Cue` and `Content` spans (possibly
//! discontinuous); brat offsets are characters, converted to bytes. Articles annotated by
//! several annotators count once (the first annotation file in name order).
//!
//! Matching: a predicted quote and a gold attribution match when their content overlap is at
//! least half of the gold content and at least half of the predicted span, counted in
//! characters; pairs are taken greedily by overlap, one-to-one.
//! - **direct**: gold attributions whose content is mostly inside quotation marks (at least
//!   half of its non-space characters; marks pair up within a line, an unclosed mark runs to the
//!   line's end) against predicted `direct` quotes;
//! - **direct_or_partial**: the same gold items against predicted `direct` and `partial` quotes;
//! - **direct_by_the_gold_definition**: the same gold items against predicted `direct` quotes
//!   and the `partial` ones the gold's definition would call direct (mostly inside marks);
//! - **all**: every gold attribution against every predicted quote.
//!
//! Precision counts matched predictions over predictions, recall matched gold items over gold
//! items (a gold utterance split in pieces can be matched by several predictions).
//!
//! Speaker accuracy, over matched pairs (of **all**) whose gold attribution has a source:
//! correct when the predicted speaker mention overlaps the gold source span, or the resolved
//! speaker name contains the gold source's last word (case-insensitive, whole word, not a
//! pronoun). Reported apart for pronoun sources (the whole source is one of a short list of
//! personal pronouns: he, she, they, I, we, you, it, him, her, them, his, their) and named
//! (every other) sources, with the recall of **all** for each group too.
//!
//! Cue match: the share of matched predictions whose cue text, found at its occurrence nearest
//! the quote (within 300 bytes), overlaps the gold cue.
//!
//! Gold statistics: `gold_share_quoted` (mostly inside marks, as above) and
//! `gold_share_with_marks` (content holds any straight or curly double quotation mark), and
//! `gold_share_pronoun_source`.
//!
//! Throughput: articles over the wall-clock seconds of the NLP pipeline plus quote extraction
//! (both parallel over articles), with the two times given apart; reading files and model
//! loading are outside it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use sitrep_model::{Quote, QuoteKind, TextField};

/// One gold attribution, byte spans into the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoldAttribution {
    pub content: Vec<Range<usize>>,
    pub source: Vec<Range<usize>>,
    pub cue: Vec<Range<usize>>,
}

impl GoldAttribution {
    fn content_hull(&self) -> Range<usize> {
        hull(&self.content)
    }
}

fn hull(spans: &[Range<usize>]) -> Range<usize> {
    let start = spans.iter().map(|r| r.start).min().unwrap_or(0);
    let end = spans.iter().map(|r| r.end).max().unwrap_or(0);
    start..end
}

/// Bytes shared by a span list and a range.
fn overlap(spans: &[Range<usize>], r: &Range<usize>) -> usize {
    spans
        .iter()
        .map(|s| s.end.min(r.end).saturating_sub(s.start.max(r.start)))
        .sum()
}

/// Character counts of one text's byte ranges. The scorer measures overlap in characters, so
/// that a curly quotation mark (three bytes in UTF-8) weighs as much as a straight one: in
/// bytes, a one-word quotation with its curly marks and comma (`“Denver,”`, 13 bytes) was not
/// matched by the word inside (6 bytes).
pub struct Chars(Vec<u32>);

impl Chars {
    pub fn new(text: &str) -> Self {
        let mut before = Vec::with_capacity(text.len() + 1);
        let mut n = 0u32;
        for b in text.bytes() {
            before.push(n);
            if b & 0xC0 != 0x80 {
                n += 1;
            }
        }
        before.push(n);
        Chars(before)
    }

    /// Characters in a byte range (clamped to the text).
    fn len(&self, r: &Range<usize>) -> usize {
        let last = self.0.len() - 1;
        let end = r.end.min(last);
        let start = r.start.min(end);
        (self.0[end] - self.0[start]) as usize
    }

    /// Characters that a range shares with a set of spans.
    fn overlap(&self, spans: &[Range<usize>], r: &Range<usize>) -> usize {
        spans
            .iter()
            .map(|s| {
                let (a, b) = (s.start.max(r.start), s.end.min(r.end));
                if b > a { self.len(&(a..b)) } else { 0 }
            })
            .sum()
    }

    fn total(&self, spans: &[Range<usize>]) -> usize {
        spans.iter().map(|s| self.len(s)).sum()
    }
}

/// Parses a brat file into attributions; `text` converts character offsets to bytes.
pub fn parse_brat(ann: &str, text: &str) -> anyhow::Result<Vec<GoldAttribution>> {
    // char index -> byte offset (one past the end included).
    let mut char_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    char_to_byte.push(text.len());
    let byte = |c: usize| -> anyhow::Result<usize> {
        char_to_byte
            .get(c)
            .copied()
            .with_context(|| format!("offset {c} past the end of the text"))
    };
    let mut spans: HashMap<&str, (&str, Vec<Range<usize>>)> = HashMap::new();
    let mut events = Vec::new();
    for (n, line) in ann.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let (kind, ranges) = body
                .split_once(' ')
                .with_context(|| format!("line {}: no span", n + 1))?;
            let mut out = Vec::new();
            for part in ranges.split(';') {
                let (a, b) = part
                    .trim()
                    .split_once(' ')
                    .with_context(|| format!("line {}: bad span {part:?}", n + 1))?;
                let (a, b): (usize, usize) = (a.parse()?, b.parse()?);
                out.push(byte(a)?..byte(b)?);
            }
            spans.insert(id, (kind, out));
        } else if id.starts_with('E') {
            events.push(body);
        }
    }
    let mut out = Vec::new();
    for body in events {
        let mut att = GoldAttribution::default();
        let mut is_attribution = false;
        for arg in body.split_whitespace() {
            let Some((role, id)) = arg.split_once(':') else {
                continue;
            };
            let Some((_, ranges)) = spans.get(id) else {
                continue;
            };
            match role.trim_end_matches(char::is_numeric) {
                "Attribution" | "Attribution-no-source" => is_attribution = true,
                "Content" => att.content.extend(ranges.iter().cloned()),
                "Source" => att.source.extend(ranges.iter().cloned()),
                "Cue" => att.cue.extend(ranges.iter().cloned()),
                _ => {}
            }
        }
        if is_attribution && !att.content.is_empty() {
            out.push(att);
        }
    }
    Ok(out)
}

/// Whether most of a content's non-space bytes lie inside quotation marks.
pub fn mostly_quoted(text: &str, content: &[Range<usize>]) -> bool {
    mostly_inside(&quoted_mask(text), text, content)
}

/// [`mostly_quoted`] with the text's [`quoted_mask`] computed once by the caller.
fn mostly_inside(inside: &[bool], text: &str, content: &[Range<usize>]) -> bool {
    let (mut q, mut all) = (0usize, 0usize);
    for r in content {
        for (i, c) in text[r.clone()].char_indices() {
            if !c.is_whitespace() {
                all += 1;
                if inside[r.start + i] {
                    q += 1;
                }
            }
        }
    }
    all > 0 && 2 * q >= all
}

/// Whether a content holds any double quotation mark, straight or curly.
pub fn has_marks(text: &str, content: &[Range<usize>]) -> bool {
    content.iter().any(|r| {
        text[r.clone()].contains(['"', '“', '”', '«', '»', '„']) || text[r.clone()].contains("''")
    })
}

/// For each byte: inside quotation marks (marks included), paired per line. Double marks
/// (straight, curly, guillemets, two apostrophes) pair as they come, and an open one runs to the
/// end of its line (a quotation continued in the next paragraph). Single marks (curly or
/// straight, as in headlines: Mayor: ‘We Will Rebuild’) open only at the start of a word and
/// close only at the end of one, so an apostrophe inside a word ("Ann’s", "don't") never pairs;
/// an unclosed single mark marks nothing.
fn quoted_mask(text: &str) -> Vec<bool> {
    let mut mask = vec![false; text.len()];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut open: Option<usize> = None;
        let mut single: Option<usize> = None;
        let mut prev: Option<char> = None;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let at = line_start + i;
            // Two apostrophes ('') are a double quotation mark (the mark spans both).
            let c = if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
                '\u{1}'
            } else {
                c
            };
            let next = chars.peek().map(|&(_, n)| n);
            match c {
                '\u{1}' => match open.take() {
                    Some(s) => mask[s..at + 2].fill(true),
                    None => open = Some(at),
                },
                '“' | '«' | '„' => open = open.or(Some(at)),
                '”' | '»' => {
                    if let Some(s) = open.take() {
                        mask[s..at + c.len_utf8()].fill(true);
                    }
                }
                '"' => match open.take() {
                    Some(s) => mask[s..at + 1].fill(true),
                    None => open = Some(at),
                },
                '‘' | '’' | '\'' => {
                    if single.is_some() && closes_single(prev, next) {
                        if let Some(s) = single.take() {
                            mask[s..at + c.len_utf8()].fill(true);
                        }
                    } else if c != '’' && opens_single(prev, next) {
                        single = Some(at);
                    }
                }
                _ => {}
            }
            prev = Some(if c == '\u{1}' { '"' } else { c });
        }
        if let Some(s) = open {
            mask[s..line_start + line.len()].fill(true);
        }
        line_start += line.len();
    }
    mask
}

/// A single quotation mark opens a quotation at the start of a word: after a space, an opening
/// bracket or mark, a dash or colon, or at the start of the line, and before a non-space.
fn opens_single(prev: Option<char>, next: Option<char>) -> bool {
    let after = prev.is_none_or(|p| {
        p.is_whitespace() || matches!(p, '(' | '[' | '“' | '"' | '—' | '–' | '-' | ':' | '«')
    });
    after && next.is_some_and(|n| !n.is_whitespace())
}

/// A single quotation mark closes one at the end of a word: after a non-space and before a
/// space, punctuation or the end of the line (not a letter or digit, as in "Ann’s").
fn closes_single(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(|p| !p.is_whitespace()) && next.is_none_or(|n| !n.is_alphanumeric())
}

/// Matches predicted quotes to gold attributions; returns (gold index, predicted index) pairs.
///
/// First greedily one-to-one by overlap (at least half of the gold content and half of the
/// predicted span). Then, as annotators often join the pieces of one utterance ("“A,” she
/// said, “B.”") into one content, a gold attribution still unmatched is matched by the
/// unmatched predictions lying at least half inside it, when together they cover at least
/// half of it; and unmatched predictions lying at least half inside a matched gold
/// attribution join its match.
pub fn match_quotes(
    chars: &Chars,
    gold: &[&GoldAttribution],
    pred: &[&Quote],
) -> Vec<(usize, usize)> {
    let mut candidates = Vec::new();
    for (g, att) in gold.iter().enumerate() {
        let g_len = chars.total(&att.content);
        for (p, q) in pred.iter().enumerate() {
            let r = q.start..q.end;
            let ov = chars.overlap(&att.content, &r);
            if ov > 0 && 2 * ov >= g_len && 2 * ov >= chars.len(&r) {
                candidates.push((ov, g, p));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut g_used, mut p_used) = (vec![false; gold.len()], vec![false; pred.len()]);
    let mut out = Vec::new();
    for (_, g, p) in candidates {
        if !g_used[g] && !p_used[p] {
            g_used[g] = true;
            p_used[p] = true;
            out.push((g, p));
        }
    }
    // Pieces of an utterance whose gold content is already matched (as a whole, by its
    // longest piece) are part of that match, not false alarms.
    for (g, p) in out.clone() {
        for (k, q) in pred.iter().enumerate() {
            let r = q.start..q.end;
            if k != p
                && !p_used[k]
                && 2 * chars.overlap(&gold[g].content, &r) >= chars.len(&r).max(1)
            {
                p_used[k] = true;
                out.push((g, k));
            }
        }
    }
    for (g, att) in gold.iter().enumerate() {
        if g_used[g] {
            continue;
        }
        let parts: Vec<usize> = (0..pred.len())
            .filter(|&p| {
                let r = pred[p].start..pred[p].end;
                !p_used[p] && 2 * chars.overlap(&att.content, &r) >= chars.len(&r).max(1)
            })
            .collect();
        let covered: usize = parts
            .iter()
            .map(|&p| chars.overlap(&att.content, &(pred[p].start..pred[p].end)))
            .sum();
        if parts.len() > 1 && 2 * covered >= chars.total(&att.content) {
            g_used[g] = true;
            for p in parts {
                p_used[p] = true;
                out.push((g, p));
            }
        }
    }
    out
}

/// Precision over predictions, recall over gold items (one gold item can be matched by
/// several predictions, see [`match_quotes`]).
fn prf(pairs: &[(usize, usize)], pred: usize, gold: usize) -> Prf {
    let golds: std::collections::HashSet<usize> = pairs.iter().map(|x| x.0).collect();
    Prf {
        tp: golds.len(),
        tp_pred: pairs.len(),
        pred,
        gold,
    }
}

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "i", "we", "you", "it", "him", "her", "them", "his", "their",
];

fn is_pronoun(text: &str) -> bool {
    PRONOUNS.contains(&text.trim().to_lowercase().as_str())
}

/// Whether the predicted speaker is the gold source.
pub fn speaker_correct(text: &str, att: &GoldAttribution, q: &Quote) -> bool {
    let Some(sp) = &q.speaker else {
        return false;
    };
    if overlap(&att.source, &(sp.mention.start..sp.mention.end)) > 0 {
        return true;
    }
    let source = hull(&att.source);
    let last = text[source]
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .unwrap_or("");
    !last.is_empty() && !is_pronoun(last) && {
        let name = sp.name.to_lowercase();
        name.split(|c: char| !c.is_alphanumeric())
            .any(|w| w == last.to_lowercase())
    }
}

#[derive(Default, Clone, Copy)]
struct Prf {
    /// Gold items matched.
    tp: usize,
    /// Predictions matched.
    tp_pred: usize,
    pred: usize,
    gold: usize,
}

impl Prf {
    fn json(&self) -> serde_json::Value {
        let p = self.tp_pred as f64 / self.pred.max(1) as f64;
        let r = self.tp as f64 / self.gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        serde_json::json!({"precision": round(p), "recall": round(r), "f1": round(f),
            "gold_matched": self.tp, "predicted_matched": self.tp_pred, "predicted": self.pred, "gold": self.gold})
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Default, Clone, Copy)]
struct Counts {
    direct: Prf,
    direct_or_partial: Prf,
    direct_as_gold: Prf,
    all: Prf,
    /// Gold items with a pronoun source, and those matched.
    all_pronoun: Prf,
    /// Gold items with a named (non-pronoun) source, and those matched.
    all_named: Prf,
    speaker_ok: usize,
    speaker_n: usize,
    pronoun_ok: usize,
    pronoun_n: usize,
    cue_ok: usize,
    gold_quoted: usize,
    gold_marks: usize,
    gold_pronoun: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        for (a, b) in [
            (&mut self.direct, o.direct),
            (&mut self.direct_or_partial, o.direct_or_partial),
            (&mut self.direct_as_gold, o.direct_as_gold),
            (&mut self.all, o.all),
            (&mut self.all_pronoun, o.all_pronoun),
            (&mut self.all_named, o.all_named),
        ] {
            a.tp += b.tp;
            a.tp_pred += b.tp_pred;
            a.pred += b.pred;
            a.gold += b.gold;
        }
        self.speaker_ok += o.speaker_ok;
        self.speaker_n += o.speaker_n;
        self.pronoun_ok += o.pronoun_ok;
        self.pronoun_n += o.pronoun_n;
        self.cue_ok += o.cue_ok;
        self.gold_quoted += o.gold_quoted;
        self.gold_marks += o.gold_marks;
        self.gold_pronoun += o.gold_pronoun;
    }
}

/// `-v`: each gold item `m` left unmatched, with the predictions overlapping it.
fn list_missed(
    label: &str,
    text: &str,
    gold: &[&GoldAttribution],
    m: &[(usize, usize)],
    pred: &[&Quote],
) {
    for (g, a) in gold.iter().enumerate() {
        if m.iter().any(|x| x.0 == g) {
            continue;
        }
        let span = a.content_hull();
        let near: Vec<String> = pred
            .iter()
            .filter(|q| q.start < span.end && span.start < q.end)
            .map(|q| format!("{:?} {:?}", q.kind, short(&q.text)))
            .collect();
        eprintln!(
            "{label} missed cue {:?} content {:?} predicted {near:?}",
            &text[hull(&a.cue)],
            short(&text[span])
        );
    }
}

/// `-v`: the shares of the gold content and of the prediction that overlap, in characters
/// ("[g0.40 p1.00]").
fn overlap_shares(chars: &Chars, a: &GoldAttribution, q: &Quote) -> String {
    let ov = chars.overlap(&a.content, &(q.start..q.end)) as f64;
    format!(
        "[g{:.2} p{:.2}]",
        ov / chars.total(&a.content).max(1) as f64,
        ov / chars.len(&(q.start..q.end)).max(1) as f64
    )
}

/// Scores one article's predicted quotes (body quotes only) against its gold attributions.
fn score(text: &str, gold: &[GoldAttribution], quotes: &[Quote], verbose: Option<&str>) -> Counts {
    let pred: Vec<&Quote> = quotes
        .iter()
        .filter(|q| q.field == TextField::Body)
        .collect();
    let chars = Chars::new(text);
    let inside = quoted_mask(text);
    let gold_all: Vec<&GoldAttribution> = gold.iter().collect();
    let mut c = Counts::default();
    // Direct quotes.
    let gold_direct: Vec<&GoldAttribution> = gold
        .iter()
        .filter(|a| mostly_inside(&inside, text, &a.content))
        .collect();
    let pred_direct: Vec<&Quote> = pred
        .iter()
        .copied()
        .filter(|q| q.kind == QuoteKind::Direct)
        .collect();
    let m = match_quotes(&chars, &gold_direct, &pred_direct);
    c.direct = prf(&m, pred_direct.len(), gold_direct.len());
    if let Some(name) = verbose {
        list_missed(&format!("{name}: direct"), text, &gold_direct, &m, &pred);
    }
    c.gold_quoted = gold_direct.len();
    let pred_dp: Vec<&Quote> = pred
        .iter()
        .copied()
        .filter(|q| matches!(q.kind, QuoteKind::Direct | QuoteKind::Partial))
        .collect();
    let m = match_quotes(&chars, &gold_direct, &pred_dp);
    c.direct_or_partial = prf(&m, pred_dp.len(), gold_direct.len());
    // The gold's own definition applied to our output: a partial quote whose words are mostly
    // inside quotation marks counts as direct (our kinds keep it partial: its lead-in is not
    // verbatim).
    let pred_as_gold: Vec<&Quote> = pred_dp
        .iter()
        .copied()
        .filter(|q| {
            q.kind == QuoteKind::Direct
                || mostly_inside(&inside, text, std::slice::from_ref(&(q.start..q.end)))
        })
        .collect();
    let m = match_quotes(&chars, &gold_direct, &pred_as_gold);
    c.direct_as_gold = prf(&m, pred_as_gold.len(), gold_direct.len());
    if let Some(name) = verbose {
        // The gold's definition: its misses and our extra predictions.
        list_missed(&format!("{name}: quoted"), text, &gold_direct, &m, &pred);
        for (p, q) in pred_as_gold.iter().enumerate() {
            if !m.iter().any(|x| x.1 == p) {
                let near: Vec<String> = gold_all
                    .iter()
                    .filter(|a| {
                        let span = a.content_hull();
                        q.start < span.end && span.start < q.end
                    })
                    .map(|a| {
                        format!(
                            "{} {}",
                            overlap_shares(&chars, a, q),
                            short(&text[a.content_hull()])
                        )
                    })
                    .collect();
                eprintln!(
                    "{name}: quoted extra {:?} {:?} gold near {near:?}",
                    q.kind,
                    short(&q.text)
                );
            }
        }
    }
    c.gold_marks = gold.iter().filter(|a| has_marks(text, &a.content)).count();
    // All attributions, and speakers.
    let m = match_quotes(&chars, &gold_all, &pred);
    c.all = prf(&m, pred.len(), gold_all.len());
    let pronoun_source = |a: &GoldAttribution| is_pronoun(&text[hull(&a.source)]);
    let matched: std::collections::HashSet<usize> = m.iter().map(|x| x.0).collect();
    for (g, a) in gold_all.iter().enumerate() {
        if a.source.is_empty() {
            continue;
        }
        let group = if pronoun_source(a) {
            c.gold_pronoun += 1;
            &mut c.all_pronoun
        } else {
            &mut c.all_named
        };
        group.gold += 1;
        group.tp += usize::from(matched.contains(&g));
    }
    for &(g, p) in &m {
        let (att, q) = (gold_all[g], pred[p]);
        if let Some(cue) = &q.cue
            && let Some(pos) = cue_position(text, q, cue)
            && overlap(&att.cue, &pos) > 0
        {
            c.cue_ok += 1;
        }
        if att.source.is_empty() {
            continue;
        }
        let ok = speaker_correct(text, att, q);
        c.speaker_n += 1;
        c.speaker_ok += usize::from(ok);
        if is_pronoun(&text[hull(&att.source)]) {
            c.pronoun_n += 1;
            c.pronoun_ok += usize::from(ok);
        }
        if let (Some(name), false) = (verbose, ok) {
            eprintln!(
                "{name}: speaker {:?} ({:?}) for {:?} {:?} cue {:?}, gold {:?}",
                q.speaker.as_ref().map(|s| &s.name),
                q.speaker.as_ref().map(|s| &s.mention.text),
                q.kind,
                short(&q.text),
                q.cue,
                &text[hull(&att.source)]
            );
        }
    }
    if let Some(name) = verbose {
        let matched_g: Vec<usize> = m.iter().map(|x| x.0).collect();
        let matched_p: Vec<usize> = m.iter().map(|x| x.1).collect();
        for (g, a) in gold_all.iter().enumerate() {
            if !matched_g.contains(&g) {
                let span = a.content_hull();
                let near: Vec<String> = pred
                    .iter()
                    .filter(|q| q.start < span.end && span.start < q.end)
                    .map(|q| {
                        format!(
                            "{:?} {} {:?}",
                            q.kind,
                            overlap_shares(&chars, a, q),
                            short(&q.text)
                        )
                    })
                    .collect();
                eprintln!(
                    "{name}: missed{} cue {:?} source {:?} content {:?} predicted {near:?}",
                    if mostly_quoted(text, &a.content) {
                        " direct"
                    } else {
                        ""
                    },
                    &text[hull(&a.cue)],
                    &text[hull(&a.source)],
                    short(&text[a.content_hull()])
                );
            }
        }
        for (p, q) in pred.iter().enumerate() {
            if matched_p.contains(&p) {
                eprintln!(
                    "{name}: found {:?} cue {:?} speaker {:?} {:?}",
                    q.kind,
                    q.cue,
                    q.speaker.as_ref().map(|s| &s.mention.text),
                    short(&q.text)
                );
            } else {
                eprintln!(
                    "{name}: extra {:?} cue {:?} speaker {:?} {:?}",
                    q.kind,
                    q.cue,
                    q.speaker.as_ref().map(|s| &s.mention.text),
                    short(&q.text)
                );
            }
        }
    }
    c
}

/// Where the cue is: the nearest occurrence of the cue text to the quote.
fn cue_position(text: &str, q: &Quote, cue: &str) -> Option<Range<usize>> {
    let lo = q.start.saturating_sub(300);
    let hi = (q.end + 300).min(text.len());
    let (lo, hi) = (floor_char(text, lo), floor_char(text, hi));
    text[lo..hi]
        .match_indices(cue)
        .map(|(i, _)| lo + i..lo + i + cue.len())
        .min_by_key(|r| r.start.abs_diff(q.start).min(r.start.abs_diff(q.end)))
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn short(s: &str) -> String {
    // SITREP_POLNEAR_WIDTH widens the listing for error analysis.
    let width = std::env::var("SITREP_POLNEAR_WIDTH")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(80);
    s.chars().take(width).collect()
}

/// The (text, annotation) file pairs of a split: one annotation per text.
fn documents(split_dir: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut anns: Vec<PathBuf> = std::fs::read_dir(split_dir.join("attributions"))
        .with_context(|| format!("cannot read {}", split_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    anns.sort();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for ann in anns {
        let stem = ann.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let base = stem.rsplit_once('_').map_or(stem, |(b, _)| b);
        if !seen.insert(base.to_string()) {
            continue;
        }
        let text = split_dir.join("text").join(format!("{base}.txt"));
        if text.exists() {
            out.push((text, ann));
        }
    }
    Ok(out)
}

/// The (name, text, gold) triples of a split, the first `limit` articles if given.
fn read_split(
    root: &Path,
    split: &str,
    limit: Option<usize>,
) -> anyhow::Result<Vec<(String, String, Vec<GoldAttribution>)>> {
    let mut docs = documents(&root.join(split))?;
    if let Some(n) = limit {
        docs.truncate(n);
    }
    docs.iter()
        .map(|(t, a)| -> anyhow::Result<_> {
            let text = std::fs::read_to_string(t)
                .with_context(|| format!("cannot read {}", t.display()))?;
            let ann = std::fs::read_to_string(a)
                .with_context(|| format!("cannot read {}", a.display()))?;
            let gold = parse_brat(&ann, &text).with_context(|| format!("{}", a.display()))?;
            let name = t
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            Ok((name, text, gold))
        })
        .collect()
}

/// `sitrep-eval polnear`: quote detection and speaker accuracy on PolNeAR; `rules_only`
/// leaves the learned attribution filter out.
pub fn run(
    data: &Path,
    splits: &[&str],
    limit: Option<usize>,
    verbose: bool,
    rules_only: bool,
) -> anyhow::Result<serde_json::Value> {
    let root = data.join("quotes/polnear/data");
    let model = sitrep_nlp::default_model_dir();
    let load = Instant::now();
    let analyzer = sitrep_extract::Analyzer::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let load_s = load.elapsed().as_secs_f64();
    let mut report = serde_json::Map::new();
    for split in splits {
        let inputs = read_split(&root, split, limit)?;
        let started = Instant::now();
        let docs_nlp: Vec<sitrep_nlp::Doc> = inputs
            .par_iter()
            .map(|(_, text, _)| analyzer.pipeline().analyze(text))
            .collect();
        let nlp_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let extracted: Vec<Vec<Quote>> = docs_nlp
            .par_iter()
            .map(|d| {
                if rules_only {
                    let resolution = sitrep_extract::entities::resolve(d);
                    sitrep_extract::quotes::find_by_rules(d, &resolution)
                } else {
                    sitrep_extract::extract(d).quotes
                }
            })
            .collect();
        let extract_s = started.elapsed().as_secs_f64();
        let mut c = Counts::default();
        for ((name, text, gold), quotes) in inputs.iter().zip(&extracted) {
            c.add(&score(text, gold, quotes, verbose.then_some(name.as_str())));
        }
        let n = inputs.len();
        report.insert(
            split.to_string(),
            serde_json::json!({
                "articles": n,
                "gold_attributions": c.all.gold,
                "gold_share_quoted": round(c.gold_quoted as f64 / c.all.gold.max(1) as f64),
                "gold_share_with_marks": round(c.gold_marks as f64 / c.all.gold.max(1) as f64),
                "gold_share_pronoun_source": round(c.gold_pronoun as f64 / c.all.gold.max(1) as f64),
                "direct": c.direct.json(),
                "direct_by_the_gold_definition": c.direct_as_gold.json(),
                "direct_or_partial": c.direct_or_partial.json(),
                "recall_pronoun_sources": round(c.all_pronoun.tp as f64 / c.all_pronoun.gold.max(1) as f64),
                "recall_named_sources": round(c.all_named.tp as f64 / c.all_named.gold.max(1) as f64),
                "all": c.all.json(),
                "speaker_accuracy": round(c.speaker_ok as f64 / c.speaker_n.max(1) as f64),
                "speaker_pairs": c.speaker_n,
                "speaker_accuracy_pronoun_sources": round(c.pronoun_ok as f64 / c.pronoun_n.max(1) as f64),
                "pronoun_pairs": c.pronoun_n,
                "speaker_accuracy_named_sources": round((c.speaker_ok - c.pronoun_ok) as f64 / (c.speaker_n - c.pronoun_n).max(1) as f64),
                "cue_match": round(c.cue_ok as f64 / c.all.tp_pred.max(1) as f64),
                "articles_per_s_nlp_and_quotes": round(n as f64 / (nlp_s + extract_s)),
                "seconds_nlp": round(nlp_s),
                "seconds_quotes": round(extract_s),
                "model_load_s": round(load_s),
            }),
        );
    }
    Ok(serde_json::Value::Object(report))
}

/// Whether a predicted quote matches a gold attribution by the scorer's overlap rule (at least
/// half of the gold content and half of the span, in characters) with the right speaker (when
/// the gold has a source), so that the filter learns to keep speaker accuracy.
fn matches_gold(text: &str, chars: &Chars, gold: &[GoldAttribution], q: &Quote) -> bool {
    let span = q.start..q.end;
    gold.iter().any(|g| {
        let ov = chars.overlap(&g.content, &span);
        ov > 0
            && 2 * ov >= chars.total(&g.content)
            && 2 * ov >= chars.len(&span)
            && (g.source.is_empty() || speaker_correct(text, g, q))
    })
}

fn f1(p: &Prf) -> (f64, f64, f64) {
    let pr = p.tp_pred as f64 / p.pred.max(1) as f64;
    let r = p.tp as f64 / p.gold.max(1) as f64;
    let f = if pr + r > 0.0 {
        2.0 * pr * r / (pr + r)
    } else {
        0.0
    };
    (pr, r, f)
}

/// All-attribution counts of the rules' quotes with the candidates `filter` accepts.
fn score_with(
    inputs: &[&(String, String, Vec<GoldAttribution>)],
    found: &[&(Vec<Quote>, Vec<sitrep_extract::quotes::Candidate>)],
    filter: &sitrep_extract::attribution::Filter,
) -> Counts {
    let mut c = Counts::default();
    for ((_, text, gold), (rules, cands)) in inputs.iter().zip(found) {
        let quotes = sitrep_extract::quotes::accept(rules.clone(), cands.clone(), filter);
        c.add(&score(text, gold, &quotes, None));
    }
    c
}

/// The lowest held-out speaker accuracy a threshold may give (the target).
const MIN_SPEAKER_ACCURACY: f64 = 0.90;

/// `sitrep-eval polnear-fit`: fits the attribution filter on PolNeAR train only and writes it
/// to `out`. Candidates are labelled by the scorer's overlap rule (in characters, with the
/// right speaker); models fitted on three quarters of train (article index % 4 != 0), each
/// learner of a fixed grid (logistic regression by epochs and L2, boosted trees by depth and
/// rounds), pick the learner and threshold that maximise all-attribution F1 on the held-out
/// quarter (keeping its speaker accuracy at 0.90 or more); the committed model is then fitted
/// on all of train with them. `same_as_committed` in the output says whether the file written
/// is byte for byte the one built into sitrep-extract.
pub fn fit(data: &Path, out: &Path, limit: Option<usize>) -> anyhow::Result<serde_json::Value> {
    // The experiment settings are read first: a bad one stops the fit before its minutes of
    // analysis.
    let (grid, rounds_at) = boosting_grid()?;
    use sitrep_extract::attribution::{Boosting, Filter, Settings};
    let root = data.join("quotes/polnear/data");
    let model = sitrep_nlp::default_model_dir();
    let analyzer = sitrep_extract::Analyzer::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let inputs = read_split(&root, "train", limit)?;
    let analysed: Vec<(RulesAndCandidates, Vec<&'static str>)> = inputs
        .par_iter()
        .map(|(_, text, gold)| {
            let doc = analyzer.pipeline().analyze(text);
            let resolution = sitrep_extract::entities::resolve(&doc);
            let cues = gold.iter().map(|g| cue_kind(&doc, g)).collect();
            (
                sitrep_extract::quotes::rules_and_candidates(&doc, &resolution),
                cues,
            )
        })
        .collect();
    let (mut found, cue_kinds): (Vec<_>, Vec<_>) = analysed.into_iter().unzip();
    // For experiments only: candidates with one of the comma-separated features of
    // `SITREP_FIT_DROP_ROWS` are left out of fitting and of the held-out measure.
    if let Ok(drop) = std::env::var("SITREP_FIT_DROP_ROWS") {
        let names: Vec<&str> = drop.split(',').filter(|x| !x.is_empty()).collect();
        for (_, cands) in &mut found {
            cands.retain(|c| !c.features.iter().any(|f| names.contains(&f.as_str())));
        }
    }
    let coverage = coverage_by_cue(&inputs, &found, &cue_kinds);
    let variants = variant_coverage(&inputs, &found);
    let mut rows: Vec<(usize, Vec<String>, bool)> = Vec::new();
    for (i, ((_, text, gold), (_, cands))) in inputs.iter().zip(&found).enumerate() {
        let chars = Chars::new(text);
        for c in cands {
            // A span variant of a rule quote is right where it matches and its quote does
            // not: accepting it replaces the quote.
            let right = matches_gold(text, &chars, gold, &c.quote)
                && c.replaces.is_none_or(|r| {
                    found[i]
                        .0
                        .get(r)
                        .is_none_or(|q| !matches_gold(text, &chars, gold, q))
                });
            rows.push((i, c.features.clone(), right));
        }
    }
    // For experiments only: features whose names start with one of the comma-separated
    // prefixes of `SITREP_FIT_DROP` are left out (the committed model is fitted with all).
    if let Ok(drop) = std::env::var("SITREP_FIT_DROP") {
        let prefixes: Vec<&str> = drop.split(',').filter(|x| !x.is_empty()).collect();
        for r in &mut rows {
            r.1.retain(|f| !prefixes.iter().any(|p| f.starts_with(p)));
        }
    }
    let held = |i: usize| i.is_multiple_of(4);
    let part: Vec<(&[String], bool)> = rows
        .iter()
        .filter(|r| !held(r.0))
        .map(|r| (r.1.as_slice(), r.2))
        .collect();
    let held_in: Vec<_> = inputs
        .iter()
        .enumerate()
        .filter(|x| held(x.0))
        .map(|x| x.1)
        .collect();
    let held_found: Vec<_> = found
        .iter()
        .enumerate()
        .filter(|x| held(x.0))
        .map(|x| x.1)
        .collect();
    let rules = score_with(&held_in, &held_found, &Filter::none());
    let (rp, rr, rf) = f1(&rules.all);
    let speakers = |c: &Counts| c.speaker_ok as f64 / c.speaker_n.max(1) as f64;
    // Learner, settings and threshold: the best all-attribution F1 on the held-out quarter,
    // speaker accuracy kept at 0.90 or more (the target).
    let mut curve = Vec::new();
    let mut best = (rf, f64::INFINITY, Learner::Linear(Settings::default()));
    let mut sweep = |m: &Filter, learner: Learner| {
        let rows: Vec<(f64, Counts)> = THRESHOLDS
            .par_iter()
            .map(|&t| {
                let mut m = m.clone();
                m.threshold = t;
                (t, score_with(&held_in, &held_found, &m))
            })
            .collect();
        for (t, c) in rows {
            let (p, r, f) = f1(&c.all);
            let mut row = learner.json();
            row["threshold"] = round(t).into();
            row["precision"] = round(p).into();
            row["recall"] = round(r).into();
            row["f1"] = round(f).into();
            row["speaker_accuracy"] = round(speakers(&c)).into();
            curve.push(row);
            if f > best.0 && speakers(&c) >= MIN_SPEAKER_ACCURACY {
                best = (f, t, learner);
            }
        }
    };
    let timer = Instant::now();
    if std::env::var_os("SITREP_FIT_NO_LINEAR").is_none() {
        for epochs in [2, 4, 8] {
            for l2 in [1e-4, 1e-3, 3e-3, 1e-2] {
                let tried = Settings {
                    epochs,
                    l2,
                    ..Settings::default()
                };
                sweep(&Filter::fit(&part, tried, 0.5), Learner::Linear(tried));
            }
        }
        eprintln!(
            "polnear-fit: linear grid done at {:.0} s",
            timer.elapsed().as_secs_f64()
        );
    }
    for tried in grid {
        let tried = Boosting {
            rounds: *rounds_at.last().unwrap_or(&0),
            ..tried
        };
        Filter::fit_boosted(&part, tried, 0.5, |m| {
            if rounds_at.contains(&m.trees()) {
                let at = Boosting {
                    rounds: m.trees(),
                    ..tried
                };
                sweep(m, Learner::Boosted(at));
            }
        });
        eprintln!(
            "polnear-fit: trees depth {} shrinkage {} subsample {} colsample {} min_hessian {} done at {:.0} s",
            tried.depth,
            tried.shrinkage,
            tried.subsample,
            tried.colsample,
            tried.min_hessian,
            timer.elapsed().as_secs_f64()
        );
    }
    let (threshold, learner) = (best.1, best.2);
    let all: Vec<(&[String], bool)> = rows.iter().map(|r| (r.1.as_slice(), r.2)).collect();
    let final_model = match learner {
        Learner::Linear(settings) => Filter::fit(&all, settings, threshold),
        Learner::Boosted(settings) => Filter::fit_boosted(&all, settings, threshold, |_| ()),
    };
    let positives = rows.iter().filter(|r| r.2).count();
    let comment = format!(
        "Attribution filter (sitrep-extract attribution): {} over\n\
         the broad candidates of sitrep-extract quotes::broad that the rules did not produce,\n\
         generated by `sitrep-eval polnear-fit --out FILE` on PolNeAR train only ({} articles,\n\
         {} candidates, {} matching a gold attribution), {}.\n\
         Learner, settings and threshold picked on the held-out quarter of train (article\n\
         index % 4 == 0) with models fitted on the rest: all-attribution F1 {:.3} (rules\n\
         alone {:.3}).\n\
         Lines: threshold, bias, feature weights (feature, weight), trees (preorder: s:FEATURE\n\
         splits on its presence, absent side first; v:MARGIN leaves).",
        learner.describe(),
        inputs.len(),
        rows.len(),
        positives,
        learner.settings(),
        best.0,
        rf
    );
    let text = final_model.to_tsv(&comment);
    std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(serde_json::json!({
        "articles": inputs.len(),
        "candidates": rows.len(),
        "positives": positives,
        "held_out_rules_only": {"precision": round(rp), "recall": round(rr), "f1": round(rf),
            "speaker_accuracy": round(speakers(&rules))},
        "held_out_by_threshold": curve,
        "learner": learner.json(),
        "held_out_f1": round(best.0),
        "threshold": if threshold.is_finite() { round(threshold) } else { -1.0 },
        "weights": final_model.len(),
        "trees": final_model.trees(),
        "same_as_committed": text == sitrep_extract::attribution::WEIGHTS,
        "gold_by_cue_kind": coverage,
        "span_variants": variants,
        "out": out.display().to_string(),
    }))
}

/// One article's rule quotes and broad candidates.
type RulesAndCandidates = (Vec<Quote>, Vec<sitrep_extract::quotes::Candidate>);

/// The kind of a gold attribution's cue by the tag of its first token: verb, noun,
/// adjective, preposition, "according to", other, or none (no cue annotated).
fn cue_kind(doc: &sitrep_nlp::Doc, g: &GoldAttribution) -> &'static str {
    let Some(first) = g.cue.iter().map(|r| r.start).min() else {
        return "none";
    };
    let Some(t) = doc
        .tokens
        .iter()
        .position(|t| t.start <= first && first < t.end.max(t.start + 1))
    else {
        return "other";
    };
    let word = doc.token_text(t).to_lowercase();
    if word == "according" {
        return "according_to";
    }
    match doc.tokens[t].tag.as_str() {
        x if x.starts_with("VB") => "verb",
        x if x.starts_with("NN") => "noun",
        "JJ" | "JJR" | "JJS" => "adjective",
        "IN" | "TO" => "preposition",
        _ => "other",
    }
}

/// Gold attributions of train by cue kind: all of them, those with no rule quote or broad
/// candidate overlapping their content at all (no candidate the filter could accept), and
/// those with one matching by the scorer's rule (the generator's ceiling).
fn coverage_by_cue(
    inputs: &[(String, String, Vec<GoldAttribution>)],
    found: &[(Vec<Quote>, Vec<sitrep_extract::quotes::Candidate>)],
    kinds: &[Vec<&'static str>],
) -> serde_json::Value {
    let mut table: std::collections::BTreeMap<&str, [usize; 3]> = Default::default();
    for (((_, text, gold), (rules, cands)), kinds) in inputs.iter().zip(found).zip(kinds) {
        let chars = Chars::new(text);
        let spans: Vec<&Quote> = rules.iter().chain(cands.iter().map(|c| &c.quote)).collect();
        for (g, kind) in gold.iter().zip(kinds) {
            let row = table.entry(kind).or_default();
            row[0] += 1;
            let near = spans
                .iter()
                .any(|q| overlap(&g.content, &(q.start..q.end)) > 0);
            if !near {
                row[1] += 1;
            } else if spans
                .iter()
                .any(|q| matches_gold(text, &chars, std::slice::from_ref(g), q))
            {
                row[2] += 1;
            }
        }
    }
    table
        .into_iter()
        .map(|(k, [all, none, matching])| {
            (
                k.to_string(),
                serde_json::json!({"gold": all, "no_candidate_overlapping": none,
                    "a_candidate_matching": matching}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Gold attributions that a rule quote or a candidate (not a span variant) overlaps without
/// matching, by the best overlapping one's shares (ours too long: the gold takes under half
/// of it; too short: it takes under half of the gold), and of those the ones a span variant
/// matches: what span variants could win. With `SITREP_VARIANT_DUMP` set (experiments only)
/// each such gold is written to stderr (`VARDUMP`, class, rule or candidate, gold, ours).
fn variant_coverage(
    inputs: &[(String, String, Vec<GoldAttribution>)],
    found: &[(Vec<Quote>, Vec<sitrep_extract::quotes::Candidate>)],
) -> serde_json::Value {
    let mut counts = [[0usize; 2]; 3];
    for ((_, text, gold), (rules, cands)) in inputs.iter().zip(found) {
        let chars = Chars::new(text);
        let plain: Vec<&Quote> = rules
            .iter()
            .chain(cands.iter().filter(|c| !c.variant).map(|c| &c.quote))
            .collect();
        for g in gold {
            let one = std::slice::from_ref(g);
            if plain.iter().any(|q| matches_gold(text, &chars, one, q)) {
                continue;
            }
            let Some((ov, q)) = plain
                .iter()
                .map(|q| (chars.overlap(&g.content, &(q.start..q.end)), q))
                .filter(|x| x.0 > 0)
                .max_by_key(|x| x.0)
            else {
                continue;
            };
            let long = 2 * ov < chars.len(&(q.start..q.end));
            let short = 2 * ov < chars.total(&g.content);
            let class = match (long, short) {
                (true, false) => 0,
                (false, true) => 1,
                _ => 2,
            };
            counts[class][0] += 1;
            if std::env::var_os("SITREP_VARIANT_DUMP").is_some() {
                let gold_text: Vec<&str> = g.content.iter().map(|r| &text[r.clone()]).collect();
                let from_rules = rules.iter().any(|r| std::ptr::eq(r, *q));
                eprintln!(
                    "VARDUMP\t{class}\t{}\t{}\t{}",
                    if from_rules { "rule" } else { "cand" },
                    gold_text.join(" | ").replace('\n', " "),
                    q.text.replace('\n', " ")
                );
            }
            if cands
                .iter()
                .any(|c| c.variant && matches_gold(text, &chars, one, &c.quote))
            {
                counts[class][1] += 1;
            }
        }
    }
    let row = |c: [usize; 2]| serde_json::json!({"overlapping_unmatched": c[0], "a_variant_matching": c[1]});
    serde_json::json!({"too_long": row(counts[0]), "too_short": row(counts[1]),
        "other": row(counts[2])})
}

/// Thresholds tried on the held-out quarter: 0.05 to 0.9 by 0.025.
const THRESHOLDS: [f64; 35] = {
    let mut t = [0.0; 35];
    let mut k = 0;
    while k < 35 {
        t[k] = 0.05 + 0.025 * k as f64;
        k += 1;
    }
    t
};

/// Boosted trees tried: (depth, shrinkage, row share, feature share, least hessian per side),
/// each measured after these numbers of rounds.
const BOOSTING_GRID: &[(usize, f64, f64, f64, f64)] = &[
    (4, 0.1, 1.0, 1.0, 1.0),
    (4, 0.2, 1.0, 1.0, 1.0),
    (6, 0.1, 1.0, 1.0, 1.0),
];
const BOOSTING_ROUNDS: &[usize] = &[200, 400, 600, 800, 1000];

/// The boosting grid and the rounds measured: the committed ones, or for experiments those
/// of `SITREP_FIT_GRID` (`depth:shrinkage:subsample:colsample:min_hessian`, comma-separated;
/// missing fields keep the defaults) and `SITREP_FIT_ROUNDS` (`200,400,...`). The committed
/// model is reproduced with neither set.
fn boosting_grid() -> anyhow::Result<(Vec<sitrep_extract::attribution::Boosting>, Vec<usize>)> {
    use sitrep_extract::attribution::Boosting;
    let build =
        |(depth, shrinkage, subsample, colsample, min_hessian): (usize, f64, f64, f64, f64)| {
            Boosting {
                depth,
                shrinkage,
                subsample,
                colsample,
                min_hessian,
                ..Boosting::default()
            }
        };
    let mut grid: Vec<Boosting> = BOOSTING_GRID.iter().map(|&g| build(g)).collect();
    if let Ok(text) = std::env::var("SITREP_FIT_GRID") {
        grid = Vec::new();
        for item in text.split(',').filter(|x| !x.trim().is_empty()) {
            let v = item
                .split(':')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<Vec<f64>, _>>()
                .with_context(|| format!("SITREP_FIT_GRID: {item:?} is not depth:shrinkage:subsample:colsample:min_hessian numbers"))?;
            let at = |k: usize, d: f64| v.get(k).copied().unwrap_or(d);
            grid.push(build((
                at(0, 4.0) as usize,
                at(1, 0.1),
                at(2, 1.0),
                at(3, 1.0),
                at(4, 1.0),
            )));
        }
    }
    let mut rounds = BOOSTING_ROUNDS.to_vec();
    if let Ok(text) = std::env::var("SITREP_FIT_ROUNDS") {
        rounds = text
            .split(',')
            .filter(|x| !x.trim().is_empty())
            .map(|x| {
                x.trim()
                    .parse::<usize>()
                    .with_context(|| format!("SITREP_FIT_ROUNDS: {x:?} is not a number of rounds"))
            })
            .collect::<anyhow::Result<Vec<usize>>>()?;
        rounds.sort_unstable();
    }
    Ok((grid, rounds))
}

/// A learner tried by `polnear-fit`.
#[derive(Debug, Clone, Copy)]
enum Learner {
    Linear(sitrep_extract::attribution::Settings),
    Boosted(sitrep_extract::attribution::Boosting),
}

impl Learner {
    fn describe(&self) -> &'static str {
        match self {
            Learner::Linear(_) => "binary logistic regression",
            Learner::Boosted(_) => "gradient-boosted decision trees (logistic loss)",
        }
    }

    fn settings(&self) -> String {
        match self {
            Learner::Linear(s) => format!("{s:?}"),
            Learner::Boosted(b) => format!("{b:?}"),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Learner::Linear(s) => {
                serde_json::json!({"learner": "linear", "epochs": s.epochs, "l2": s.l2})
            }
            Learner::Boosted(b) => serde_json::json!({"learner": "boosted", "depth": b.depth,
                "shrinkage": b.shrinkage, "rounds": b.rounds, "subsample": b.subsample,
                "colsample": b.colsample, "min_hessian": b.min_hessian}),
        }
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    #[test]
    fn brat_spans_become_byte_ranges() -> anyhow::Result<()> {
        // Character offsets past a non-ASCII character ("é" is 2 bytes, "“" 3).
        let text = "Zoé said “we go” now, the aide added.";
        let ann = "T1\tSource 0 3\tZoé\nT2\tCue 4 8\tsaid\nT3\tContent 9 16;22 30\t“we go” the aide\n\
                   T4\tAttribution 4 8\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
                   T5\tDiscuss 0 3\tZoé\n";
        let gold = parse_brat(ann, text)?;
        assert_eq!(gold.len(), 1);
        assert_eq!(&text[gold[0].source[0].clone()], "Zoé");
        assert_eq!(&text[gold[0].cue[0].clone()], "said");
        assert_eq!(&text[gold[0].content[0].clone()], "“we go”");
        assert_eq!(&text[gold[0].content[1].clone()], "the aide");
        assert!(parse_brat("T1\tSource 0 99\tx\n", "short").is_err());
        Ok(())
    }

    #[test]
    fn brat_relations_join_their_spans() -> anyhow::Result<()> {
        // Events may come before the spans they name; a relation without a source is kept,
        // one without content and other relation types are dropped.
        let text = "Critics fear delays. The port, Rhee wrote, stays shut.";
        let ann = "E1\tAttribution-no-source:T4 Content:T2 Cue:T1\n\
                   T1\tCue 8 12\tfear\nT2\tContent 13 19\tdelays\n\
                   T4\tAttribution-no-source 8 12\tfear\n\
                   T5\tSource 31 35\tRhee\nT6\tCue 36 41\twrote\n\
                   T7\tContent 21 29;43 53\tThe port stays shut\n\
                   T8\tAttribution 36 41\twrote\n\
                   E2\tAttribution:T8 Source:T5 Cue:T6 Content:T7\n\
                   E3\tAttribution:T8 Source:T5 Cue:T6\n\
                   E4\tDiscuss:T5 Content:T2\n";
        let gold = parse_brat(ann, text)?;
        assert_eq!(gold.len(), 2);
        assert!(gold[0].source.is_empty());
        assert_eq!(&text[gold[0].content[0].clone()], "delays");
        let joined: Vec<&str> = gold[1].content.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(joined, ["The port", "stays shut"]);
        assert_eq!(&text[gold[1].source[0].clone()], "Rhee");
        assert_eq!(gold[1].content_hull(), 21..53);
        Ok(())
    }

    #[test]
    fn quotation_marks_anywhere_count() {
        let text = "She said the plan “works” for now.";
        let all = 9..text.len();
        assert!(has_marks(text, std::slice::from_ref(&all)));
        // Containing marks is not being mostly inside them.
        assert!(!mostly_quoted(text, &[all]));
        assert!(!has_marks(text, &[0..8]));
    }

    #[test]
    fn quoted_content_is_recognised() {
        let text = "He said “the ferry runs” and that fares rise.\n\"Open\nline";
        let span = |s: &str| {
            let i = text.find(s).unwrap_or(0);
            i..i + s.len()
        };
        assert!(mostly_quoted(text, &[span("“the ferry runs”")]));
        assert!(!mostly_quoted(text, &[span("fares rise")]));
        // An open quotation runs to the end of its line only.
        assert!(mostly_quoted(text, &[span("\"Open")]));
        assert!(!mostly_quoted(text, &[span("line")]));
        // Two apostrophes are a double mark.
        let text = "''The ferry runs,'' he said.";
        assert!(mostly_quoted(text, &[0..18]));
        assert!(!mostly_quoted(text, &[19..text.len()]));
    }

    #[test]
    fn single_marks_pair_at_word_edges_and_apostrophes_never_do() {
        let span = |text: &str, s: &str| {
            let i = text.find(s).unwrap_or(usize::MAX - s.len());
            i..i + s.len()
        };
        // A headline quotation in curly single marks, with apostrophes inside and outside.
        let text = "Mayor Orla\u{2019}s pledge: \u{2018}We Won\u{2019}t Close the Ferry\u{2019} for Tarn\nShe spoke.";
        assert!(mostly_quoted(
            text,
            &[span(text, "We Won\u{2019}t Close the Ferry")]
        ));
        assert!(!mostly_quoted(
            text,
            &[span(text, "Mayor Orla\u{2019}s pledge")]
        ));
        assert!(!mostly_quoted(text, &[span(text, "for Tarn")]));
        assert!(!mostly_quoted(text, &[span(text, "She spoke.")]));
        // Straight single marks pair the same way; a word's apostrophe does not open or close.
        let text = "Brin's 'quiet summer' ends, the '90s crowd don't care";
        assert!(mostly_quoted(text, &[span(text, "quiet summer")]));
        assert!(!mostly_quoted(text, &[span(text, "Brin")]));
        assert!(!mostly_quoted(text, &[span(text, "ends, the")]));
        // An unclosed single mark marks nothing (a double one runs to the end of its line).
        let text = "the '90s were calm";
        assert!(!mostly_quoted(text, &[span(text, "were calm")]));
    }

    fn quote(start: usize, end: usize) -> Quote {
        Quote {
            field: TextField::Body,
            text: String::new(),
            kind: QuoteKind::Direct,
            speaker: None,
            cue: None,
            start,
            end,
        }
    }

    #[test]
    fn matching_needs_half_of_both_spans() {
        let g1 = GoldAttribution {
            content: vec![0..100],
            ..Default::default()
        };
        let g2 = GoldAttribution {
            content: vec![200..220],
            ..Default::default()
        };
        let chars = Chars::new(&"x".repeat(400));
        let (p1, p2, p3) = (quote(10, 90), quote(0, 40), quote(150, 221));
        let m = match_quotes(&chars, &[&g1, &g2], &[&p1, &p2, &p3]);
        // p1 covers 80% of g1 (p2, inside g1, joins that match); p3 covers g2 but is mostly
        // outside it.
        assert_eq!(m, vec![(0, 0), (0, 1)]);
        let m = match_quotes(&chars, &[&g1], &[&p1, &quote(5, 95)]);
        assert_eq!(m, vec![(0, 1), (0, 0)]);
        // Two pieces of one utterance, each under half of the gold content.
        let m = match_quotes(
            &chars,
            &[&g1],
            &[&quote(0, 45), &quote(55, 100), &quote(300, 310)],
        );
        assert_eq!(m, vec![(0, 0), (0, 1)]);
    }

    #[test]
    fn overlap_is_measured_in_characters() {
        // The gold content keeps its curly marks and comma; the prediction is the word inside.
        let text = "Asked where, Vell answered “Tarvik,” and left.";
        let start = text.find('“').expect("mark");
        let end = text.find(" and").expect("and");
        let gold = GoldAttribution {
            content: vec![start..end],
            ..Default::default()
        };
        let word = text.find("Tarvik").expect("word");
        let pred = quote(word, word + "Tarvik".len());
        let chars = Chars::new(text);
        assert_eq!(chars.total(&gold.content), 9);
        assert_eq!(chars.overlap(&gold.content, &(pred.start..pred.end)), 6);
        // 6 of 9 characters (in bytes it would be 6 of 13: no match).
        assert_eq!(match_quotes(&chars, &[&gold], &[&pred]), vec![(0, 0)]);
    }

    #[test]
    fn speakers_match_by_span_or_surname() {
        let text = "Mayor Ilse Brandt said the ferry runs. She added more.";
        let att = GoldAttribution {
            content: vec![23..37],
            source: vec![0..17],
            cue: vec![18..22],
        };
        let mut q = quote(23, 37);
        q.speaker = Some(sitrep_model::Speaker {
            entity: None,
            name: "Ilse Brandt".into(),
            mention: sitrep_model::Mention {
                text: "Brandt".into(),
                start: 11,
                end: 17,
            },
        });
        assert!(speaker_correct(text, &att, &q));
        // Elsewhere in the text, but the resolved name has the source's surname.
        if let Some(s) = q.speaker.as_mut() {
            s.mention.start = 39;
            s.mention.end = 42;
        }
        assert!(speaker_correct(text, &att, &q));
        if let Some(s) = q.speaker.as_mut() {
            s.name = "Oren Beck".into();
        }
        assert!(!speaker_correct(text, &att, &q));
    }
}
