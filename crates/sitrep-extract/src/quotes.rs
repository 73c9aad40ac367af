//! Quotes: direct, partial and indirect, with their cue and speaker.
//!
//! 1. Quotation marks are paired within each paragraph (a line of the body): curly, straight
//!    (told apart by what is around them; two apostrophes count as one), guillemets, low-9
//!    marks, and single quotes where they cannot be apostrophes. A quotation left open at the
//!    end of a paragraph runs to its end (the newspaper convention for a quote continued in
//!    the next paragraph).
//! 2. A quotation that is a clause (a verb and four words or more) is a **direct** quote. Its
//!    cue is a verb of saying outside the marks in the sentences the quotation touches, best
//!    one whose dependents reach into the quotation, else the nearest; or a verb in a sentence
//!    ending with a colon just before it. With no cue, a quotation right after another quote
//!    (same paragraph, or up to three paragraphs on) continues it and keeps its speaker.
//! 3. A shorter quotation is a fragment: when a verb of saying outside the marks governs it,
//!    the clause that verb reports is a **partial** quote; otherwise (scare quotes, titles) it
//!    is no quote at all.
//! 4. A verb of saying with a complement clause and no quotation marks is an **indirect**
//!    quote, the clause its content; so is a sentence with "according to X".
//! 5. The speaker is the cue's subject (climbing through participles and coordinated verbs:
//!    "Leavitt said, adding ..."), resolved to its entity when entity resolution linked it
//!    (names, surnames, pronouns); the mention is the words the attribution rests on.
//! 6. Spans: a quoted clause inside a reported clause with words of its own outside the marks
//!    is a partial quote of the whole clause; reported content stops before a closing aside
//!    (", who ...", ", the former ..."; a cleft's "it was X, who ..." keeps it); a name in
//!    marks after a possessive or preposition ("on CNN's “New Day”") is a title, no quote.
//! 7. Past the rules, `broad` offers every cue with a source-like argument and a content
//!    argument that the rules left alone, and the learned [`crate::attribution`] filter keeps
//!    those it scores over its threshold ([`find`]); [`find_by_rules`] is the rules alone.

use std::ops::Range;

use sitrep_model::{Mention, Quote, QuoteKind, Speaker};
use sitrep_nlp::Doc;

use crate::attribution::Filter;
use crate::entities::{Resolution, entity_id};
use crate::lexicon;

mod broad;
pub use broad::Candidate;

/// How many paragraphs after the last direct quote a cue-less quotation still continues it.
const CONTINUATION_PARAGRAPHS: usize = 3;

/// A quotation found by its marks: bytes `inner` between them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Quotation {
    inner: Range<usize>,
    /// Whether a closing mark was found (else it runs to the end of the paragraph).
    closed: bool,
    /// Single quotation marks (often fragments or quotes inside quotes).
    single: bool,
}

fn is_double_open(c: char) -> bool {
    matches!(c, '“' | '„' | '«' | '‟')
}

fn is_double_close(c: char) -> bool {
    matches!(c, '”' | '»')
}

/// A token that is a quotation mark.
fn is_mark_token(t: &str) -> bool {
    matches!(
        t,
        "“" | "”" | "\"" | "``" | "''" | "‘" | "’" | "«" | "»" | "„"
    )
}

/// Finds the quotations of `text`, paragraph by paragraph (a paragraph is a line).
fn quotations(text: &str) -> Vec<Quotation> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        scan_paragraph(body, line_start, &mut out);
        line_start += line.len();
    }
    out.sort_by_key(|q| (q.inner.start, std::cmp::Reverse(q.inner.end)));
    out
}

fn scan_paragraph(par: &str, base: usize, out: &mut Vec<Quotation>) {
    let chars: Vec<(usize, char)> = par.char_indices().collect();
    let mut double: Option<usize> = None; // byte after the opening mark
    let mut single: Option<usize> = None;
    let mut skip = false;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if std::mem::take(&mut skip) {
            continue;
        }
        let prev = k.checked_sub(1).map(|j| chars[j].1);
        let mut next = chars.get(k + 1).map(|&(_, c)| c);
        let mut after = i + c.len_utf8();
        // Two apostrophes ('') are a double quotation mark (some wires and archives).
        let c = if c == '\'' && next == Some('\'') {
            skip = true;
            next = chars.get(k + 2).map(|&(_, c)| c);
            after += 1;
            '"'
        } else {
            c
        };
        let space_before = prev.is_none_or(|p| p.is_whitespace() || "([{—–-/".contains(p));
        let word_before = prev.is_some_and(char::is_alphanumeric);
        let word_after = next.is_some_and(char::is_alphanumeric);
        match c {
            '"' | '“' | '”' | '„' | '«' | '»' | '‟' => {
                let opens = if c == '"' {
                    double.is_none() && (space_before || !word_before)
                } else {
                    // An opening mark typed for a closing one: glued to the words before it,
                    // none after it, with a quotation open (“the best in the world“ and ...).
                    is_double_open(c) && !(double.is_some() && !space_before && !word_after)
                };
                match double {
                    Some(start) if !opens || is_double_close(c) || c == '"' => {
                        push(out, base, start..i, true, false);
                        double = None;
                        single = None;
                    }
                    Some(start) => {
                        // A new opening mark while one is open: the first never closed.
                        push(out, base, start..i, false, false);
                        double = Some(after);
                    }
                    None if opens || !is_double_close(c) => double = Some(after),
                    None => {}
                }
            }
            '‘' | '’' | '\'' => {
                // An apostrophe sits between letters ("it’s") or after a plural ("leaders’").
                let opens = c != '’' && space_before && word_after;
                let closes = c != '‘'
                    && !word_after
                    && single.is_some()
                    && !word_before_is_plural_s(prev, next);
                if let (true, Some(start)) = (closes, single) {
                    push(out, base, start..i, true, true);
                    single = None;
                } else if opens && single.is_none() {
                    single = Some(after);
                }
            }
            _ => {}
        }
    }
    if let Some(start) = double {
        push(out, base, start..par.len(), false, false);
    }
}

/// `’` after an `s` and before a space is more likely a plural possessive than a closing
/// mark only when it is followed by a letter-led word; closing marks are followed by
/// punctuation or space too, so only a following letter counts against it (`prev`, `next`).
fn word_before_is_plural_s(prev: Option<char>, next: Option<char>) -> bool {
    prev == Some('s') && next.is_some_and(char::is_alphanumeric)
}

fn push(out: &mut Vec<Quotation>, base: usize, inner: Range<usize>, closed: bool, single: bool) {
    if inner.end > inner.start {
        out.push(Quotation {
            inner: base + inner.start..base + inner.end,
            closed,
            single,
        });
    }
}

/// The parse as a tree: head and children of each token, sentence of each token, paragraph
/// of each token. Sentences and arcs never cross a paragraph break (a line of the body): the
/// segmenter can join a paragraph's last sentence to the next one's first; such a sentence is
/// split, and an arc between the two paragraphs is moved to the nearest ancestor on the
/// dependent's side.
struct Tree<'a> {
    doc: &'a Doc,
    heads: Vec<usize>,
    children: Vec<Vec<usize>>,
    sentence: Vec<usize>,
    /// Token ranges of the sentences, split at paragraph breaks.
    sentences: Vec<Range<usize>>,
    paragraph: Vec<usize>,
}

impl<'a> Tree<'a> {
    fn new(doc: &'a Doc) -> Self {
        let n = doc.tokens.len();
        let mut paragraph = vec![0; n];
        let mut par = 0;
        let mut last_end = 0;
        for (i, t) in doc.tokens.iter().enumerate() {
            par += doc.text[last_end..t.start].matches('\n').count();
            if doc.text[t.start..t.end].contains('\n') {
                par += 1;
            }
            paragraph[i] = par;
            last_end = t.end;
        }
        // Whitespace tokens ("\n\n") belong to no paragraph's parse: never cut at them.
        let is_space = |i: usize| {
            doc.text[doc.tokens[i].start..doc.tokens[i].end]
                .trim()
                .is_empty()
        };
        // A token whose head is in another paragraph hangs from its nearest ancestor in its
        // own paragraph ("with Putin\n\nFollowing Trump's post": "Putin" from "with"), or
        // is a root.
        let heads: Vec<usize> = (0..n)
            .map(|i| {
                let mut h = doc.tokens[i].head;
                if h >= n || is_space(i) || is_space(h) || paragraph[h] == paragraph[i] {
                    return if h >= n { i } else { h };
                }
                for _ in 0..n {
                    let up = doc.tokens[h].head;
                    if up >= n || up == h {
                        return i;
                    }
                    if paragraph[up] == paragraph[i] && !is_space(up) {
                        return up;
                    }
                    h = up;
                }
                i
            })
            .collect();
        let mut children = vec![Vec::new(); n];
        for (i, &h) in heads.iter().enumerate() {
            if h != i {
                children[h].push(i);
            }
        }
        let mut sentences: Vec<Range<usize>> = Vec::new();
        for sent in &doc.sentences {
            let mut start = sent.tokens.start;
            let mut last_par: Option<usize> = None;
            for i in sent.tokens.clone() {
                if is_space(i) {
                    continue;
                }
                if last_par.is_some_and(|p| p != paragraph[i]) {
                    sentences.push(start..i);
                    start = i;
                }
                last_par = Some(paragraph[i]);
            }
            if start < sent.tokens.end {
                sentences.push(start..sent.tokens.end);
            }
        }
        let mut sentence = vec![0; n];
        for (s, range) in sentences.iter().enumerate() {
            for slot in &mut sentence[range.clone()] {
                *slot = s;
            }
        }
        Tree {
            doc,
            heads,
            children,
            sentence,
            sentences,
            paragraph,
        }
    }

    fn text(&self, i: usize) -> &'a str {
        self.doc.token_text(i)
    }

    fn dep(&self, i: usize) -> &str {
        &self.doc.tokens[i].dep
    }

    fn tag(&self, i: usize) -> &str {
        &self.doc.tokens[i].tag
    }

    fn head(&self, i: usize) -> usize {
        self.heads[i]
    }

    /// The leftmost and rightmost token of `i`'s subtree.
    fn subtree(&self, i: usize) -> Range<usize> {
        let (mut lo, mut hi) = (i, i);
        let mut stack = vec![i];
        let mut seen = 0;
        while let Some(t) = stack.pop() {
            seen += 1;
            if seen > self.doc.tokens.len() {
                break; // never loops on a malformed tree
            }
            lo = lo.min(t);
            hi = hi.max(t);
            stack.extend(&self.children[t]);
        }
        lo..hi + 1
    }

    /// Whether `a` is `b` or one of its descendants.
    fn descends_from(&self, mut a: usize, b: usize) -> bool {
        for _ in 0..self.doc.tokens.len() {
            if a == b {
                return true;
            }
            let h = self.head(a);
            if h == a {
                return false;
            }
            a = h;
        }
        false
    }

    fn is_verb(&self, i: usize) -> bool {
        let tag = self.tag(i);
        tag.starts_with("VB") || tag == "MD"
    }

    fn is_word(&self, i: usize) -> bool {
        self.text(i).chars().any(char::is_alphanumeric)
    }
}

/// A verb of saying at token `cue`, and the token it takes its subject from.
struct Cue {
    token: usize,
    base: &'static str,
}

/// The words between a quotation's marks, without the spaces at their edges.
fn trimmed_inner(text: &str, q: &Quotation) -> Range<usize> {
    let raw = &text[q.inner.clone()];
    q.inner.start + (raw.len() - raw.trim_start().len())
        ..q.inner.end - (raw.len() - raw.trim_end().len())
}

/// Tokens inside any quotation (cues and speakers are never there).
fn quoted_tokens(doc: &Doc, marks: &[Quotation]) -> Vec<bool> {
    let mut quoted = vec![false; doc.tokens.len()];
    for q in marks {
        for (i, t) in doc.tokens.iter().enumerate() {
            if t.start >= q.inner.start && t.end <= q.inner.end {
                quoted[i] = true;
            }
        }
    }
    quoted
}

/// The quotes of one analysed body, in text order: the rules' quotes and the broad
/// candidates the committed attribution filter accepts.
pub fn find(doc: &Doc, resolution: &Resolution) -> Vec<Quote> {
    let (rules, candidates) = rules_and_candidates(doc, resolution);
    accept(rules, candidates, &crate::attribution::FILTER)
}

/// The rules' quotes of one body, and the candidates for the filter, each with its
/// features: the broad candidates (see [`broad`]) that overlap none of the quotes, with
/// their span variants, and the span variants of the rules' indirect quotes (which replace
/// their quote when accepted).
pub fn rules_and_candidates(doc: &Doc, resolution: &Resolution) -> (Vec<Quote>, Vec<Candidate>) {
    if doc.tokens.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let parsed = Parsed::new(doc);
    let rules = rules_of(&parsed, resolution);
    let mut candidates = broad::candidates(&parsed, resolution, &rules);
    candidates.extend(broad::rule_variants(&parsed, &rules));
    (rules, candidates)
}

/// A body as the quote finders read it, built once per body: its parse tree, its
/// quotations and which tokens they hold.
struct Parsed<'a> {
    tree: Tree<'a>,
    marks: Vec<Quotation>,
    quoted: Vec<bool>,
}

impl<'a> Parsed<'a> {
    fn new(doc: &'a Doc) -> Self {
        let marks = quotations(&doc.text);
        let quoted = quoted_tokens(doc, &marks);
        Parsed {
            tree: Tree::new(doc),
            marks,
            quoted,
        }
    }
}

/// A reported span's marks paired up: the opening mark of a quotation it starts inside
/// ([`open_marks`]), the closing mark of one it ends inside ([`close_marks`]).
fn pair_marks(text: &str, marks: &[Quotation], q: &mut Quote) {
    open_marks(text, marks, q);
    close_marks(text, q);
}

/// A quote starting inside a whole quotation and running out of it (`Tide" policies, which
/// …`) takes the opening mark in, so its marks pair up (the start-side twin of
/// [`close_marks`]). A mark of two apostrophes ('' … '') counts as one.
fn open_marks(text: &str, marks: &[Quotation], q: &mut Quote) {
    let Some(m) = marks.iter().find(|m| {
        m.closed && m.inner.start <= q.start && q.start < m.inner.end && q.end > m.inner.end
    }) else {
        return;
    };
    let Some(mark) = text[..m.inner.start].chars().next_back() else {
        return;
    };
    let mut start = m.inner.start - mark.len_utf8();
    if mark == '\'' && text[..start].ends_with('\'') {
        start -= 1;
    }
    q.start = start;
    q.text = text[q.start..q.end].to_string();
}

/// The rules' quotes with the candidates `filter` accepts, most probable first where they
/// overlap one another, in text order. A span variant of a rule quote takes that quote's
/// place (one variant per quote); only one of overlapping candidates, the span variants of
/// one reading among them, is kept.
pub fn accept(mut quotes: Vec<Quote>, candidates: Vec<Candidate>, filter: &Filter) -> Vec<Quote> {
    let mut scored: Vec<(f64, Candidate)> = candidates
        .into_iter()
        .map(|c| (filter.probability(&c.features), c))
        .filter(|(p, _)| *p >= filter.threshold)
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.quote.start.cmp(&b.1.quote.start))
            .then(a.1.quote.end.cmp(&b.1.quote.end))
    });
    let n = quotes.len();
    let mut replaced = vec![false; n];
    for (_, c) in scored {
        let span = c.quote.start..c.quote.end;
        let clash = |quotes: &[Quote], replaced: &[bool], own: Option<usize>| {
            quotes[n..]
                .iter()
                .any(|x| overlaps(&(x.start..x.end), &span))
                || quotes[..n].iter().enumerate().any(|(j, x)| {
                    Some(j) != own
                        && (replaced[j] || own.is_some())
                        && overlaps(&(x.start..x.end), &span)
                })
        };
        match c.replaces {
            Some(r) if r < n => {
                if !replaced[r] && !clash(&quotes, &replaced, Some(r)) {
                    quotes[r] = c.quote;
                    replaced[r] = true;
                }
            }
            Some(_) => {}
            None => {
                if !clash(&quotes, &replaced, None) {
                    quotes.push(c.quote);
                }
            }
        }
    }
    quotes.sort_by_key(|q| (q.start, q.end));
    quotes
}

/// The quotes the rules find (no learned filter), in text order.
pub fn find_by_rules(doc: &Doc, resolution: &Resolution) -> Vec<Quote> {
    if doc.tokens.is_empty() {
        return Vec::new();
    }
    rules_of(&Parsed::new(doc), resolution)
}

/// [`find_by_rules`] over a body already parsed (not empty).
fn rules_of(parsed: &Parsed<'_>, resolution: &Resolution) -> Vec<Quote> {
    let Parsed {
        tree,
        marks,
        quoted,
    } = parsed;
    let doc = tree.doc;
    let cues: Vec<Cue> = (0..doc.tokens.len())
        .filter(|&i| !quoted[i] && tree.is_verb(i))
        .filter_map(|i| lexicon::speech_verb(tree.text(i)).map(|base| Cue { token: i, base }))
        .collect();

    let mut quotes: Vec<Quote> = Vec::new();
    // The previous direct quote's speaker and paragraph, for continuations.
    let mut last: Option<(Option<Speaker>, usize, usize)> = None;
    let mut covered: Vec<Range<usize>> = Vec::new();
    for q in marks {
        if covered
            .iter()
            .any(|c| c.start <= q.inner.start && q.inner.end <= c.end)
        {
            continue; // a quote inside a quote
        }
        let toks: Vec<usize> = (0..doc.tokens.len())
            .filter(|&i| doc.tokens[i].start >= q.inner.start && doc.tokens[i].end <= q.inner.end)
            .collect();
        let (Some(&first), Some(&lastt)) = (toks.first(), toks.last()) else {
            continue;
        };
        if is_title(&doc.text, q) {
            continue;
        }
        let words = toks.iter().filter(|&&i| tree.is_word(i)).count();
        let has_verb = toks.iter().any(|&i| tree.is_verb(i));
        // A quotation opening its sentence stands on its own even without a verb ("“Very
        // good reporter, this guy,” Vell said").
        let opens_sentence = tree.sentences[tree.sentence[first]].start == first
            || (first > 0 && tree.sentence[first - 1] == tree.sentence[first] && {
                let before = tree.sentences[tree.sentence[first]].start..first;
                before.clone().all(|i| !tree.is_word(i))
            });
        // A quotation right before its cue ("“Like Velden,” Marlo said") is what was said,
        // however short.
        let next_word = (lastt + 1..doc.tokens.len()).find(|&i| tree.is_word(i));
        let followed_by_cue = q.closed
            && next_word.is_some_and(|w| {
                tree.paragraph[w] == tree.paragraph[lastt]
                    && (cues.iter().any(|c| c.token == w)
                        || (matches!(tree.dep(w), "nsubj" | "compound")
                            && cues.iter().any(|c| {
                                c.token > w && c.token <= w + 4 && tree.descends_from(w, c.token)
                            })))
            });
        // A quotation that ends on a word inside its marks and runs on into the writer's words
        // in the same sentence ("people “literally hate each other” because they ...") is a
        // piece of a larger clause, no direct quote of its own.
        let fragment = q.closed
            && doc.text[q.inner.clone()]
                .trim_end()
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric)
            && !followed_by_cue
            && next_word.is_some_and(|w| {
                tree.sentence[w] == tree.sentence[lastt]
                    && tree.paragraph[w] == tree.paragraph[lastt]
                    && (lastt + 1..w).all(|i| is_mark_token(tree.text(i)))
                    && (q.single
                        || tree
                            .text(w)
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit()))
            });
        // Such a piece runs on to the end of the writer's words that hang from it ("“We are
        // glad” about the result"): a partial quote. A slogan or name in title case in double
        // marks ("“Make the Harbour Great”") is no clause to run on; a headline's single marks
        // are (‘No Idea’ Who Sent It).
        let title_case = {
            let words: Vec<&str> = doc.text[q.inner.clone()]
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 4)
                .collect();
            !words.is_empty()
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        };
        let run_on = if fragment && (!title_case || q.single) {
            fragment_tail(tree, &cues, first, lastt)
        } else {
            None
        };
        // A short quotation opening its sentence right after a direct quote of the same
        // paragraph goes on with it ("“They sue,” he said. “Everyone sues.”").
        let goes_on = last
            .as_ref()
            .is_some_and(|(_, lpar, _)| *lpar == tree.paragraph[first]);
        // A quotation right after a headline's "Name:" is that one's words, in single marks
        // too ("Vell: ‘Never underestimate the board’").
        let after_name_colon = || {
            q.closed
                && words >= 2
                && first > 0
                && (0..first)
                    .rev()
                    .find(|&i| tree.is_word(i) || tree.text(i) == ":")
                    .is_some_and(|i| tree.text(i) == ":")
                && headline_speaker(tree, resolution, first).is_some()
        };
        let clause = (words >= 4 && has_verb
            || words >= 5 && opens_sentence && q.closed
            || words >= 2 && opens_sentence && q.closed && goes_on
            || words >= 2 && followed_by_cue)
            && !(q.single && words < 6)
            || after_name_colon();
        // A quoted clause whose subject stands outside the marks ("he "strongly requested
        // ..."") is part of reported speech: a partial quote.
        // So is one hanging from a word of a clause outside the marks that is no cue
        // ('says Americans are "right to be angry"').
        // (Punctuation inside the marks that the parse hangs from the writer's verb, such as
        // a closing full stop, is no root.)
        let embedded_root = toks
            .iter()
            .copied()
            .filter(|&t| tree.is_word(t))
            .find(|&t| {
                let h = tree.head(t);
                let outside_head = h != t && !toks.contains(&h);
                (h == t || outside_head)
                    && (tree.children[t].iter().any(|&c| {
                        matches!(tree.dep(c), "nsubj" | "nsubjpass") && c < first && !quoted[c]
                    }) || (outside_head
                        && h < first
                        && !quoted[h]
                        && !cues.iter().any(|c| c.token == h)
                        && tree.sentence[h] == tree.sentence[t]
                        && !matches!(tree.dep(t), "parataxis" | "ccomp" | "conj")))
            });
        // A quoted clause inside a reported clause with words of its own outside the marks
        // ("said that he hopes “...” against Vell", "told her the plan would be “...” if ...")
        // is part of that reported speech too: a partial quote of the whole clause.
        let within_reported = || {
            let root = toks
                .iter()
                .copied()
                .find(|&t| !toks.contains(&tree.head(t)))?;
            let (cue, range) = governing_cue(tree, &cues, root)?;
            let outside = range
                .clone()
                .filter(|&i| tree.is_word(i) && !quoted[i])
                .count();
            let last_word = toks.iter().copied().rfind(|&t| tree.is_word(t))?;
            // The cue comes first: a quotation opening its sentence before its cue ("“...,”
            // Vell, the mayor, said") is the speaker's own words, the rest narration.
            (cue.token < first && range.start <= first && range.end > last_word && outside >= 2)
                .then_some((cue, range))
        };
        let partial = embedded_root
            .and_then(|root| governing_cue(tree, &cues, root))
            .or_else(within_reported);
        // No verb of saying above it, but one of stance ("mocked Vell for “having a bad
        // night”", "praised Dorn as “a man who ...”"): the quoted words are the subject's,
        // and what the stance is about is the whole complement.
        // The cue above the quotation's first word, for a fragment (below) too.
        let first_cue = governing_cue(tree, &cues, first);
        let stance = if partial.is_none() && first_cue.is_none() {
            stance_complement(tree, &toks, first, quoted)
        } else {
            None
        };
        // A partial quote: the reported clause (or the stance's complement) around the
        // quotation, with the verb it hangs from as cue.
        let reported = stance.or_else(|| match (clause, &partial) {
            (true, Some((cue, range))) => {
                // The reported clause ends where the parse ends it, but never inside the
                // quotation it holds ("said Vell “had no vote in mind, but is careful”": the
                // parse ends the clause at its first conjunct).
                let mut range = range.clone();
                let last_word = toks.iter().copied().rfind(|&t| tree.is_word(t));
                if let Some(w) = last_word
                    && range.start <= first
                    && range.end > first
                {
                    range.end = range.end.max(w + 1);
                }
                Some((cue.token, range))
            }
            _ => None,
        });
        if let Some((verb, range)) = reported {
            let range = within_own_quotation(tree, range, first, lastt);
            let range = without_trailing_narration(tree, range, quoted);
            let range = named_words(tree, &toks, first, lastt, quoted, range);
            // Cut back to every word of its quotation and nothing else, it is a direct quote.
            let whole = range.start >= first
                && range.end <= lastt + 1
                && toks.iter().all(|&t| !tree.is_word(t) || range.contains(&t));
            let (whole, range) = match run_on {
                Some(end) if whole => (false, first..end),
                _ => (whole, range),
            };
            let span = if whole {
                trimmed_inner(&doc.text, q)
            } else {
                byte_span(doc, range)
            };
            covered.push(span.clone());
            let speaker = speaker_of(tree, resolution, verb, quoted);
            last = Some((speaker.clone(), tree.paragraph[lastt], lastt));
            quotes.push(Quote {
                field: Default::default(),
                text: doc.text[span.clone()].to_string(),
                kind: if whole {
                    QuoteKind::Direct
                } else {
                    QuoteKind::Partial
                },
                speaker,
                cue: Some(cue_phrase(tree, verb)),
                start: span.start,
                end: span.end,
            });
        } else if clause {
            let cue = direct_cue(tree, &cues, &toks, first, lastt);
            let introducer = if cue.is_none() {
                colon_introducer(tree, first)
                    .or_else(|| trailing_verb(tree, &doc.text, q, lastt, quoted))
            } else {
                None
            };
            let (speaker, cue_text) = match (&cue, introducer) {
                (Some(c), _) => (
                    speaker_of(tree, resolution, c.token, quoted)
                        .or_else(|| adjacent_speaker(tree, resolution, c.token, quoted)),
                    Some(cue_phrase(tree, c.token)),
                ),
                (None, Some(verb)) => (
                    speaker_of(tree, resolution, verb, quoted),
                    Some(cue_phrase(tree, verb)),
                ),
                (None, None) => {
                    // A continuation: right after a quote in this paragraph or the one before.
                    let par = tree.paragraph[first];
                    match (&last, headline_speaker(tree, resolution, first)) {
                        (_, Some((speaker, colon))) => (Some(speaker), Some(colon)),
                        (Some((speaker, lpar, lend)), None)
                            if par <= lpar + CONTINUATION_PARAGRAPHS && *lend <= first =>
                        {
                            (speaker.clone(), None)
                        }
                        _ => (None, None),
                    }
                }
            };
            if cue.is_none() && speaker.is_none() && !q.closed {
                continue;
            }
            last = Some((speaker.clone(), tree.paragraph[lastt], lastt));
            covered.push(q.inner.clone());
            let Range { start, end } = match run_on {
                Some(e) => byte_span(doc, first..e),
                None => trimmed_inner(&doc.text, q),
            };
            quotes.push(Quote {
                field: Default::default(),
                text: doc.text[start..end].to_string(),
                kind: if run_on.is_some() {
                    QuoteKind::Partial
                } else {
                    QuoteKind::Direct
                },
                speaker,
                cue: cue_text,
                start,
                end,
            });
        } else if let Some((cue, clause)) = first_cue {
            let clause = within_own_quotation(tree, clause, first, lastt);
            let clause = without_trailing_narration(tree, clause, quoted);
            let cut = named_words(tree, &toks, first, lastt, quoted, clause.clone());
            let named = cut != clause;
            let clause = cut;
            // The whole complement in marks ("he yelled “You lie!”"): a short direct quote.
            // A quoted predicate ("called the plan “reckless”") stays a fragment.
            // An exclamation or question in marks is an utterance, whatever the parse makes
            // of its words ("screamed back “Dunmore!”").
            let uttered = doc.text[q.inner.clone()].trim_end().ends_with(['!', '?']);
            let whole = named
                || uttered && clause.start >= first && clause.end <= lastt + 1
                || clause.start >= first
                    && clause.end <= lastt + 1
                    && toks.iter().all(|&t| {
                        toks.contains(&tree.head(t))
                            || !matches!(
                                tree.dep(t),
                                "oprd" | "attr" | "acomp" | "amod" | "npadvmod"
                            )
                    });
            // A direct quote is the quotation as written, its closing punctuation included, as
            // a quote found by its cue outside the marks is; words of it the parse hangs from
            // the cue ("shouted “Power to the harbour!”": "to the harbour" from "shouted") are
            // part of it.
            let (whole, clause) = match run_on {
                Some(end) if whole => (false, first..end),
                _ => (whole, clause),
            };
            let span = if whole {
                trimmed_inner(&doc.text, q)
            } else {
                byte_span(doc, clause.clone())
            };
            if quotes
                .iter()
                .any(|x| x.start == span.start && x.end == span.end)
            {
                continue;
            }
            covered.push(span.clone());
            quotes.push(Quote {
                field: Default::default(),
                text: doc.text[span.clone()].to_string(),
                kind: if whole {
                    QuoteKind::Direct
                } else {
                    QuoteKind::Partial
                },
                speaker: speaker_of(tree, resolution, cue.token, quoted),
                cue: Some(cue_phrase(tree, cue.token)),
                start: span.start,
                end: span.end,
            });
        }
    }

    // Indirect quotes: what verbs of saying, believing, intending and taking a stance
    // attribute to their subject (clause, infinitive or object), outside quotation marks.
    for v in 0..doc.tokens.len() {
        if quoted[v] || !tree.is_verb(v) {
            continue;
        }
        let word = tree.text(v);
        let is_cue = cues.iter().any(|c| c.token == v);
        let content = tree.children[v].iter().copied().find_map(|c| {
            let kind = match tree.dep(c) {
                "ccomp" if tree.is_verb(c) => lexicon::Complement::Clause,
                // A clause parsed as the verb's participle ("said legalizing it could ..."):
                // verbs of saying take no participle of their own.
                "xcomp"
                    if is_cue
                        && tree.is_verb(c)
                        && tree.tag(c) == "VBG"
                        && matches!(
                            lexicon::speech_verb(word),
                            Some("say" | "add" | "claim" | "argue" | "note" | "write" | "state")
                        ) =>
                {
                    lexicon::Complement::Clause
                }
                // "asked workers if they planned to come": a question parsed as an adverbial.
                "advcl"
                    if is_cue
                        && tree.is_verb(c)
                        && matches!(lexicon::speech_verb(word), Some("ask" | "question"))
                        && tree.children[c].iter().any(|&m| {
                            tree.dep(m) == "mark"
                                && matches!(tree.text(m).to_lowercase().as_str(), "if" | "whether")
                        }) =>
                {
                    lexicon::Complement::Clause
                }
                // "told the crews to stay home": what someone was told to do is what was
                // said, with whom it was said to.
                "xcomp"
                    if is_cue
                        && tree.is_verb(c)
                        && matches!(
                            lexicon::speech_verb(word),
                            Some("tell" | "warn" | "urge" | "remind" | "advise" | "instruct")
                        )
                        && tree.children[v]
                            .iter()
                            .any(|&o| tree.dep(o) == "dobj" && v < o && o < c) =>
                {
                    lexicon::Complement::Clause
                }
                "xcomp" if tree.is_verb(c) => lexicon::Complement::Infinitive,
                // "wants the council to resign": an infinitive clause with its own subject.
                "ccomp"
                    if tree.is_verb(c)
                        && tree.tag(c) == "VB"
                        && tree.children[c].iter().any(|&m| {
                            tree.dep(m) == "aux" && tree.text(m).eq_ignore_ascii_case("to")
                        }) =>
                {
                    lexicon::Complement::Infinitive
                }
                "dobj" if !matches!(tree.tag(c), "WP" | "WDT" | "EX") && !is_neuter(tree, c) => {
                    lexicon::Complement::Object
                }
                _ => return None,
            };
            let evidence = kind != lexicon::Complement::Infinitive
                && lexicon::evidence_verb(&lemma(tree, v))
                && subject_of(tree, v).is_some_and(|s| lexicon::names_source(tree.text(s)));
            // "sees the mayor as a friend": a view of the object, with its "as" phrase.
            let viewed = kind == lexicon::Complement::Object
                && lexicon::viewing_verb(&lemma(tree, v))
                && tree.children[v].iter().any(|&p| {
                    p > c && tree.dep(p) == "prep" && tree.text(p).eq_ignore_ascii_case("as")
                });
            (lexicon::attributes(word, kind) || evidence || viewed).then_some((c, kind))
        });
        let Some((clause, kind)) = content else {
            continue;
        };
        // Content in another paragraph is a block quote (below), not reported speech.
        if tree.paragraph[clause] != tree.paragraph[v] {
            continue;
        }
        let mut range = match kind {
            lexicon::Complement::Object => object_range(tree, v, clause),
            lexicon::Complement::Clause if tree.dep(clause) == "ccomp" => {
                with_second_that_clause(tree, v, content_range(tree, clause))
            }
            _ => content_range(tree, clause),
        };
        // "The talks, Vell said, will resume": the report goes on after a cue set off by
        // commas in the middle of it (the parse hangs the rest from the cue).
        if clause < v && v + 2 < doc.tokens.len() && tree.text(v + 1) == "," && range.end <= v {
            let sent = &tree.sentences[tree.sentence[v]];
            let tail = trimmed(tree, v + 2..tree.subtree(v).end.min(sent.end));
            if tail.start > v + 1
                && tail.clone().any(|i| tree.is_word(i))
                && tail.clone().all(|i| !quoted[i])
                && tree.paragraph[tail.end - 1] == tree.paragraph[v]
            {
                range.end = tail.end;
            }
        }
        if tree.dep(clause) == "xcomp"
            && let Some(&object) = tree.children[v]
                .iter()
                .find(|&&o| tree.dep(o) == "dobj" && v < o && o < clause)
        {
            range.start = range.start.min(tree.subtree(object).start);
        }
        let words = range.clone().filter(|&i| tree.is_word(i)).count();
        // A one-word object counts when it names someone ("endorsed Vell", "backed her").
        let named = words == 1 && matches!(tree.tag(range.start), "NNP" | "NNPS" | "PRP");
        if (words < 2 && !named) || (kind == lexicon::Complement::Clause && words < 3) {
            continue;
        }
        let span = byte_span(doc, range.clone());
        if quotes.iter().any(|x| overlaps(&(x.start..x.end), &span)) {
            continue;
        }
        let speaker = speaker_of(tree, resolution, v, quoted);
        // A holder of a view: a person, group or place entity, a pronoun, or a noun naming
        // people or sources.
        let holder = |sp: &Speaker| {
            sp.entity.is_some() || {
                let head = sp.mention.text.split_whitespace().last().unwrap_or("");
                lexicon::names_holder(head)
            }
        };
        if speaker.is_none() && !(is_cue && kind == lexicon::Complement::Clause) {
            continue;
        }
        // Stances and aims only from holders ("the talks aim to ..." is no attribution).
        if kind != lexicon::Complement::Clause && !speaker.as_ref().is_some_and(holder) {
            continue;
        }
        quotes.push(Quote {
            field: Default::default(),
            text: doc.text[span.clone()].to_string(),
            kind: QuoteKind::Indirect,
            speaker,
            cue: Some(cue_phrase(tree, v)),
            start: span.start,
            end: span.end,
        });
    }
    // "said so", "said yes", "answered no": the one word is what was said.
    for cue in &cues {
        let v = cue.token;
        let Some(w) = (v + 1 < doc.tokens.len()).then_some(v + 1) else {
            continue;
        };
        if !matches!(cue.base, "say" | "answer" | "reply")
            || tree.head(w) != v
            || quoted[w]
            || !matches!(tree.text(w).to_lowercase().as_str(), "so" | "yes" | "no")
        {
            continue;
        }
        let span = byte_span(doc, w..w + 1);
        if quotes.iter().any(|x| overlaps(&(x.start..x.end), &span)) {
            continue;
        }
        let Some(speaker) = speaker_of(tree, resolution, v, quoted) else {
            continue;
        };
        quotes.push(indirect(tree, w..w + 1, cue_phrase(tree, v), Some(speaker)));
    }
    // Block quotes: a paragraph without quotation marks after a paragraph ending "X said:".
    for k in 0..doc.tokens.len() {
        if tree.text(k) != ":" || quoted[k] {
            continue;
        }
        let next = (k + 1..doc.tokens.len()).find(|&i| tree.is_word(i));
        let Some(first) = next else { continue };
        if tree.paragraph[first] != tree.paragraph[k] + 1 {
            continue;
        }
        let Some(cue) = cues.iter().find(|c| {
            c.token == tree.head(k)
                || tree.descends_from(k, c.token) && tree.sentence[c.token] == tree.sentence[k]
        }) else {
            continue;
        };
        let par: Vec<usize> = (first..doc.tokens.len())
            .take_while(|&i| tree.paragraph[i] == tree.paragraph[first])
            .collect();
        let words = par.iter().filter(|&&i| tree.is_word(i)).count();
        let Some(&last_tok) = par
            .iter()
            .rev()
            .find(|&&i| tree.is_word(i) || tree.text(i).chars().any(|c| ".!?".contains(c)))
        else {
            continue;
        };
        let span = doc.tokens[first].start..doc.tokens[last_tok].end;
        if words < 5
            || doc.text[span.clone()].contains(['"', '“', '”'])
            || quotes.iter().any(|x| overlaps(&(x.start..x.end), &span))
        {
            continue;
        }
        let Some(speaker) = speaker_of(tree, resolution, cue.token, quoted) else {
            continue;
        };
        quotes.push(Quote {
            field: Default::default(),
            text: doc.text[span.clone()].to_string(),
            kind: QuoteKind::Direct,
            speaker: Some(speaker),
            cue: Some(cue_phrase(tree, cue.token)),
            start: span.start,
            end: span.end,
        });
    }
    // Headline attributions: a paragraph opening with a short name and a colon ("Marlo: Talks
    // Will Resume in May") gives the rest of the paragraph to that name.
    for q in colon_headlines(tree, resolution, quoted) {
        if room_for(&quotes, &(q.start..q.end)) {
            place(&mut quotes, q);
        }
    }
    // Parenthetical cues ("This campaign, he says, is different"): the clause around them.
    for cue in &cues {
        let v = cue.token;
        let h = tree.head(v);
        if h == v
            || tree.dep(v) != "parataxis"
            || quoted[h]
            || tree.children[v].iter().any(|&c| tree.dep(c) == "ccomp")
        {
            continue;
        }
        let own = tree.subtree(v);
        let mut range = tree.subtree(h);
        let sent = &tree.sentences[tree.sentence[h]];
        range.start = range.start.max(sent.start);
        range.end = range.end.min(sent.end);
        let range = trimmed(tree, range);
        let words = range
            .clone()
            .filter(|&i| tree.is_word(i) && !own.contains(&i))
            .count();
        if words < 3 {
            continue;
        }
        let span = byte_span(doc, range);
        if !room_for(&quotes, &span) {
            continue;
        }
        let Some(speaker) = speaker_of(tree, resolution, v, quoted) else {
            continue;
        };
        place(
            &mut quotes,
            Quote {
                field: Default::default(),
                text: doc.text[span.clone()].to_string(),
                kind: QuoteKind::Indirect,
                speaker: Some(speaker),
                cue: Some(cue_phrase(tree, v)),
                start: span.start,
                end: span.end,
            },
        );
    }
    for q in according_to(tree, resolution, quoted) {
        if room_for(&quotes, &(q.start..q.end)) {
            place(&mut quotes, q);
        }
    }
    // Prepositional cues, nouns of saying and verbs of seeming: only where no other quote
    // has the words already.
    let mut more = preposition_cues(tree, resolution, quoted);
    more.extend(noun_cues(tree, resolution, quoted));
    more.extend(seeming(tree, resolution, quoted));
    more.extend(naming(tree, resolution, quoted));
    more.extend(adjective_cues(tree, resolution, quoted));
    more.sort_by_key(|q| (q.start, q.end));
    for q in more {
        if !quotes
            .iter()
            .any(|x| overlaps(&(x.start..x.end), &(q.start..q.end)))
        {
            quotes.push(q);
        }
    }
    for q in &mut quotes {
        if q.kind != QuoteKind::Direct {
            pair_marks(&doc.text, marks, q);
        }
    }
    quotes.sort_by_key(|q| (q.start, q.end));
    // Two quotations in one reported clause each give the clause as a partial quote (the
    // second one's marks reach past the first one's clause): one is kept.
    quotes.dedup_by(|b, a| a.start == b.start && a.end == b.end);
    unattributed_direct_quotes(tree, resolution, &mut quotes);
    quotes
}

/// A quotation after a dash or colon that follows the cue's object gives the words that
/// object stands for ("posted two words - “So sad”", "had one answer: “Not yet”"): the
/// content is the quotation alone (tokens `first..=last`), else `range` as it is. (A
/// quotation in apposition or after "of" was tried too: PolNeAR takes the noun phrase around
/// it, "the issue of “…”", and train lost 20 matches.)
fn named_words(
    tree: &Tree<'_>,
    toks: &[usize],
    first: usize,
    last: usize,
    quoted: &[bool],
    range: Range<usize>,
) -> Range<usize> {
    let Some(root) = toks
        .iter()
        .copied()
        .find(|&t| tree.is_word(t) && !toks.contains(&tree.head(t)))
    else {
        return range;
    };
    let h = tree.head(root);
    let named = h != root
        && range.start < first
        && matches!(tree.dep(root), "ccomp" | "oprd" | "xcomp")
        && tree.children[h]
            .iter()
            .any(|&d| tree.dep(d) == "dobj" && d < first)
        && (0..first)
            .rev()
            .find(|&i| !quoted[i] && !is_mark_token(tree.text(i)))
            .is_some_and(|i| matches!(tree.text(i), ":" | "-" | "—" | "–"));
    if named { first..last + 1 } else { range }
}

/// The end (exclusive token index) of the writer's words after a quotation (tokens
/// `first..=last`) that the parse ties to it in its sentence: words hanging from a quoted
/// word, through words of the tail but never through a cue ("“We are glad” about the
/// result"), up to the writer's narration of when ("before ...", "while ...", a participle).
/// None when nothing is tied.
fn fragment_tail(tree: &Tree<'_>, cues: &[Cue], first: usize, last: usize) -> Option<usize> {
    let sent_end = tree.sentences[tree.sentence[last]].end;
    let tail = last + 1..sent_end;
    let is_cue = |t: usize| cues.iter().any(|c| c.token == t);
    let tied = |mut t: usize| loop {
        let h = tree.head(t);
        if (first..=last).contains(&h) {
            return true;
        }
        if h == t || !tail.contains(&h) || is_cue(h) {
            return false;
        }
        t = h;
    };
    // The writer's narration of when ("“...” before floating the idea", "“...” while clips
    // play") ends it.
    let narration = |t: usize| {
        tree.dep(t) == "prep"
            && matches!(
                tree.text(t).to_lowercase().as_str(),
                "before" | "after" | "during" | "prior" | "amid" | "following" | "while"
            )
            || tree.dep(t) == "advcl"
                && (matches!(tree.tag(t), "VBG" | "VBN")
                    || tree.children[t].iter().any(|&c| {
                        tree.dep(c) == "mark"
                            && matches!(
                                tree.text(c).to_lowercase().as_str(),
                                "as" | "while" | "after" | "before" | "when"
                            )
                    }))
    };
    let mut end = last + 1;
    for t in tail.clone() {
        if !tree.is_word(t) || is_cue(t) || !tied(t) {
            continue;
        }
        if narration(t) {
            break;
        }
        end = end.max(tree.subtree(t).end.min(sent_end));
    }
    let end = (last + 1..end)
        .find(|&t| narration(t) && tied(t))
        .map_or(end, |t| end.min(tree.subtree(t).start));
    let end = trimmed(tree, first..end).end;
    (end > last + 1 && (last + 1..end).any(|i| tree.is_word(i))).then_some(end)
}

/// A name in marks rather than words said: every longer word capitalised, right after a
/// possessive or a preposition ("told Dunmore Radio’s “Morning Tide,”", "said on “The Week
/// Ahead”"): the title of a show, book or programme.
fn is_title(text: &str, q: &Quotation) -> bool {
    let inner = &text[q.inner.clone()];
    let words: Vec<&str> = inner
        .split(|c: char| !c.is_alphanumeric() && c != '’' && c != '\'')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
    if words.is_empty()
        || words.len() > 8
        || !words.first().is_some_and(capitalised)
        || !words
            .iter()
            .filter(|w| w.chars().count() >= 4)
            .all(capitalised)
    {
        return false;
    }
    let before = text[..q.inner.start]
        .trim_end_matches(|c: char| is_double_open(c) || "\"'‘`".contains(c))
        .trim_end();
    let last = before.rsplit(char::is_whitespace).next().unwrap_or("");
    // A capitalised preposition is a title-case headline going on ("Asked To “Go Home”").
    // A noun of a work right before, or in apposition ("the film “Low Tide”", "her memoir,
    // “Tough Choices”"), names it.
    let work = matches!(
        last.trim_end_matches(','),
        "book"
            | "books"
            | "memoir"
            | "novel"
            | "movie"
            | "film"
            | "show"
            | "series"
            | "sitcom"
            | "program"
            | "programme"
            | "documentary"
            | "song"
            | "anthem"
            | "album"
            | "podcast"
            | "column"
            | "segment"
            | "musical"
            | "play"
            | "tour"
            | "magazine"
            | "newsletter"
    );
    work || last.ends_with("’s")
        || last.ends_with("'s")
        || matches!(last, "on" | "in" | "at" | "for" | "to" | "of")
}

/// Direct quotes still without a speaker (no cue, or a cue the parse gave no subject) take
/// the speaker of the nearest quote before them, in their paragraph or the one before; with
/// no such quote, the person or group that is the subject of the sentence right before
/// them ("Vell praised the crews. “They never stopped.”").
fn unattributed_direct_quotes(tree: &Tree<'_>, resolution: &Resolution, quotes: &mut [Quote]) {
    let doc = tree.doc;
    // Paragraphs are the body's non-blank lines, counted in order.
    let mut starts = Vec::new();
    let mut at = 0;
    for line in doc.text.split_inclusive('\n') {
        if !line.trim().is_empty() {
            starts.push(at);
        }
        at += line.len();
    }
    let paragraph = |byte: usize| starts.partition_point(|&s| s <= byte);
    for k in 0..quotes.len() {
        if quotes[k].kind != QuoteKind::Direct || quotes[k].speaker.is_some() {
            continue;
        }
        let par = paragraph(quotes[k].start);
        let before = quotes[..k]
            .iter()
            .rev()
            .take_while(|x| paragraph(x.start) + 1 >= par)
            .filter(|x| x.end <= quotes[k].start)
            .find_map(|x| x.speaker.clone());
        let speaker = before.or_else(|| {
            let first = (0..doc.tokens.len()).find(|&i| doc.tokens[i].start >= quotes[k].start)?;
            let s = tree.sentence[first];
            // The sentence before: in this paragraph, or ending the one before.
            let prev = s.checked_sub(1)?;
            let sent = tree.sentences[prev].clone();
            if paragraph(doc.tokens[sent.start].start) + 1 < par {
                return None;
            }
            let root = sent.clone().find(|&i| tree.head(i) == i)?;
            let subject = tree.children[root]
                .iter()
                .copied()
                .find(|&c| matches!(tree.dep(c), "nsubj" | "nsubjpass"))?;
            let e = resolution.entity_at(subject)?;
            if !matches!(resolution.entities[e].kind.as_str(), "PERSON" | "ORG") {
                return None;
            }
            speaker_at(tree, resolution, subject)
        });
        quotes[k].speaker = speaker;
    }
}

/// A reported clause ending inside a quotation ("called the plan a “gift”") takes the
/// closing mark, and the punctuation before it, so its marks pair up.
fn close_marks(text: &str, q: &mut Quote) {
    let span = &text[q.start..q.end];
    // A curly single quotation opened and not closed ("Plan ‘Not Worth the Concrete").
    let single_open = span.matches('‘').count() > span.matches('’').count();
    if single_open && text[q.end..].starts_with('’') {
        q.end += '’'.len_utf8();
        q.text = text[q.start..q.end].to_string();
        return;
    }
    let opens = span.matches(['“', '«']).count();
    let closes = span.matches(['”', '»']).count();
    let straight = span.matches('"').count() + span.matches("''").count();
    if opens <= closes && straight.is_multiple_of(2) {
        return;
    }
    let rest = &text[q.end..];
    let punct = rest
        .char_indices()
        .take_while(|&(i, c)| i < 3 && ".,!?;".contains(c))
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    let after = &rest[punct..];
    let mark = if after.starts_with("''") {
        2
    } else {
        after
            .chars()
            .next()
            .filter(|&c| matches!(c, '”' | '»' | '"'))
            .map_or(0, char::len_utf8)
    };
    if mark > 0 {
        q.end += punct + mark;
        q.text = text[q.start..q.end].to_string();
    }
}

/// Whether a quote of a whole sentence around its cue ("X, he said, Y"; "according to X, Y")
/// fits in at `span`: what it overlaps is only indirect quotes inside it (reported speech
/// within the attributed content, or a verb's object read as a stance).
fn room_for(quotes: &[Quote], span: &Range<usize>) -> bool {
    quotes.iter().all(|x| {
        !overlaps(&(x.start..x.end), span)
            || (x.kind == QuoteKind::Indirect && span.start <= x.start && x.end <= span.end)
    })
}

/// Adds `q`, dropping the indirect quotes inside it (see [`room_for`]).
fn place(quotes: &mut Vec<Quote>, q: Quote) {
    quotes.retain(|x| !(x.kind == QuoteKind::Indirect && q.start <= x.start && x.end <= q.end));
    quotes.push(q);
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Bytes of tokens `range`.
fn byte_span(doc: &Doc, range: Range<usize>) -> Range<usize> {
    doc.tokens[range.start].start..doc.tokens[range.end - 1].end
}

/// The cue of a direct quotation with tokens `toks` (`first..=last`).
fn direct_cue<'c>(
    tree: &Tree<'_>,
    cues: &'c [Cue],
    toks: &[usize],
    first: usize,
    last: usize,
) -> Option<&'c Cue> {
    let (s0, s1) = (tree.sentence[first], tree.sentence[last]);
    let par = tree.paragraph[first];
    let near: Vec<&Cue> = cues
        .iter()
        .filter(|c| {
            let s = tree.sentence[c.token];
            s >= s0
                && s <= s1 + 1
                && tree.paragraph[c.token] == par
                && (s <= s1 || c.token <= last + 4)
        })
        .collect();
    // Best: a cue whose dependents reach into the quotation (its ccomp, or the quote's root
    // attached to it).
    // Among those, one with a subject of its own ("Asked what ..., Adelson said, “...”":
    // "said", not "Asked").
    let reaching: Vec<&&Cue> = near
        .iter()
        .filter(|c| {
            toks.iter().any(|&t| tree.descends_from(t, c.token))
                || (tree.descends_from(c.token, tree.head(first)) && tree.sentence[c.token] <= s1)
        })
        .collect();
    let reaching_with_subject = reaching
        .iter()
        .find(|c| subject_of(tree, c.token).is_some());
    if let Some(c) = reaching_with_subject {
        return Some(c);
    }
    // Else the nearest cue right before or after the quotation within its sentences (also
    // when the reaching one has no subject and the nearest, in the quotation's sentence,
    // has one).
    let nearest = near
        .iter()
        .filter(|c| !lexicon::needs_clause(c.base) || tree.sentence[c.token] <= s1)
        .min_by_key(|c| {
            if c.token > last {
                c.token - last
            } else {
                first - c.token
            }
        });
    if let Some(c) = reaching.first() {
        let better =
            nearest.filter(|n| tree.sentence[n.token] == s0 && subject_of(tree, n.token).is_some());
        return Some(better.unwrap_or(c));
    }
    if let Some(c) = nearest {
        return Some(c);
    }
    // A sentence just before, in the same paragraph, ending with a colon: "He wrote:".
    let prev_sentence = s0.checked_sub(1)?;
    let sent = &tree.sentences[prev_sentence];
    let last_tok = (sent.clone())
        .rev()
        .find(|&i| tree.is_word(i) || tree.text(i) == ":")?;
    if tree.text(last_tok) == ":" || tree.text(first.saturating_sub(1)) == ":" {
        return cues
            .iter()
            .rev()
            .find(|c| tree.sentence[c.token] == prev_sentence && tree.paragraph[c.token] == par);
    }
    None
}

/// "X put it bluntly: "..."": a quotation right after a colon takes the verb of the clause
/// before the colon (any verb: the colon makes it an introducer) when it has a subject.
fn colon_introducer(tree: &Tree<'_>, first: usize) -> Option<usize> {
    let mut k = first.checked_sub(1)?;
    // Skip the opening mark's own token, if the tokenizer split it off.
    while !tree.is_word(k) && tree.text(k) != ":" {
        k = k.checked_sub(1)?;
    }
    // The colon ends the clause before, in this paragraph or closing the one before.
    if tree.text(k) != ":" || tree.paragraph[k] + 1 < tree.paragraph[first] {
        return None;
    }
    let mut verb = tree.head(k);
    for _ in 0..4 {
        if tree.is_verb(verb) {
            break;
        }
        let h = tree.head(verb);
        if h == verb {
            return None;
        }
        verb = h;
    }
    (tree.is_verb(verb) && verb < k && subject_of(tree, verb).is_some()).then_some(verb)
}

/// "“Go home,” Tarn barked": a quotation ending in a comma, "!" or "?" inside its closing
/// mark, followed in its sentence by a subject and its verb (any verb: the construction
/// makes it a verb of saying), or the verb and then its subject ("barked Tarn").
fn trailing_verb(
    tree: &Tree<'_>,
    text: &str,
    q: &Quotation,
    last: usize,
    quoted: &[bool],
) -> Option<usize> {
    if !q.closed || !text[q.inner.clone()].trim_end().ends_with([',', '!', '?']) {
        return None;
    }
    let after: Vec<usize> = (last + 1..tree.doc.tokens.len())
        .take_while(|&i| tree.sentence[i] == tree.sentence[last] && !quoted[i])
        .filter(|&i| tree.is_word(i))
        .take(6)
        .collect();
    let verb = after.iter().copied().find(|&i| tree.is_verb(i))?;
    if !matches!(tree.tag(verb), "VBD" | "VBZ" | "VBP") {
        return None;
    }
    let subject = tree.children[verb]
        .iter()
        .copied()
        .find(|&c| tree.dep(c) == "nsubj")?;
    // The subject right there: before the verb after the quotation, or just after the verb.
    let placed = (subject > last && subject < verb) || (subject > verb && subject <= verb + 3);
    (placed && !matches!(tree.tag(subject), "EX" | "WDT" | "WP") && !is_neuter(tree, subject))
        .then_some(verb)
}

/// A verb of saying outside the marks that governs token `first` (of a short quotation), with
/// the clause it reports (the child of the cue on the way to the quotation).
fn governing_cue<'c>(
    tree: &Tree<'_>,
    cues: &'c [Cue],
    first: usize,
) -> Option<(&'c Cue, Range<usize>)> {
    let mut child = first;
    for _ in 0..tree.doc.tokens.len() {
        let head = tree.head(child);
        if head == child {
            return parenthetical_cue(tree, cues, child, first);
        }
        if let Some(cue) = cues.iter().find(|c| c.token == head) {
            // A quotation in the cue's subject names the speaker ("the “Harbour Nights” star
            // posted ..."), it is not what was said.
            if matches!(tree.dep(child), "nsubj" | "nsubjpass") {
                return None;
            }
            let mut range = if matches!(
                tree.dep(child),
                "ccomp" | "xcomp" | "dobj" | "attr" | "oprd" | "advcl"
            ) {
                content_range(tree, child)
            } else {
                tree.subtree(child)
            };
            // A predicate of the cue's object ("called the plan “reckless”") is said of that
            // object after the cue: the content runs from it ("what he called a “rigged” vote"
            // keeps to the fragment). The object of a verb of telling is the one told, and a
            // clause after it is what was said, without it ("told reporters that it “works”").
            let told = tree.dep(child) == "ccomp"
                && (lexicon::addressee_verb(&lemma(tree, head))
                    || tree.children[child].iter().any(|&m| {
                        tree.dep(m) == "mark"
                            && matches!(
                                tree.text(m).to_lowercase().as_str(),
                                "that" | "if" | "whether"
                            )
                    }));
            if tree.dep(child) == "ccomp" {
                range = with_second_that_clause(tree, head, range);
            }
            // "described the plan as “a gift”": the "as" phrase is said of the object before
            // it, and the content runs from that object too.
            let as_phrase =
                tree.dep(child) == "prep" && tree.text(child).eq_ignore_ascii_case("as");
            if !told
                && (as_phrase
                    || matches!(
                        tree.dep(child),
                        "oprd" | "xcomp" | "ccomp" | "acomp" | "attr"
                    ))
                && let Some(obj) = tree.children[head]
                    .iter()
                    .copied()
                    .find(|&d| tree.dep(d) == "dobj" && head < d && d < child)
            {
                range.start = range.start.min(tree.subtree(obj).start);
            }
            return Some((cue, range));
        }
        child = head;
    }
    None
}

/// A cue set off by commas inside the clause it reports, which the parse hangs from that
/// clause's root ("The costs, the auditors said, “all point one way”", "Instead, Vell told
/// the paper, the plan is “to keep going”"): the clause is what was said. With the clause's
/// subject before the cue the content is the whole clause, the cue inside it (as for indirect
/// quotes); with none it starts after the cue; a cue after the quotation ends it.
fn parenthetical_cue<'c>(
    tree: &Tree<'_>,
    cues: &'c [Cue],
    root: usize,
    first: usize,
) -> Option<(&'c Cue, Range<usize>)> {
    // A clause of its own with no subordinator ("As Vell said, ..." is not an aside).
    let cue = tree.children[root].iter().find_map(|&c| {
        let aside = match tree.dep(c) {
            "parataxis" => true,
            "advcl" => !tree.children[c].iter().any(|&m| tree.dep(m) == "mark"),
            _ => false,
        };
        (aside && subject_of(tree, c).is_some())
            .then(|| cues.iter().find(|k| k.token == c))
            .flatten()
    })?;
    let aside = tree.subtree(cue.token);
    let whole = tree.subtree(root);
    // Set off by commas, dashes or the quotation's own marks, at both ends.
    let mark = |i: usize| {
        matches!(
            tree.text(i),
            "," | "—" | "–" | "(" | ")" | "“" | "”" | "\"" | "``" | "''"
        )
    };
    let before =
        aside.start == whole.start || mark(aside.start) || mark(aside.start.saturating_sub(1));
    let after = mark(aside.end - 1)
        || aside.end >= whole.end
        || mark(aside.end)
        || tree.text(aside.end) == ".";
    if !(before && after) {
        return None;
    }
    let subject_before = tree.children[root]
        .iter()
        .any(|&s| matches!(tree.dep(s), "nsubj" | "nsubjpass") && s < aside.start);
    let range = if aside.start > first {
        whole.start..aside.start
    } else if subject_before {
        whole
    } else {
        aside.end..whole.end
    };
    let range = trimmed(tree, range);
    range
        .clone()
        .any(|i| tree.is_word(i))
        .then_some((cue, range))
}

/// The verb of stance a quotation hangs from through its complement ("mocked Vell for
/// “...”", "praised Dorn as “...”", "bemoaned the mood in which people “...”"), in the
/// same sentence, with a subject of its own outside the marks, and the complement's tokens:
/// from the word after the verb to the end of its subtree. None when the quotation is the
/// verb's whole complement, when a verb of another kind comes first on the way up, or when
/// no word outside the marks is left in the complement.
fn stance_complement(
    tree: &Tree<'_>,
    toks: &[usize],
    first: usize,
    quoted: &[bool],
) -> Option<(usize, Range<usize>)> {
    let root = toks
        .iter()
        .copied()
        .find(|&t| !toks.contains(&tree.head(t)))?;
    let mut child = root;
    let verb = loop {
        let head = tree.head(child);
        if head == child || tree.sentence[head] != tree.sentence[first] {
            return None;
        }
        if tree.is_verb(head) && !quoted[head] {
            break head;
        }
        child = head;
    };
    if verb > first
        || !lexicon::attributes(tree.text(verb), lexicon::Complement::Object)
        || subject_of(tree, verb).is_none()
    {
        return None;
    }
    let sub = tree.subtree(verb);
    let whole = trimmed(tree, verb + 1..sub.end);
    // The writer's aside after the quoted object is not the stance ("denounced “home rule,”
    // which ..."); what is left may be the quotation alone.
    let range = without_closing_aside(tree, whole.clone(), true);
    let outside = range
        .clone()
        .filter(|&i| tree.is_word(i) && !quoted[i])
        .count();
    (range.start <= first && (outside >= 2 || range != whole)).then_some((verb, range))
}

/// "said the plan was late and that the board would meet": a second reported clause with its
/// own "that", which the parse coordinates with the verb of saying rather than with the
/// first clause, is said too; the content `range` (of the first) runs on to its end.
fn with_second_that_clause(tree: &Tree<'_>, cue: usize, range: Range<usize>) -> Range<usize> {
    let second = tree.children[cue].iter().copied().find(|&c| {
        c >= range.end
            && tree.dep(c) == "conj"
            && tree.is_verb(c)
            && tree.sentence[c] == tree.sentence[cue]
            && tree.children[c].iter().any(|&m| {
                tree.dep(m) == "mark" && m >= range.end && tree.text(m).eq_ignore_ascii_case("that")
            })
    });
    match second {
        Some(c) => range.start..trimmed(tree, tree.subtree(c)).end.max(range.end),
        None => range,
    }
}

/// A content range that starts inside its quotation (tokens `first..=last`) ends with it
/// unless the words after the closing mark and the quoted ones hang from each other (“we need
/// more facts” about the audit; “bombastic remarks” do more harm): words that hang from the
/// cue are the writer's (said: “…was a mistake,”
/// but in fact …; likes “The Tide,” while the governor loves “Ashes”), and a span from inside
/// one quotation into the narration after it would read as neither.
fn within_own_quotation(
    tree: &Tree<'_>,
    r: Range<usize>,
    first: usize,
    last: usize,
) -> Range<usize> {
    if !(first..=last).contains(&r.start) || r.end <= last + 1 {
        return r;
    }
    let tail = last + 1..r.end;
    // A clause of its own coordinated after the closing mark ("…,” but in fact Vell kept
    // one") is the writer's, whatever the parse hangs it from; a second "that" clause is more
    // of the report.
    let own_clause = |t: usize| {
        tree.dep(t) == "conj"
            && tree.is_verb(t)
            && tree.children[t]
                .iter()
                .any(|&c| matches!(tree.dep(c), "nsubj" | "nsubjpass"))
            && !tree.children[t].iter().any(|&c| tree.dep(c) == "mark")
    };
    let from_quotation = |mut t: usize| loop {
        let h = tree.head(t);
        if own_clause(t) {
            return false;
        }
        if (first..=last).contains(&h) {
            return true;
        }
        if h == t || !tail.contains(&h) {
            return false;
        }
        t = h;
    };
    // Words of the quotation hanging from the tail ("“bombastic remarks” do more harm") tie
    // them together too.
    if tail
        .clone()
        .any(|t| tree.is_word(t) && tree.dep(t) != "cc" && from_quotation(t))
        || (first..=last).any(|t| tail.contains(&tree.head(t)))
    {
        r
    } else {
        trimmed(tree, r.start..last + 1)
    }
}

/// A token range without punctuation at its edges.
fn trimmed(tree: &Tree<'_>, mut r: Range<usize>) -> Range<usize> {
    while r.end > r.start + 1 && !tree.is_word(r.start) {
        r.start += 1;
    }
    while r.end > r.start + 1 && !tree.is_word(r.end - 1) {
        r.end -= 1;
    }
    r
}

/// A range without an aside that closes it: a relative clause or apposition set off by a
/// comma or dash and running to the range's end ("backed Vell, who leads the council",
/// "praised Dorn, the former mayor"). The reported words stop before it.
fn without_closing_aside(tree: &Tree<'_>, r: Range<usize>, appositions: bool) -> Range<usize> {
    let text = &tree.doc.text;
    // Inside an open quotation the comma is the speaker's, not the writer's; the marks are
    // counted from the start of the line, as a range may begin inside its quotation.
    let line_start = text[..tree.doc.tokens[r.start].start]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let in_marks = |k: usize| {
        let before = &text[line_start..tree.doc.tokens[k].start];
        before.matches('“').count() > before.matches('”').count()
            || before.matches('"').count() % 2 == 1
    };
    // A comma right before a closing mark is the writer's too, set inside the marks by the
    // house style ("denounced “home rule,” which ...").
    let closes =
        |k: usize| k + 1 < r.end && matches!(tree.text(k + 1), "”" | "\"" | "''" | "’" | "»");
    let cut = (r.start + 1..r.end).find(|&k| {
        let after = if closes(k) { k + 2 } else { k + 1 };
        matches!(tree.text(k), "," | "—" | "–" | "―" | "--")
            && (!in_marks(k) || tree.text(k) == "," && closes(k))
            && (after..r.end).any(|m| {
                let head = tree.head(m);
                // An apposition holding "and"/"or" is the rest of a list ("a liar, a cheat
                // and a thief").
                // A cleft's relative clause is the point ("it was Vell, who spoke first").
                let cleft = tree.dep(head) == "attr"
                    && tree.children[tree.head(head)].iter().any(|&c| {
                        tree.dep(c) == "nsubj" && tree.text(c).eq_ignore_ascii_case("it")
                    });
                let aside = tree.dep(m) == "relcl" && !cleft
                    || appositions
                        && tree.dep(m) == "appos"
                        && !tree.subtree(m).any(|i| tree.dep(i) == "cc");
                head != m
                    && head < k
                    && head >= r.start
                    && aside
                    && tree.subtree(m).start == after
                    && tree.subtree(m).end >= r.end
            })
    });
    match cut {
        Some(k) => trimmed(tree, r.start..k),
        None => r,
    }
}

/// A partial quote's range without the writer's narration after its last quotation: a
/// phrase hanging from the content that starts after the quotation and runs to the range's
/// end ("is “tied for first” with Hale, in a poll released Sunday"; "said the vote “should
/// wait,” referring to the spring session"; "is “excited” as she faces a test"). Set off by
/// a comma or dash, an adverbial clause or a prepositional phrase is cut; with no comma only
/// an adverbial participle or a clause of time ("as", "while", ...).
fn without_trailing_narration(tree: &Tree<'_>, r: Range<usize>, quoted: &[bool]) -> Range<usize> {
    let Some(last) = r.clone().rfind(|&i| quoted[i]) else {
        return r;
    };
    let time_mark = |m: usize| {
        tree.children[m].iter().any(|&c| {
            tree.dep(c) == "mark"
                && matches!(
                    tree.text(c).to_lowercase().as_str(),
                    "as" | "while" | "after" | "before" | "when" | "until" | "since"
                )
        })
    };
    // A bare participle clause ("referring to ..."), without a subordinator or subject of its
    // own ("if it were built ..." is a condition of what was said).
    let participle = |m: usize| {
        matches!(tree.tag(m), "VBG" | "VBN")
            && !tree.children[m]
                .iter()
                .any(|&c| matches!(tree.dep(c), "mark" | "nsubj" | "nsubjpass"))
    };
    // The earliest phrase after the quotation that runs to the end and hangs from before it.
    let cut = (last + 1..r.end)
        .filter_map(|m| {
            let sub = tree.subtree(m);
            let h = tree.head(m);
            if sub.start <= last || sub.end < r.end || h == m || h >= sub.start || h < r.start {
                return None;
            }
            // Back over the punctuation before it: a comma there counts, also one inside the
            // closing mark (“…,” as American style puts it); the cut is after the quotation.
            let mut comma = false;
            let mut j = sub.start;
            while j > r.start && !tree.is_word(j - 1) {
                j -= 1;
                comma |= matches!(tree.text(j), "," | "—" | "–" | "―" | "--" | ";");
            }
            let k = j.max(last + 1);
            let narration = match tree.dep(m) {
                // A coordinated verb or a past participle of a noun is too often more of the
                // report ("would “love to meet” him, and talk", "a “good talk”, led by the
                // envoy"): kept.
                "advcl" => comma || time_mark(m) || participle(m),
                "prep" | "npadvmod" | "parataxis" | "appos" => comma,
                // "called him a “hypocrite,” linking to a story": the writer's gloss.
                "acl" => comma && tree.tag(m) == "VBG",
                _ => false,
            };
            narration.then_some(k)
        })
        .min();
    match cut {
        Some(k) => trimmed(tree, r.start..k),
        None => r,
    }
}

/// The tokens of a reported clause, without its complementiser ("that") and edge punctuation.
fn content_range(tree: &Tree<'_>, clause: usize) -> Range<usize> {
    let mut r = tree.subtree(clause);
    // Never across a paragraph break (a subheading without a full stop can be parsed into
    // the next paragraph's sentence).
    let par = tree.paragraph[clause];
    while r.start < clause && tree.paragraph[r.start] != par {
        r.start += 1;
    }
    while r.end > clause + 1 && tree.paragraph[r.end - 1] != par {
        r.end -= 1;
    }
    // A verb of saying coordinated with the clause or hanging from it after it is an
    // attribution of its own ("she backs the plan and calls it “overdue”", "..., telling
    // reporters that ..."): the content stops before it, and before its "and" or comma.
    // A verb inside quotation marks is the speaker's word, not the writer's attribution ("if
    // voters “continue to ...”").
    let opens_quotation = |c: usize| {
        (tree.subtree(c).start..c).any(|i| matches!(tree.text(i), "“" | "\"" | "``" | "‘" | "«"))
    };
    if let Some(cut) = tree.children[clause]
        .iter()
        .copied()
        .filter(|&c| c > clause && matches!(tree.dep(c), "conj" | "advcl"))
        .find(|&c| lexicon::speech_verb(tree.text(c)).is_some() && !opens_quotation(c))
    {
        r.end = r.end.min(tree.subtree(cut).start).max(clause + 1);
        while r.end > clause + 1 && (!tree.is_word(r.end - 1) || tree.dep(r.end - 1) == "cc") {
            r.end -= 1;
        }
    }
    while r.start < r.end
        && (tree.dep(r.start) == "mark"
            && tree.head(r.start) == clause
            && tree.text(r.start).eq_ignore_ascii_case("that")
            || !tree.is_word(r.start))
    {
        r.start += 1;
    }
    while r.end > r.start + 1 && !tree.is_word(r.end - 1) {
        r.end -= 1;
    }
    if r.start >= r.end {
        return clause..clause + 1;
    }
    without_closing_aside(tree, r, true)
}

/// The cue as written: the verb with its particles and auxiliaries' negation ("pointed out").
fn cue_phrase(tree: &Tree<'_>, cue: usize) -> String {
    let mut end = cue + 1;
    for &c in &tree.children[cue] {
        if tree.dep(c) == "prt" && c == end {
            end = c + 1;
        }
    }
    tree.doc.text[tree.doc.tokens[cue].start..tree.doc.tokens[end - 1].end].to_string()
}

/// The subject of a verb of saying, climbing to the verb it depends on when it has none of
/// its own ("Leavitt said, adding ..."; "..., warning that ...").
fn subject_of(tree: &Tree<'_>, cue: usize) -> Option<usize> {
    let mut verb = cue;
    for _ in 0..8 {
        // The subject nearest the verb (a quotation's words can be parsed as a second one).
        if let Some(s) = tree.children[verb]
            .iter()
            .copied()
            .filter(|&c| matches!(tree.dep(c), "nsubj" | "nsubjpass"))
            .min_by_key(|&c| c.abs_diff(verb))
        {
            return Some(s);
        }
        if let Some(agent) = tree.children[verb]
            .iter()
            .copied()
            .find(|&c| tree.dep(c) == "agent")
        {
            return tree.children[agent]
                .iter()
                .copied()
                .find(|&c| tree.dep(c) == "pobj");
        }
        let head = tree.head(verb);
        if head == verb {
            return None;
        }
        match tree.dep(verb) {
            "advcl" | "xcomp" | "conj" | "ccomp" => verb = head,
            // "was quick to add", "were more likely to say": the copula's subject. With "likely"
            // and its kin only for a verb of saying: "is unlikely to accept the offer" is the
            // writer's guess, no stance of the subject's.
            "acomp"
                if tree.is_verb(head)
                    && (!matches!(
                        tree.text(verb).to_lowercase().as_str(),
                        "likely" | "unlikely" | "certain" | "sure" | "bound" | "set" | "due"
                    ) || lexicon::speech_verb(tree.text(cue)).is_some()) =>
            {
                verb = head
            }
            // "distanced himself by saying ...", "after telling reporters ...": the verb the
            // preposition hangs from. Not "of"/"for"/"about", whose gerund is often another
            // person's act ("accused her of saying ...").
            "pcomp" => {
                let up = tree.head(head);
                let prep = tree.text(head).to_lowercase();
                if tree.dep(head) != "prep"
                    || up == head
                    || !tree.is_verb(up)
                    || !matches!(
                        prep.as_str(),
                        "by" | "after"
                            | "before"
                            | "while"
                            | "without"
                            | "in"
                            | "upon"
                            | "on"
                            | "since"
                            | "through"
                            | "despite"
                    )
                {
                    return None;
                }
                verb = up;
            }
            // A verb the parse left as an unclassified dependent of another verb ("Majorities
            // of voters going to the polls say ...", with "say" under "going").
            "dep" if tree.is_verb(head) && tree.tag(verb).starts_with("VB") => verb = head,
            "relcl" | "acl" => {
                // "issued a statement saying ...", "said in a statement describing ...": the
                // one who issued it.
                if let Some(issuer) = issuer_of(tree, head) {
                    return Some(issuer);
                }
                return Some(head);
            }
            _ => return None,
        }
    }
    None
}

/// The subject of the verb that governs a noun of a written or spoken statement ("released a
/// statement", "said in a letter"), if `noun` is one.
fn issuer_of(tree: &Tree<'_>, noun: usize) -> Option<usize> {
    if !lexicon::names_statement(&tree.text(noun).to_lowercase()) {
        return None;
    }
    let mut verb = tree.head(noun);
    if tree.dep(noun) == "pobj" && tree.dep(verb) == "prep" {
        verb = tree.head(verb);
    } else if tree.dep(noun) != "dobj" {
        return None;
    }
    if !tree.is_verb(verb) {
        return None;
    }
    tree.children[verb]
        .iter()
        .copied()
        .find(|&c| tree.dep(c) == "nsubj")
}

/// The speaker of a cue: its subject, resolved to an entity when possible.
fn speaker_of(
    tree: &Tree<'_>,
    resolution: &Resolution,
    cue: usize,
    quoted: &[bool],
) -> Option<Speaker> {
    let Some(subject) = subject_of(tree, cue) else {
        return share_before(tree, cue, quoted);
    };
    if quoted[subject] {
        return None;
    }
    // Times, dates and numbers are no speakers ("12:15 p.m.: ...").
    let ent = tree.doc.tokens[subject].ent_type.as_str();
    if matches!(
        ent,
        "DATE" | "TIME" | "CARDINAL" | "ORDINAL" | "MONEY" | "QUANTITY"
    ) || tree.tag(subject) == "CD"
    {
        // Shares of a poll's respondents speak ("4 in 10 said", "a third of voters said",
        // "43 said yes", "a third said so").
        let share = tree
            .subtree(subject)
            .any(|c| matches!(tree.text(c), "in" | "of" | "percent" | "%"))
            || (!matches!(ent, "DATE" | "TIME" | "MONEY" | "QUANTITY")
                && (matches!(
                    tree.text(subject).to_lowercase().as_str(),
                    "half"
                        | "third"
                        | "thirds"
                        | "quarter"
                        | "quarters"
                        | "fourth"
                        | "fourths"
                        | "fifth"
                        | "fifths"
                        | "tenth"
                        | "tenths"
                        | "three-quarters"
                        | "two-thirds"
                ) || matches!(lexicon::speech_verb(tree.text(cue)), Some("say" | "tell"))
                    && counts_people(tree.text(subject))));
        if !share {
            return None;
        }
        // The whole share is the mention ("About 3 in 10", not "3").
        let words: Vec<usize> = tree
            .subtree(subject)
            .filter(|&i| tree.is_word(i) && !quoted[i])
            .collect();
        if let (Some(&a), Some(&b)) = (words.first(), words.last()) {
            return Some(phrase_speaker(tree, a, b));
        }
    }
    // A relative pronoun ("Barkley, who said ...") is the mention; its antecedent the name.
    let antecedent = tree.head(tree.head(subject));
    if matches!(tree.tag(subject), "WP" | "WDT")
        && tree.dep(tree.head(subject)) == "relcl"
        && antecedent < subject
    {
        let mut speaker = speaker_at(tree, resolution, antecedent)?;
        speaker.mention = token_mention(tree, subject);
        return Some(speaker);
    }
    // "It" as the subject of a verb of saying ("The agency said ... It also said ..."): the
    // nearest earlier subject that can be an "it" (a singular noun or a name that is no
    // person), in the same sentence or the three before.
    if tree.text(subject).eq_ignore_ascii_case("it") && tree.dep(subject) == "nsubj" {
        return antecedent_speaker(tree, resolution, subject, quoted, 3, |t| {
            matches!(tree.tag(t), "NN" | "NNP")
                && resolution
                    .entity_at(t)
                    .is_none_or(|e| resolution.entities[e].kind != "PERSON")
        });
    }
    let speaker = speaker_at(tree, resolution, subject)?;
    // "they" the resolver left alone: the nearest earlier plural subject noun ("Wyoming
    // Republicans ... they want"), in the same sentence or the two before, names them.
    if speaker.entity.is_none() && tree.text(subject).eq_ignore_ascii_case("they") {
        let plural = |t: usize| matches!(tree.tag(t), "NNS" | "NNPS");
        return Some(
            antecedent_speaker(tree, resolution, subject, quoted, 2, plural).unwrap_or(speaker),
        );
    }
    Some(speaker)
}

/// The speaker a pronoun subject stands for: the nearest earlier subject (`nsubj`,
/// `nsubjpass`) outside quotation marks that `fits`, in the pronoun's sentence or the
/// `sentences_back` before it, gives the name; the pronoun stays the mention.
fn antecedent_speaker(
    tree: &Tree<'_>,
    resolution: &Resolution,
    pronoun: usize,
    quoted: &[bool],
    sentences_back: usize,
    fits: impl Fn(usize) -> bool,
) -> Option<Speaker> {
    let first = tree.sentences[tree.sentence[pronoun].saturating_sub(sentences_back)].start;
    let antecedent = (first..pronoun)
        .rev()
        .find(|&t| !quoted[t] && matches!(tree.dep(t), "nsubj" | "nsubjpass") && fits(t))?;
    let mut speaker = speaker_at(tree, resolution, antecedent)?;
    speaker.mention = token_mention(tree, pronoun);
    Some(speaker)
}

/// Token `t` as a mention.
fn token_mention(tree: &Tree<'_>, t: usize) -> Mention {
    let token = &tree.doc.tokens[t];
    Mention {
        text: tree.doc.text[token.start..token.end].to_string(),
        start: token.start,
        end: token.end,
    }
}

/// A speaker no entity stands for, named by the words of tokens `first..=last` as written.
fn phrase_speaker(tree: &Tree<'_>, first: usize, last: usize) -> Speaker {
    let span = tree.doc.tokens[first].start..tree.doc.tokens[last].end;
    let text = tree.doc.text[span.clone()].to_string();
    Speaker {
        entity: None,
        name: text.clone(),
        mention: Mention {
            text,
            start: span.start,
            end: span.end,
        },
    }
}

/// Whether a number subject of "say" or "tell" can count people ("43 said yes", "at least
/// 21,000 said they would"): any whole number but a bare year.
fn counts_people(word: &str) -> bool {
    let plain = word.replace(',', "");
    plain.parse::<u64>().is_ok_and(|n| {
        n < 100 || word.contains(',') || !(1800..=2100).contains(&n) || plain.len() != 4
    })
}

/// A poll's share of people the parse left without a subject relation, written right before
/// the cue ("About 4 in 10 say ...", "voters, about two-thirds, 67 percent, say ..."): the
/// words from the sentence start or the last comma, all of them numbers and words of shares.
fn share_before(tree: &Tree<'_>, cue: usize, quoted: &[bool]) -> Option<Speaker> {
    if !matches!(lexicon::speech_verb(tree.text(cue)), Some("say" | "tell")) {
        return None;
    }
    let sent_start = tree.sentences[tree.sentence[cue]].start;
    // A share set off by commas right before the cue ("voters, about two-thirds, 67 percent,
    // say") ends at that comma.
    let end = if cue > sent_start && tree.text(cue - 1) == "," {
        cue - 1
    } else {
        cue
    };
    let mut start = end;
    while start > sent_start && !matches!(tree.text(start - 1), "," | ";") {
        start -= 1;
    }
    let words: Vec<usize> = (start..end).filter(|&i| tree.is_word(i)).collect();
    let share_word = |i: usize| {
        tree.tag(i) == "CD"
            || matches!(
                tree.text(i).to_lowercase().as_str(),
                "half"
                    | "third"
                    | "thirds"
                    | "quarter"
                    | "quarters"
                    | "fourths"
                    | "fifths"
                    | "tenths"
                    | "two-thirds"
                    | "three-quarters"
                    | "majority"
                    | "most"
            )
    };
    let filler = |i: usize| {
        matches!(
            tree.text(i).to_lowercase().as_str(),
            "in" | "of"
                | "about"
                | "nearly"
                | "almost"
                | "roughly"
                | "some"
                | "percent"
                | "%"
                | "than"
                | "more"
                | "fewer"
                | "less"
                | "at"
                | "least"
                | "just"
                | "over"
                | "under"
                | "a"
                | "an"
                | "the"
                | "only"
                | "around"
        )
    };
    if words.is_empty()
        || words.len() > 6
        || (start..end).any(|i| quoted[i])
        || !words.iter().any(|&i| share_word(i))
        || !words.iter().all(|&i| share_word(i) || filler(i))
    {
        return None;
    }
    Some(phrase_speaker(tree, words[0], words[words.len() - 1]))
}

/// A cue the parse left without a subject ("“...,” Tarn Ivel, head of the union, tells
/// reporters"): the first name or personal pronoun between the quotation (or the sentence
/// start) and the cue, with no verb between them and at most twelve words, else one right
/// after the cue ("said Ivel").
fn adjacent_speaker(
    tree: &Tree<'_>,
    resolution: &Resolution,
    cue: usize,
    quoted: &[bool],
) -> Option<Speaker> {
    let sent = tree.sentences[tree.sentence[cue]].clone();
    let fits = |i: usize| {
        !quoted[i]
            && (resolution.entity_at(i).is_some_and(|e| {
                matches!(
                    resolution.entities[e].kind.as_str(),
                    "PERSON" | "ORG" | "NORP" | "GPE"
                )
            }) || matches!(
                tree.text(i).to_lowercase().as_str(),
                "he" | "she" | "they" | "i" | "we"
            ))
    };
    // Before the cue: the first name after the quotation (or the sentence start), so that
    // an apposition's organisation ("head of the Farmers' Union") is not taken for it.
    let from = (sent.start..cue)
        .rev()
        .find(|&i| quoted[i])
        .map_or(sent.start, |i| i + 1);
    let words = (from..cue).filter(|&i| tree.is_word(i)).count();
    let before = (words <= 12 && (from..cue).all(|i| !tree.is_verb(i)))
        .then(|| (from..cue).find(|&i| fits(i)))
        .flatten();
    let after = (cue + 1..sent.end.min(cue + 3))
        .take_while(|&i| !quoted[i])
        .find(|&i| fits(i));
    speaker_at(tree, resolution, before.or(after)?)
}

/// A speaker from the token its attribution rests on.
fn speaker_at(tree: &Tree<'_>, resolution: &Resolution, token: usize) -> Option<Speaker> {
    let doc = tree.doc;
    // The token itself, or a name inside its phrase ("spokesperson Karoline Leavitt" is
    // headed by Leavitt; "a spokesman for Tarvel" by spokesman).
    if let Some(e) = resolution.entity_at(token) {
        let entity = &resolution.entities[e];
        let m = entity
            .mentions
            .iter()
            .find(|m| m.tokens.contains(&token))
            .map(|m| {
                // Only the words: a stray quotation mark can end up inside an entity span.
                let words: Vec<usize> = m.tokens.clone().filter(|&t| tree.is_word(t)).collect();
                match (words.first(), words.last()) {
                    (Some(&a), Some(&b)) => doc.tokens[a].start..doc.tokens[b].end,
                    _ => m.start..m.end,
                }
            })
            .unwrap_or_else(|| doc.tokens[token].start..doc.tokens[token].end);
        return Some(Speaker {
            entity: Some(entity_id(e)),
            name: entity.name.clone(),
            mention: Mention {
                text: doc.text[m.clone()].to_string(),
                start: m.start,
                end: m.end,
            },
        });
    }
    if matches!(tree.tag(token), "EX") || tree.text(token).eq_ignore_ascii_case("it") {
        return None;
    }
    // The noun phrase up to its head: determiners, modifiers, compounds, possessors.
    let mut start = token;
    for &c in &tree.children[token] {
        if c < start
            && matches!(
                tree.dep(c),
                "det" | "amod" | "compound" | "poss" | "nummod" | "nmod" | "quantmod"
            )
        {
            start = tree.subtree(c).start;
        }
    }
    Some(phrase_speaker(tree, start, token))
}

/// "Marlo: Talks Will Resume": a paragraph opening with one to four words, a name or a noun
/// of a holder of views heading them, then a colon and three words or more; the rest of the
/// paragraph is the name's indirect quote (headlines and summaries).
fn colon_headlines(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let doc = tree.doc;
    let n = doc.tokens.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let par = tree.paragraph[i];
        let end = (i..n).find(|&k| tree.paragraph[k] != par).unwrap_or(n);
        let words: Vec<usize> = (i..end).filter(|&k| tree.is_word(k)).collect();
        let colon = (i..end).find(|&k| tree.text(k) == ":");
        i = end;
        let Some(colon) = colon else { continue };
        let before: Vec<usize> = words.iter().copied().filter(|&k| k < colon).collect();
        let after: Vec<usize> = words.iter().copied().filter(|&k| k > colon).collect();
        if before.is_empty() || before.len() > 4 || after.len() < 3 || quoted[colon] {
            continue;
        }
        if before
            .iter()
            .any(|&k| tree.is_verb(k) || quoted[k] || !tree.text(k).starts_with(char::is_uppercase))
        {
            continue;
        }
        // The phrase's head: its last word (a noun phrase before the colon).
        let head = before[before.len() - 1];
        let ent = doc.tokens[head].ent_type.as_str();
        if matches!(
            ent,
            "DATE" | "TIME" | "CARDINAL" | "ORDINAL" | "MONEY" | "QUANTITY"
        ) {
            continue;
        }
        let holder = resolution.entity_at(head).is_some() || lexicon::names_holder(tree.text(head));
        if !holder {
            continue;
        }
        let Some(mut speaker) = speaker_at(tree, resolution, head) else {
            continue;
        };
        if speaker.entity.is_none() {
            // The whole phrase before the colon is the mention.
            speaker = phrase_speaker(tree, before[0], head);
        }
        let range = trimmed(tree, after[0]..*after.last().unwrap_or(&after[0]) + 1);
        let span = byte_span(doc, range);
        out.push(Quote {
            field: Default::default(),
            text: doc.text[span.clone()].to_string(),
            kind: QuoteKind::Indirect,
            speaker: Some(speaker),
            cue: Some(":".to_string()),
            start: span.start,
            end: span.end,
        });
    }
    out
}

/// A headline's one or two capitalised words before its colon that the model did not find as
/// a name ("Vell: ‘...’") but that end the name of exactly one person the article names.
fn surname_before_colon(
    tree: &Tree<'_>,
    resolution: &Resolution,
    words: &[usize],
) -> Option<Speaker> {
    let (&first, &last) = (words.first()?, words.last()?);
    if words.len() > 2
        || words
            .iter()
            .any(|&i| !tree.text(i).starts_with(char::is_uppercase))
    {
        return None;
    }
    // A surname only: a one-word name is the model's own find, which the rule above takes.
    let ending = format!(" {}", tree.text(last));
    let mut fits = resolution
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == "PERSON" && e.name.ends_with(&ending));
    let (Some((e, _)), None) = (fits.next(), fits.next()) else {
        return None;
    };
    let doc = tree.doc;
    let span = doc.tokens[first].start..doc.tokens[last].end;
    Some(Speaker {
        entity: Some(entity_id(e)),
        name: resolution.entities[e].name.clone(),
        mention: Mention {
            text: doc.text[span.clone()].to_string(),
            start: span.start,
            end: span.end,
        },
    })
}

/// The speaker of a quotation after a headline-style "Name:" or "Name on Topic:" at the start
/// of its paragraph (up to eight words, no verb, a name among them), with the colon; words
/// may stand between the colon and the quotation ("Vell: Mayor ‘Not Fit to Lead’").
fn headline_speaker(
    tree: &Tree<'_>,
    resolution: &Resolution,
    first: usize,
) -> Option<(Speaker, String)> {
    // The paragraph's first colon, before the quotation ("Vell: Mayor ‘Not Fit to Lead’").
    let par = tree.paragraph[first];
    let start = (0..first)
        .rev()
        .take_while(|&i| tree.paragraph[i] == par)
        .last()?;
    let k = (start..first).find(|&i| tree.text(i) == ":")?;
    let words: Vec<usize> = (start..k).filter(|&i| tree.is_word(i)).collect();
    if words.is_empty() || words.len() > 8 || words.iter().any(|&i| tree.is_verb(i)) {
        return None;
    }
    let Some(name) = words.iter().copied().find(|&i| {
        resolution.entity_at(i).is_some()
            && matches!(
                tree.doc.tokens[i].ent_type.as_str(),
                "PERSON" | "ORG" | "NORP" | "GPE"
            )
    }) else {
        return surname_before_colon(tree, resolution, &words).map(|s| (s, ":".to_string()));
    };
    // The name's last word heads it.
    let head = (name..k)
        .take_while(|&i| tree.doc.tokens[i].ent_type == tree.doc.tokens[name].ent_type)
        .last()
        .unwrap_or(name);
    Some((speaker_at(tree, resolution, head)?, ":".to_string()))
}

/// "It", "this", "that" and the like as an object: nothing anyone holds a view of by name.
fn is_neuter(tree: &Tree<'_>, token: usize) -> bool {
    tree.tag(token) == "PRP"
        && !matches!(
            tree.text(token).to_lowercase().as_str(),
            "him" | "her" | "them" | "me" | "us" | "you" | "himself" | "herself" | "themselves"
        )
}

/// The lemma of token `i`, lower case.
fn lemma(tree: &Tree<'_>, i: usize) -> String {
    tree.doc.tokens[i].lemma.to_lowercase()
}

/// A verb's object with the phrase that judges it ("accused the mayor of lying", "described
/// the deal as a trap"), without edge punctuation.
fn object_range(tree: &Tree<'_>, verb: usize, object: usize) -> Range<usize> {
    let mut range = trimmed(tree, tree.subtree(object));
    let base = lemma(tree, verb);
    for &c in &tree.children[verb] {
        if c > object
            && tree.dep(c) == "prep"
            && tree.sentence[c] == tree.sentence[object]
            && lexicon::object_with_phrase(&base, tree.text(c))
        {
            range.end = range.end.max(trimmed(tree, tree.subtree(c)).end);
        }
    }
    // What the object is for, right after it ("unveiled steps to tighten sales", "endorsed
    // Vell for mayor"): the parse hangs it from the verb, the stance is about both.
    for &c in &tree.children[verb] {
        let sub = tree.subtree(c);
        if c > object
            && sub.start == range.end
            && tree.sentence[c] == tree.sentence[object]
            && (tree.dep(c) == "prep" && tree.text(c).eq_ignore_ascii_case("for")
                || matches!(tree.dep(c), "advcl" | "xcomp")
                    && tree.is_verb(c)
                    && tree.text(sub.start).eq_ignore_ascii_case("to"))
        {
            range.end = trimmed(tree, sub).end;
        }
    }
    without_closing_aside(tree, range, true)
}

/// An indirect quote of the tokens `range` with its cue at `cue` and speaker.
fn indirect(tree: &Tree<'_>, range: Range<usize>, cue: String, speaker: Option<Speaker>) -> Quote {
    let span = byte_span(tree.doc, range);
    Quote {
        field: Default::default(),
        text: tree.doc.text[span.clone()].to_string(),
        kind: QuoteKind::Indirect,
        speaker,
        cue: Some(cue),
        start: span.start,
        end: span.end,
    }
}

/// The object of a preposition (`prep`'s `pobj` or clause), trimmed, if it has words.
fn preposition_object(tree: &Tree<'_>, prep: usize) -> Option<Range<usize>> {
    let obj = tree.children[prep]
        .iter()
        .copied()
        .find(|&c| matches!(tree.dep(c), "pobj" | "pcomp"))?;
    if tree.tag(obj) == "WDT" || tree.tag(obj) == "WP" || is_neuter(tree, obj) {
        return None;
    }
    let range = without_closing_aside(tree, trimmed(tree, tree.subtree(obj)), true);
    range.clone().any(|i| tree.is_word(i)).then_some(range)
}

/// "Velmar spoke about the ferry", "the union called for a strike": a verb of the
/// preposition lexicon with a subject; the prepositional object is the content.
fn preposition_cues(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let mut out = Vec::new();
    for v in 0..tree.doc.tokens.len() {
        if quoted[v] || !tree.is_verb(v) {
            continue;
        }
        let base = lemma(tree, v);
        // The preposition hangs from the verb, or from its particle ("lashed out at").
        let preps = tree.children[v].iter().copied().flat_map(|c| {
            let own = std::iter::once(c);
            let under: Vec<usize> = if tree.dep(c) == "prt" || tree.dep(c) == "advmod" {
                tree.children[c].clone()
            } else if let Some(manner) = manner_phrase(tree, c) {
                // "spoke at length about": the preposition hangs from "length".
                tree.children[manner].clone()
            } else {
                Vec::new()
            };
            own.chain(under)
        });
        // Right after the verb, or after its particle or an adverb ("spoke openly about"),
        // never after an object ("spoke to reporters on Monday").
        let adverbial = |i: usize| {
            matches!(tree.tag(i), "RB" | "RP" | "RBR" | "RBS")
                || tree.children[v]
                    .iter()
                    .any(|&c| manner_phrase(tree, c).is_some_and(|m| c <= i && i <= m))
        };
        let next_to = |p: usize| p > v && p <= v + 3 && (v + 1..p).all(adverbial);
        // "calls for the council to resign": the preposition is the mark of a clause with
        // its own subject; the clause after it is the content.
        let marked_clause = || {
            tree.children[v].iter().copied().find_map(|c| {
                let r = tree.subtree(c);
                let mark = r.start;
                (matches!(tree.dep(c), "advcl" | "ccomp" | "xcomp")
                    && tree.dep(mark) == "mark"
                    && tree.head(mark) == c
                    && next_to(mark)
                    && !quoted[mark]
                    && lexicon::preposition_cue(&base, tree.text(mark)))
                .then(|| (mark, trimmed(tree, mark + 1..r.end)))
            })
        };
        let Some((prep, mut range)) = preps
            .filter(|&p| tree.dep(p) == "prep" && next_to(p) && !quoted[p])
            .filter(|&p| lexicon::preposition_cue(&base, tree.text(p)))
            .find_map(|p| preposition_object(tree, p).map(|r| (p, r)))
            .or_else(marked_clause)
        else {
            continue;
        };
        if tree.paragraph[range.start] != tree.paragraph[v] || range.clone().any(|i| quoted[i]) {
            continue;
        }
        // A time is when, not what ("spoke on Monday", "wrote in March").
        if is_time(tree, &range) {
            continue;
        }
        // What the object is called or asked to do goes with it ("referred to the mayor as
        // a friend", "called on the council to resign").
        for &c in &tree.children[v] {
            if c > prep
                && tree.sentence[c] == tree.sentence[v]
                && (tree.dep(c) == "prep" && tree.text(c).eq_ignore_ascii_case("as")
                    || tree.dep(c) == "xcomp" && base == "call")
            {
                range.end = range.end.max(trimmed(tree, tree.subtree(c)).end);
            }
        }
        // Only people, groups and sources ("the discussion focused on" is no attribution).
        let Some(speaker) = speaker_of(tree, resolution, v, quoted).filter(|sp| {
            sp.entity.is_some() || {
                let head = sp.mention.text.split_whitespace().last().unwrap_or("");
                lexicon::names_holder(head)
            }
        }) else {
            continue;
        };
        let cue = tree.doc.text[tree.doc.tokens[v].start..tree.doc.tokens[prep].end].to_string();
        out.push(indirect(tree, range, cue, Some(speaker)));
    }
    out
}

/// Whether the head of `range` (its word whose head lies outside it) is in a date or time the
/// model found ("Monday", "last week", "Monday and again on Friday").
fn is_time(tree: &Tree<'_>, range: &Range<usize>) -> bool {
    let Some(head) = range
        .clone()
        .find(|&i| tree.is_word(i) && !range.contains(&tree.head(i)))
    else {
        return false;
    };
    tree.doc.entities.iter().any(|e| {
        matches!(e.label.as_str(), "DATE" | "TIME") && e.tokens.start <= head && head < e.tokens.end
    })
}

/// "at length", "in detail" hanging from a verb as preposition `prep`: the noun ending it.
fn manner_phrase(tree: &Tree<'_>, prep: usize) -> Option<usize> {
    if tree.dep(prep) != "prep" || !matches!(tree.text(prep), "at" | "in") {
        return None;
    }
    let noun = prep + 1;
    (noun < tree.doc.tokens.len()
        && tree.head(noun) == prep
        && matches!(tree.text(noun), "length" | "detail" | "depth"))
    .then_some(noun)
}

/// "Marlo's criticism of the plan", "calls for a recount": a noun of the noun-cue lexicon
/// with its prepositional object; the possessor, when there is one, is the speaker.
fn noun_cues(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let mut out = Vec::new();
    for n in 0..tree.doc.tokens.len() {
        if quoted[n] || !tree.tag(n).starts_with("NN") {
            continue;
        }
        let noun = lemma(tree, n);
        let Some((prep, range)) = tree.children[n]
            .iter()
            .copied()
            .filter(|&p| tree.dep(p) == "prep" && p == n + 1)
            .filter(|&p| lexicon::noun_cue(&noun, tree.text(p)))
            .find_map(|p| preposition_object(tree, p).map(|r| (p, r)))
        else {
            continue;
        };
        if range.clone().any(|i| quoted[i]) {
            continue;
        }
        // The possessor ("Marlo's criticism of"), else the subject of the verb the noun is
        // the object of ("Marlo voiced support for").
        let possessor = tree.children[n]
            .iter()
            .copied()
            .find(|&c| tree.dep(c) == "poss" && c < n);
        let speaker = match possessor {
            Some(p) => speaker_at(tree, resolution, p),
            None if tree.dep(n) == "dobj" && tree.head(n) != n => {
                speaker_of(tree, resolution, tree.head(n), quoted)
            }
            // "came out in support of", "spoke in defence of": the verb's subject.
            None if tree.dep(n) == "pobj"
                && tree.dep(tree.head(n)) == "prep"
                && tree.text(tree.head(n)).eq_ignore_ascii_case("in")
                && tree.is_verb(tree.head(tree.head(n))) =>
            {
                speaker_of(tree, resolution, tree.head(tree.head(n)), quoted)
            }
            None => None,
        };
        let cue = tree.doc.text[tree.doc.tokens[n].start..tree.doc.tokens[prep].end].to_string();
        out.push(indirect(tree, range, cue, speaker));
    }
    out
}

/// "The union is critical of the plan", "voters are unhappy with the council", "the mayor is
/// confident the bridge will open": an adjective of the stance lexicon, complement of a verb
/// ("be", "remain", "grow"), with its prepositional object or clause; the verb's subject,
/// when it is a person, group or source, holds it.
fn adjective_cues(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let mut out = Vec::new();
    for a in 0..tree.doc.tokens.len() {
        if quoted[a] || !matches!(tree.tag(a), "JJ" | "VBN") || tree.dep(a) != "acomp" {
            continue;
        }
        let verb = tree.head(a);
        if verb == a || !tree.is_verb(verb) {
            continue;
        }
        let adjective = tree.text(a).to_lowercase();
        let content = tree.children[a]
            .iter()
            .copied()
            .find_map(|c| match tree.dep(c) {
                "prep" if c == a + 1 && lexicon::adjective_cue(&adjective, tree.text(c)) => {
                    preposition_object(tree, c).map(|r| (r, c + 1))
                }
                "ccomp" if tree.is_verb(c) && lexicon::adjective_clause(&adjective) => {
                    Some((content_range(tree, c), a + 1))
                }
                _ => None,
            });
        let Some((range, cue_end)) = content else {
            continue;
        };
        if tree.paragraph[range.start] != tree.paragraph[a]
            || range.clone().any(|i| quoted[i])
            || range.clone().filter(|&i| tree.is_word(i)).count() < 2
        {
            continue;
        }
        let Some(speaker) = speaker_of(tree, resolution, verb, quoted).filter(|sp| {
            sp.entity.is_some() || {
                let head = sp.mention.text.split_whitespace().last().unwrap_or("");
                lexicon::names_holder(head)
            }
        }) else {
            continue;
        };
        let cue =
            tree.doc.text[tree.doc.tokens[a].start..tree.doc.tokens[cue_end - 1].end].to_string();
        out.push(indirect(tree, range, cue, Some(speaker)));
    }
    out
}

/// "called the mayor a coward", "considers the plan reckless": a verb of naming or judging
/// with an object and what it makes of it, said by a holder of views; the content is the
/// object with its predicate.
fn naming(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let mut out = Vec::new();
    for v in 0..tree.doc.tokens.len() {
        if quoted[v] || !tree.is_verb(v) || !lexicon::naming_verb(&lemma(tree, v)) {
            continue;
        }
        let kids = &tree.children[v];
        let object = kids
            .iter()
            .copied()
            .find(|&c| c > v && tree.dep(c) == "dobj");
        let range = match object {
            // "called him a fraud": the object and its predicate, both hanging from the verb.
            Some(obj) => {
                let Some(pred) = kids.iter().copied().find(|&c| {
                    c > obj && matches!(tree.dep(c), "oprd" | "xcomp" | "ccomp" | "attr" | "acomp")
                }) else {
                    continue;
                };
                tree.subtree(obj).start..tree.subtree(pred).end
            }
            // "called him divisive" parsed as a small clause: a verbless clause with a subject.
            None => {
                let Some(small) = kids.iter().copied().find(|&c| {
                    c > v
                        && matches!(tree.dep(c), "ccomp" | "xcomp")
                        && !tree.tag(c).starts_with("VB")
                        && tree.children[c]
                            .iter()
                            .any(|&m| m < c && tree.dep(m) == "nsubj")
                }) else {
                    continue;
                };
                tree.subtree(small)
            }
        };
        let range = without_closing_aside(tree, trimmed(tree, range), true);
        if range.clone().filter(|&i| tree.is_word(i)).count() < 2
            || range.clone().any(|i| quoted[i])
            || tree.paragraph[range.start] != tree.paragraph[v]
        {
            continue;
        }
        let Some(speaker) = speaker_of(tree, resolution, v, quoted) else {
            continue;
        };
        let head = speaker.mention.text.split_whitespace().last().unwrap_or("");
        if speaker.entity.is_none() && !lexicon::names_holder(head) {
            continue;
        }
        out.push(indirect(tree, range, cue_phrase(tree, v), Some(speaker)));
    }
    out
}

/// "The talks seemed to stall", "the plan appears doomed": the clause of a verb of seeming
/// (its subject and what it seems), with no source.
fn seeming(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let mut out = Vec::new();
    for v in 0..tree.doc.tokens.len() {
        if quoted[v] || !tree.is_verb(v) || !lexicon::seeming_verb(&lemma(tree, v)) {
            continue;
        }
        let Some(subject) = tree.children[v]
            .iter()
            .copied()
            .find(|&c| tree.dep(c) == "nsubj")
        else {
            continue;
        };
        if matches!(tree.tag(subject), "EX" | "WDT" | "WP") || is_neuter(tree, subject) {
            continue;
        }
        let Some(complement) = tree.children[v]
            .iter()
            .copied()
            .filter(|&c| c > v)
            .find(|&c| matches!(tree.dep(c), "xcomp" | "acomp" | "attr" | "oprd"))
        else {
            continue;
        };
        let start = tree.subtree(subject).start;
        let end = tree.subtree(complement).end;
        let range = trimmed(tree, start..end);
        if range.clone().any(|i| quoted[i])
            || range.clone().filter(|&i| tree.is_word(i)).count() < 3
        {
            continue;
        }
        // Someone who seems to say, think or want something holds it ("the mayor seemed to
        // accept the offer" is hers); how things look otherwise has no source.
        let holds = tree.dep(complement) == "xcomp"
            && (lexicon::speech_verb(tree.text(complement)).is_some()
                || lexicon::attributes(tree.text(complement), lexicon::Complement::Clause)
                || lexicon::attributes(tree.text(complement), lexicon::Complement::Infinitive)
                || lexicon::attributes(tree.text(complement), lexicon::Complement::Object));
        let speaker = if holds {
            speaker_of(tree, resolution, v, quoted)
        } else {
            None
        };
        out.push(indirect(tree, range, tree.text(v).to_string(), speaker));
    }
    out
}

/// "According to X, ...": the rest of the sentence is X's indirect quote.
fn according_to(tree: &Tree<'_>, resolution: &Resolution, quoted: &[bool]) -> Vec<Quote> {
    let doc = tree.doc;
    let mut out = Vec::new();
    for (i, &in_quote) in quoted
        .iter()
        .enumerate()
        .take(doc.tokens.len().saturating_sub(1))
    {
        if in_quote {
            continue;
        }
        let pobj_of = |p: usize| {
            tree.children[p]
                .iter()
                .copied()
                .find(|&c| tree.dep(c) == "pobj")
        };
        // "according to X", or "in a poll/survey/study" ("In the latest poll, Vell leads by
        // six points"): the finding is the sentence's.
        let (pobj, phrase, cue_end) = if tree.text(i).eq_ignore_ascii_case("according")
            && tree.text(i + 1).eq_ignore_ascii_case("to")
        {
            let Some(pobj) = pobj_of(i + 1) else { continue };
            let phrase = tree.subtree(i).start.min(i)..tree.subtree(i + 1).end.max(pobj + 1);
            (pobj, phrase, i + 1)
        } else if tree.text(i).eq_ignore_ascii_case("in") && tree.dep(i) == "prep" {
            // One poll opening its sentence ("in the polls" is a standing, not a finding).
            let opens = (tree.sentences[tree.sentence[i]].start..i).all(|t| !tree.is_word(t));
            let Some(pobj) = pobj_of(i)
                .filter(|&o| opens && tree.tag(o) == "NN" && lexicon::names_poll(&lemma(tree, o)))
            else {
                continue;
            };
            (pobj, tree.subtree(i), i)
        } else {
            continue;
        };
        let sent = &tree.sentences[tree.sentence[i]];
        // The content: the sentence without the phrase (the longer side of it).
        let before = sent.start..phrase.start;
        let after = phrase.end..sent.end;
        let range = if after.len() >= before.len() {
            after
        } else {
            before
        };
        let mut r = range;
        while r.start < r.end && !tree.is_word(r.start) {
            r.start += 1;
        }
        while r.end > r.start && !tree.is_word(r.end - 1) {
            r.end -= 1;
        }
        if r.clone().filter(|&t| tree.is_word(t)).count() < 3 {
            continue;
        }
        let span = byte_span(doc, r);
        out.push(Quote {
            field: Default::default(),
            text: doc.text[span.clone()].to_string(),
            kind: QuoteKind::Indirect,
            speaker: speaker_at(tree, resolution, pobj),
            cue: Some(doc.text[doc.tokens[i].start..doc.tokens[cue_end].end].to_string()),
            start: span.start,
            end: span.end,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(text: &str) -> Vec<(&str, bool)> {
        quotations(text)
            .into_iter()
            .map(|q| (&text[q.inner], q.closed))
            .collect()
    }

    #[test]
    fn pairs_curly_straight_and_mixed_marks() {
        assert_eq!(
            inner("“We will talk,” she said."),
            [("We will talk,", true)]
        );
        assert_eq!(
            inner("\"We will talk,\" she said."),
            [("We will talk,", true)]
        );
        assert_eq!(
            inner("\"We will talk,” she said."),
            [("We will talk,", true)]
        );
        assert_eq!(inner("He said «non» twice."), [("non", true)]);
        // An opening mark typed for the closing one still closes.
        assert_eq!(
            inner("She called it “the best in town“ and “fair“, he said."),
            [("the best in town", true), ("fair", true)]
        );
        assert_eq!(
            inner("“Stay,“ Vell said. “Go.”"),
            [("Stay,", true), ("Go.", true)]
        );
        assert_eq!(
            inner("''We will talk,'' she said, ''soon.''"),
            [("We will talk,", true), ("soon.", true)]
        );
    }

    #[test]
    fn single_marks_are_not_apostrophes() {
        assert_eq!(
            inner("Orvan says it’s 'very good, productive' talk"),
            [("very good, productive", true)]
        );
        assert_eq!(inner("The leaders’ talks ended. It’s over."), []);
        assert_eq!(inner("Critics called it ‘reckless’."), [("reckless", true)]);
    }

    #[test]
    fn open_quotes_run_to_the_end_of_the_paragraph() {
        let text = "“First part of the remarks.\n“Second part,” he said.";
        assert_eq!(
            inner(text),
            [
                ("First part of the remarks.", false),
                ("Second part,", true)
            ]
        );
    }

    #[test]
    fn nested_single_quotes_inside_double() {
        let text = "“They told us ‘wait’ again,” Vell said.";
        let q = inner(text);
        assert!(q.contains(&("They told us ‘wait’ again,", true)), "{q:?}");
    }
}
