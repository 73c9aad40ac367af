//! Broad attribution candidates over the dependency parse, for the learned filter
//! ([`crate::attribution`]).
//!
//! Every verb, and every common noun, outside quotation marks with a source-like argument and
//! a content argument is a candidate:
//! - source: for a verb its subject (climbing through participles and coordinated verbs as the
//!   rules do); for a noun its possessor ("the mayor's view"), else the object of "by"/"from"
//!   after it, else the subject of the verb it is the object of ("Vell voiced hope that ...").
//!   Source-like means a person, organisation, place or nationality entity, a personal
//!   pronoun, or a noun of people, groups or sources (the team lexicon's holder nouns);
//! - content, first of: a clause (`ccomp`, or a clause the noun governs), an infinitive
//!   (`xcomp`, with the object before it: "urged Vell to ..."), a question ("asked if ..."),
//!   an object (`dobj`, with its judging phrase), a prepositional object (any word tagged
//!   as a preposition without an adverb of its own before it: the filter learns which); no
//!   clause right after a bare preposition of the cue ("provided a truce holds").
//!
//! Content spans are built as the rules build theirs (the clause or object subtree, without
//! "that", edge punctuation or a closing aside), never across a paragraph break. A candidate
//! overlapping a quote the rules produced is dropped: the rules' output stays as it is. The
//! features describe the cue (lemma, tag, dependency label, the lemma of the verb it hangs
//! from, negation, modal, passive), whether the lemma is in the team lexicon, the source kind
//! and word, the content kind, its first word and length, quotation marks inside it, the
//! position (first paragraph, sentence start) and conjunctions of the lemma with the
//! content and source kinds.

use std::ops::Range;

use sitrep_model::{Quote, QuoteKind, Speaker};

use super::{
    Parsed, Tree, byte_span, content_range, is_neuter, lemma, object_range, preposition_object,
    speaker_at, speaker_of, subject_of,
};
use crate::entities::Resolution;
use crate::lexicon;

/// A broad candidate: the quote it would be, and its features for the filter.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub quote: Quote,
    pub features: Vec<String>,
    /// For a span variant of a rule quote (see [`rule_variants`]): the index of that quote
    /// among the rules' quotes, which the variant replaces when the filter accepts it.
    pub replaces: Option<usize>,
    /// Whether the span is a variant of another candidate's or quote's (a trailing modifier
    /// dropped or taken in, see [`span_variants`]).
    pub variant: bool,
}

/// The kind of a candidate's content argument.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Clause,
    Infinitive,
    Question,
    Object,
    /// An object with the prepositional phrase right after it ("faulted Vell for the delay").
    ObjectPhrase(usize, String),
    Preposition(String),
}

impl Content {
    fn name(&self) -> String {
        match self {
            Content::Clause => "clause".into(),
            Content::Infinitive => "inf".into(),
            Content::Question => "question".into(),
            Content::Object => "obj".into(),
            Content::ObjectPhrase(_, p) => format!("objprep:{p}"),
            Content::Preposition(p) => format!("prep:{p}"),
        }
    }

    fn complement(&self) -> lexicon::Complement {
        match self {
            Content::Clause | Content::Question => lexicon::Complement::Clause,
            Content::Infinitive => lexicon::Complement::Infinitive,
            Content::Object | Content::ObjectPhrase(..) | Content::Preposition(_) => {
                lexicon::Complement::Object
            }
        }
    }
}

/// The source kind of a token, if it is source-like.
fn source_kind(tree: &Tree<'_>, resolution: &Resolution, s: &usize) -> Option<String> {
    let s = *s;
    if let Some(e) = resolution.entity_at(s) {
        let kind = resolution.entities[e].kind.as_str();
        return (!matches!(
            kind,
            "DATE" | "TIME" | "CARDINAL" | "ORDINAL" | "MONEY" | "QUANTITY" | "PERCENT"
        ))
        .then(|| format!("ent:{kind}"));
    }
    let word = tree.text(s).to_lowercase();
    if tree.tag(s) == "PRP" {
        return matches!(word.as_str(), "he" | "she" | "they" | "i" | "we" | "you")
            .then(|| format!("pron:{word}"));
    }
    if matches!(tree.tag(s), "WP") && word == "who" {
        return Some("who".into());
    }
    if matches!(tree.tag(s), "NN" | "NNS" | "NNP" | "NNPS") {
        return Some(if lexicon::names_holder(&word) {
            "holder".into()
        } else {
            "noun".into()
        });
    }
    None
}

/// The content arguments of verb `v` (see the module documentation).
fn verb_contents(tree: &Tree<'_>, v: usize) -> Vec<(usize, Content)> {
    let mut out = Vec::new();
    for &c in &tree.children[v] {
        let kind = match tree.dep(c) {
            // A clause right after a word of the cue's parsed as a preposition with no
            // object ("expressed hope ... provided a truce holds"): that word makes it a
            // condition, not what was said.
            "ccomp" if tree.is_verb(c) && introduced_by_bare_preposition(tree, v, c) => continue,
            "ccomp" if tree.is_verb(c) => {
                let to = tree.children[c]
                    .iter()
                    .any(|&m| tree.dep(m) == "aux" && tree.text(m).eq_ignore_ascii_case("to"));
                if to {
                    Content::Infinitive
                } else {
                    Content::Clause
                }
            }
            "xcomp" if tree.is_verb(c) => Content::Infinitive,
            "advcl"
                if tree.is_verb(c)
                    && tree.children[c].iter().any(|&m| {
                        tree.dep(m) == "mark"
                            && matches!(tree.text(m).to_lowercase().as_str(), "if" | "whether")
                    }) =>
            {
                Content::Question
            }
            "dobj" if !matches!(tree.tag(c), "WP" | "WDT" | "EX") && !is_neuter(tree, c) => {
                Content::Object
            }
            "prep" if takes_object(tree, c, v) => Content::Preposition(tree.text(c).to_lowercase()),
            _ => continue,
        };
        out.push((c, kind));
    }
    // The object with the phrase right after it, as one more reading.
    let objects: Vec<usize> = out
        .iter()
        .filter(|(_, k)| *k == Content::Object)
        .map(|(c, _)| *c)
        .collect();
    for c in objects {
        let end = tree.subtree(c).end;
        if let Some(&p) = tree.children[v]
            .iter()
            .find(|&&p| tree.dep(p) == "prep" && tree.subtree(p).start == end)
        {
            out.push((c, Content::ObjectPhrase(p, tree.text(p).to_lowercase())));
        }
    }
    out
}

/// Whether the clause `c` of verb `v` starts right after a child of `v` parsed as a
/// preposition with no object of its own.
fn introduced_by_bare_preposition(tree: &Tree<'_>, v: usize, c: usize) -> bool {
    let start = tree.subtree(c).start;
    start > 0 && {
        let p = start - 1;
        tree.head(p) == v
            && tree.dep(p) == "prep"
            && !tree.children[p]
                .iter()
                .any(|&o| matches!(tree.dep(o), "pobj" | "pcomp"))
    }
}

/// Whether preposition `c`, after its head `head`, has an object ("about the budget") and
/// can introduce what was said: a word tagged as a preposition (a participle parsed as one,
/// "provided a ceasefire holds", opens a condition), with no adverb of its own before it
/// (", particularly in the north": an elaboration of where or when).
fn takes_object(tree: &Tree<'_>, c: usize, head: usize) -> bool {
    c > head
        && matches!(tree.tag(c), "IN" | "TO")
        && !tree.children[c]
            .iter()
            .any(|&m| m < c && tree.dep(m) == "advmod")
        && tree.children[c]
            .iter()
            .any(|&o| matches!(tree.dep(o), "pobj" | "pcomp"))
}

/// The content arguments of adjective `a` ("reluctant to ...", "pleased with ...").
fn adjective_contents(tree: &Tree<'_>, a: usize) -> Vec<(usize, Content)> {
    let mut out = Vec::new();
    for &c in &tree.children[a] {
        let kind = match tree.dep(c) {
            "ccomp" if tree.is_verb(c) => Content::Clause,
            "xcomp" if tree.is_verb(c) => Content::Infinitive,
            "prep" if takes_object(tree, c, a) => Content::Preposition(tree.text(c).to_lowercase()),
            _ => continue,
        };
        out.push((c, kind));
    }
    out
}

/// The content arguments of noun `n`: a clause it governs, prepositional objects.
fn noun_contents(tree: &Tree<'_>, n: usize) -> Vec<(usize, Content)> {
    let mut out = Vec::new();
    for &c in &tree.children[n] {
        if matches!(tree.dep(c), "ccomp" | "acl") && tree.is_verb(c) && c > n {
            // "the claim that ...": a clause with "that" or its own subject; "plans to ...":
            // an infinitive. A participle ("the plan approved by ...") is no content.
            let marks = |w: &str| {
                tree.children[c].iter().any(|&m| {
                    matches!(tree.dep(m), "mark" | "aux") && tree.text(m).eq_ignore_ascii_case(w)
                })
            };
            let subject = tree.children[c]
                .iter()
                .any(|&m| matches!(tree.dep(m), "nsubj" | "nsubjpass"));
            if marks("that") || tree.dep(c) == "ccomp" && subject {
                out.push((c, Content::Clause));
            } else if marks("to") {
                out.push((c, Content::Infinitive));
            }
        } else if tree.dep(c) == "prep"
            && !matches!(tree.text(c).to_lowercase().as_str(), "by" | "from")
            && takes_object(tree, c, n)
        {
            out.push((c, Content::Preposition(tree.text(c).to_lowercase())));
        }
    }
    out
}

/// The source token of noun `n` (see the module documentation).
fn noun_source(tree: &Tree<'_>, n: usize) -> Option<usize> {
    let kids = &tree.children[n];
    if let Some(&p) = kids.iter().find(|&&c| tree.dep(c) == "poss") {
        return Some(p);
    }
    if let Some(o) = kids
        .iter()
        .copied()
        .filter(|&c| {
            tree.dep(c) == "prep"
                && c > n
                && matches!(tree.text(c).to_lowercase().as_str(), "by" | "from")
        })
        .find_map(|p| {
            tree.children[p]
                .iter()
                .copied()
                .find(|&o| tree.dep(o) == "pobj")
        })
    {
        return Some(o);
    }
    let h = tree.head(n);
    (h != n && tree.dep(n) == "dobj" && tree.is_verb(h))
        .then(|| subject_of(tree, h))
        .flatten()
}

fn bucket(words: usize) -> &'static str {
    match words {
        0..=1 => "1",
        2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=20 => "11-20",
        _ => "21+",
    }
}

/// The broad candidates of a body that overlap none of `taken` (the rules' quotes), in text
/// order.
pub(super) fn candidates(
    parsed: &Parsed<'_>,
    resolution: &Resolution,
    taken: &[Quote],
) -> Vec<Candidate> {
    let Parsed {
        tree,
        marks,
        quoted,
    } = parsed;
    let doc = tree.doc;
    let n = doc.tokens.len();
    let mut out = Vec::new();
    // The reading each candidate is of (a content argument and its span variants).
    let mut groups: Vec<usize> = Vec::new();
    let mut group = 0;
    for v in 0..n {
        if quoted[v] || !tree.is_word(v) {
            continue;
        }
        let tag = tree.tag(v);
        let is_verb = tag.starts_with("VB");
        let is_noun = matches!(tag, "NN" | "NNS");
        // An adjective after a copula ("is reluctant to", "seemed pleased with").
        let is_adjective = tag == "JJ" && tree.dep(v) == "acomp" && tree.is_verb(tree.head(v));
        if !(is_verb || is_noun || is_adjective) || matches!(tree.dep(v), "aux" | "auxpass") {
            continue;
        }
        let contents = if is_verb {
            verb_contents(tree, v)
        } else if is_noun {
            noun_contents(tree, v)
        } else {
            adjective_contents(tree, v)
        };
        if contents.is_empty() {
            continue;
        }
        // The verb the source is found from: the cue, or an adjective's copula.
        let holder_verb = if is_adjective { tree.head(v) } else { v };
        let source = if is_noun {
            noun_source(tree, v)
        } else {
            subject_of(tree, holder_verb)
        };
        let Some(source) = source else { continue };
        if quoted[source] {
            continue;
        }
        let Some(skind) = source_kind(tree, resolution, &source) else {
            continue;
        };
        let speaker: Option<Speaker> = if is_noun {
            speaker_at(tree, resolution, source)
        } else {
            speaker_of(tree, resolution, holder_verb, quoted)
        };
        let Some(speaker) = speaker else { continue };
        let cue_text = super::cue_phrase(tree, v);
        let cue_taken = {
            let sent = &tree.sentences[tree.sentence[v]];
            let (s0, s1) = (doc.tokens[sent.start].start, doc.tokens[sent.end - 1].end);
            taken
                .iter()
                .any(|q| q.cue.as_deref() == Some(cue_text.as_str()) && q.start < s1 && s0 < q.end)
        };
        for (content, kind) in contents {
            if tree.paragraph[content] != tree.paragraph[v] {
                continue;
            }
            let mut range: Range<usize> = match &kind {
                Content::Object => object_range(tree, v, content),
                Content::ObjectPhrase(p, _) => {
                    let mut r = object_range(tree, v, content);
                    r.end = r.end.max(super::trimmed(tree, tree.subtree(*p)).end);
                    r
                }
                Content::Preposition(_) => match preposition_object(tree, content) {
                    Some(r) => r,
                    None => continue,
                },
                _ => content_range(tree, content),
            };
            // "urged the council to resign": whom it was said to, with what they were told.
            if kind == Content::Infinitive
                && tree.dep(content) == "xcomp"
                && let Some(&object) = tree.children[v]
                    .iter()
                    .find(|&&o| tree.dep(o) == "dobj" && v < o && o < content)
            {
                range.start = range.start.min(tree.subtree(object).start);
            }
            if range.contains(&v) || range.is_empty() {
                continue;
            }
            group += 1;
            let variants = span_variants(tree, range.clone(), quoted);
            let mut readings = vec![(range.clone(), None)];
            readings.extend(variants.iter().map(|(r, var)| (r.clone(), Some(var))));
            for (range, var) in readings {
                if range.contains(&v) || range.is_empty() {
                    continue;
                }
                let words = range.clone().filter(|&i| tree.is_word(i)).count();
                let named = words == 1 && matches!(tree.tag(range.start), "NNP" | "NNPS" | "PRP");
                if (words < 2 && !named)
                    || (kind.complement() == lexicon::Complement::Clause && words < 3)
                {
                    continue;
                }
                let span = byte_span(doc, range.clone());
                if taken
                    .iter()
                    .any(|q| q.start < span.end && span.start < q.end)
                {
                    continue;
                }
                let has_marks = range.clone().any(|i| quoted[i]);
                let mut features =
                    features(tree, v, source, &skind, &kind, &range, words, has_marks);
                features.extend(generalising(
                    tree, resolution, v, source, content, &kind, &range,
                ));
                // The cue already gives the rules a quote in this sentence ("expressed optimism
                // over the talks, ... provided ..."): a second content is more often an adjunct.
                if cue_taken {
                    features.push("cue_taken".into());
                    features.push(format!("cue_taken|{}", kind.name()));
                }
                // A quote of the rules in the cue's sentence or paragraph.
                let sent = &tree.sentences[tree.sentence[v]];
                let (s0, s1) = (doc.tokens[sent.start].start, doc.tokens[sent.end - 1].end);
                if taken.iter().any(|q| q.start < s1 && s0 < q.end) {
                    features.push("rule_in_sentence".into());
                } else if taken.iter().any(|q| {
                    doc.text
                        .get(
                            q.end.min(span.start)..q.start.max(span.end).max(q.end.min(span.start)),
                        )
                        .is_some_and(|between| !between.contains('\n'))
                }) {
                    features.push("rule_in_paragraph".into());
                }
                let mut quote = Quote {
                    field: Default::default(),
                    text: doc.text[span.clone()].to_string(),
                    kind: if has_marks {
                        QuoteKind::Partial
                    } else {
                        QuoteKind::Indirect
                    },
                    speaker: Some(speaker.clone()),
                    cue: Some(cue_text.clone()),
                    start: span.start,
                    end: span.end,
                };
                super::pair_marks(&doc.text, marks, &mut quote);
                match var {
                    Some(var) => features.extend(var.features("var")),
                    None => {
                        features.push("var=none".into());
                        for (_, var) in &variants {
                            features.extend(var.features("hasvar"));
                        }
                    }
                }
                groups.push(group);
                out.push(Candidate {
                    quote,
                    features,
                    replaces: None,
                    variant: var.is_some(),
                });
            }
        }
    }
    // Candidates around or inside others (a cue's object inside another cue's clause); the
    // span variants of one reading are not others.
    let spans: Vec<(usize, usize)> = out.iter().map(|c| (c.quote.start, c.quote.end)).collect();
    for (i, c) in out.iter_mut().enumerate() {
        let (a, b) = spans[i];
        let mut inside = false;
        let mut holds = false;
        let mut same = false;
        for (j, &(x, y)) in spans.iter().enumerate() {
            if i == j || groups[i] == groups[j] {
                continue;
            }
            same |= (x, y) == (a, b);
            inside |= x <= a && b <= y && (x, y) != (a, b);
            holds |= a <= x && y <= b && (x, y) != (a, b);
        }
        for (flag, name) in [
            (inside, "inside_other"),
            (holds, "holds_other"),
            (same, "same_span"),
        ] {
            if flag {
                c.features.push(name.into());
            }
        }
    }
    out
}

/// A span variant of a content: a modifier dropped from its end or start, or one taken in
/// after it.
#[derive(Debug, Clone)]
pub(super) struct Variant {
    /// `drop` (the outermost trailing modifier left out), `drop_in` (the innermost, when it
    /// is another), `lead` (a modifier opening the span left out) or `ext` (the modifier
    /// right after the span, of its governor or a word inside it, taken in).
    kind: &'static str,
    /// The modifier's head token's dependency label, tag and word (a preposition's or
    /// adverb's word; else its tag).
    dep: String,
    tag: String,
    word: String,
    /// Words dropped or taken in.
    words: usize,
    /// What the modifier hangs from: the content's head, a word inside it, or the governor.
    attached: &'static str,
    /// Whether a comma, dash or conjunction stands between the kept words and the modifier.
    comma: bool,
}

impl Variant {
    /// Its features, names starting with `prefix` (`var` for the variant itself, `hasvar`
    /// for the reading it is a variant of).
    pub(super) fn features(&self, prefix: &str) -> Vec<String> {
        let k = self.kind;
        let mut f = vec![
            format!("{prefix}={k}"),
            format!("{prefix}={k}|dep={}", self.dep),
            format!("{prefix}={k}|tag={}", self.tag),
            format!("{prefix}={k}|w={}", self.word),
            format!("{prefix}={k}|len={}", bucket(self.words)),
            format!("{prefix}={k}|att={}", self.attached),
            format!("{prefix}={k}|att={}|dep={}", self.attached, self.dep),
        ];
        if self.comma {
            f.push(format!("{prefix}={k}|comma"));
            f.push(format!("{prefix}={k}|comma|dep={}", self.dep));
        }
        f
    }
}

/// Modifiers whose attachment decides whether they belong to what was said: phrases,
/// adverbial clauses, participles, adverbs, coordinated words, appositions, relative clauses.
const MODIFIERS: [&str; 11] = [
    "prep",
    "advcl",
    "npadvmod",
    "advmod",
    "acl",
    "agent",
    "conj",
    "appos",
    "relcl",
    "parataxis",
    "tmod",
];

/// The span variants of content `range` (tokens): without its outermost trailing modifier
/// (a prepositional phrase, adverbial clause, participle, adverb, coordinated part,
/// apposition or relative clause ending the span and hanging from a word inside it), without
/// its innermost one when that is another, without a modifier opening it, and with the
/// modifier right after it, of its governor or of a word inside it ("touting her record
/// upstate", "spoke about the tunnel in the first debate", "to retain the port and win the
/// vote"). The filter chooses among them.
pub(super) fn span_variants(
    tree: &Tree<'_>,
    range: Range<usize>,
    quoted: &[bool],
) -> Vec<(Range<usize>, Variant)> {
    let mut out = Vec::new();
    // A content that is a quotation and nothing else (a title in marks the rules leave out,
    // or a quote the rules own) gets no variants: they could only add the writer's words to
    // it ("spoke on “The Harbour Hour” about the budget").
    if range.is_empty() || range.clone().all(|i| quoted[i] || !tree.is_word(i)) {
        return out;
    }
    let inside = |i: usize| range.contains(&i);
    // The content's head: the token of the biggest subtree whose head is outside.
    let Some(head) = range
        .clone()
        .filter(|&i| !inside(tree.head(i)) || tree.head(i) == i)
        .max_by_key(|&i| tree.subtree(i).len())
    else {
        return out;
    };
    let word_of = |m: usize| {
        if matches!(tree.dep(m), "prep" | "advmod" | "agent" | "npadvmod") {
            tree.text(m).to_lowercase()
        } else {
            tree.tag(m).to_string()
        }
    };
    let words = |r: Range<usize>| r.filter(|&i| tree.is_word(i)).count();
    let joiner = |i: usize| !tree.is_word(i) || tree.dep(i) == "cc";
    let variant = |m: usize, kind: &'static str, attached: &'static str, comma: bool| Variant {
        kind,
        dep: tree.dep(m).to_string(),
        tag: tree.tag(m).to_string(),
        word: word_of(m),
        words: words(tree.subtree(m)),
        attached,
        comma,
    };
    let attached = |m: usize| {
        if tree.head(m) == head {
            "head"
        } else {
            "inner"
        }
    };
    // Dropping: modifiers inside the span whose subtree ends it.
    let mut drops: Vec<usize> = (range.start + 1..range.end)
        .filter(|&m| {
            let sub = tree.subtree(m);
            MODIFIERS.contains(&tree.dep(m))
                && inside(tree.head(m))
                && tree.head(m) != m
                && sub.start > range.start
                && super::trimmed(tree, sub.clone()).end == range.end
                && !quoted[sub.start]
        })
        .collect();
    drops.sort_by_key(|&m| tree.subtree(m).start);
    let mut kept: Vec<(usize, &'static str)> = Vec::new();
    if let Some(&m) = drops.first() {
        kept.push((m, "drop"));
    }
    if let Some(&m) = drops.last()
        && drops.len() > 1
        && tree.subtree(m).start != tree.subtree(drops[0]).start
    {
        kept.push((m, "drop_in"));
    }
    for (m, kind) in kept {
        let mut end = tree.subtree(m).start;
        let mut comma = false;
        while end > range.start + 1 && joiner(end - 1) {
            end -= 1;
            comma = true;
        }
        let r = range.start..end;
        if words(r.clone()) < 2 {
            continue;
        }
        out.push((r, variant(m, kind, attached(m), comma)));
    }
    // Dropping a modifier of the head that opens the span ("In the spring, the port ...").
    if let Some(m) = tree.children[head].iter().copied().find(|&m| {
        m < head
            && MODIFIERS.contains(&tree.dep(m))
            && tree.subtree(m).start == range.start
            && !quoted[m]
    }) {
        let mut start = tree.subtree(m).end;
        let mut comma = false;
        while start < range.end && joiner(start) {
            start += 1;
            comma = true;
        }
        let r = start..range.end;
        if words(r.clone()) >= 2 {
            out.push((r, variant(m, "lead", "head", comma)));
        }
    }
    // Taking in: the first modifier after the span, of its governor (through a preposition
    // the content hangs from, its own governor's too) or of a word inside it, with nothing
    // but punctuation or a conjunction before it.
    let governor = tree.head(head);
    let mut govs = Vec::new();
    if governor != head {
        govs.push(governor);
        if tree.dep(governor) == "prep" && tree.head(governor) != governor {
            govs.push(tree.head(governor));
        }
    }
    let mut end = range.end;
    let mut comma = false;
    while end < tree.doc.tokens.len()
        && joiner(end)
        && tree.sentence[end] == tree.sentence[head]
        && !quoted[end]
    {
        end += 1;
        comma = true;
    }
    let next = range
        .clone()
        .chain(govs.iter().copied())
        .flat_map(|g| tree.children[g].iter().copied())
        .filter(|&m| {
            let sub = tree.subtree(m);
            m >= end
                && MODIFIERS.contains(&tree.dep(m))
                && sub.start == end
                && tree.sentence[m] == tree.sentence[head]
                && tree.paragraph[m] == tree.paragraph[head]
                && lexicon::speech_verb(tree.text(m)).is_none()
                && !sub.clone().any(|i| quoted[i])
        })
        .min_by_key(|&m| tree.subtree(m).len());
    if let Some(m) = next {
        let sub = super::trimmed(tree, tree.subtree(m));
        if sub.end > range.end {
            let att = if govs.contains(&tree.head(m)) {
                "governor"
            } else {
                attached(m)
            };
            out.push((range.start..sub.end, variant(m, "ext", att, comma)));
        }
    }
    out
}

/// Span variants of the rules' indirect quotes (see [`span_variants`]), each a candidate
/// that replaces its quote when the filter accepts it. Their features say which variant it
/// is (prefix `rulevar`), the quote's cue and length and the content head's tag and label.
pub(super) fn rule_variants(parsed: &Parsed<'_>, rules: &[Quote]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Parsed { tree, quoted, .. } = parsed;
    let doc = tree.doc;
    for (index, q) in rules.iter().enumerate() {
        if q.kind != QuoteKind::Indirect {
            continue;
        }
        let Some(cue) = q.cue.as_deref() else {
            continue;
        };
        let toks: Vec<usize> = (0..doc.tokens.len())
            .filter(|&i| doc.tokens[i].start >= q.start && doc.tokens[i].end <= q.end)
            .collect();
        let (Some(&first), Some(&last)) = (toks.first(), toks.last()) else {
            continue;
        };
        let range = first..last + 1;
        if byte_span(doc, range.clone()) != (q.start..q.end) || range.clone().any(|i| quoted[i]) {
            continue;
        }
        let head = range
            .clone()
            .filter(|&i| !range.contains(&tree.head(i)) || tree.head(i) == i)
            .max_by_key(|&i| tree.subtree(i).len())
            .unwrap_or(first);
        let cue_word = cue.split_whitespace().next().unwrap_or(cue).to_lowercase();
        let original = range.clone().filter(|&i| tree.is_word(i)).count();
        for (r, var) in span_variants(tree, range.clone(), quoted) {
            let span = byte_span(doc, r.clone());
            if rules
                .iter()
                .enumerate()
                .any(|(j, o)| j != index && o.start < span.end && span.start < o.end)
            {
                continue;
            }
            let k = var.kind;
            let mut features = vec!["rulevar".to_string()];
            features.extend(var.features("rulevar"));
            features.push(format!("rulevar={k}|cue={cue_word}"));
            features.push(format!("rulevar={k}|clen={}", bucket(original)));
            features.push(format!("rulevar={k}|chtag={}", tree.tag(head)));
            features.push(format!("rulevar={k}|chdep={}", tree.dep(head)));
            features.push(format!(
                "rulevar={k}|chdep={}|dep={}",
                tree.dep(head),
                var.dep
            ));
            let mut quote = q.clone();
            quote.start = span.start;
            quote.end = span.end;
            quote.text = doc.text[span].to_string();
            out.push(Candidate {
                quote,
                features,
                replaces: Some(index),
                variant: true,
            });
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn features(
    tree: &Tree<'_>,
    v: usize,
    source: usize,
    skind: &str,
    kind: &Content,
    range: &Range<usize>,
    words: usize,
    has_marks: bool,
) -> Vec<String> {
    let l = lemma(tree, v);
    let word = tree.text(v);
    let tag = tree.tag(v);
    let pos = if tag.starts_with("VB") {
        "v"
    } else if tag == "JJ" {
        "a"
    } else {
        "n"
    };
    let ck = kind.name();
    let mut f = vec![
        format!("l={pos}:{l}"),
        format!("lc={pos}:{l}|{ck}"),
        format!("ls={pos}:{l}|{skind}"),
        format!("ck={ck}"),
        format!("ck={pos}:{ck}"),
        format!("sk={skind}"),
        format!("cks={ck}|{skind}"),
        format!("len={}", bucket(words)),
        format!("lenk={ck}|{}", bucket(words)),
        format!("tag={tag}"),
        format!("dep={}", tree.dep(v)),
        format!("ctag={}", tree.tag(range.start)),
    ];
    // Lexicon.
    if pos == "v" {
        if lexicon::speech_verb(word).is_some() {
            f.push("lex=speech".into());
        }
        if lexicon::attributes(word, kind.complement()) {
            f.push("lex=attributes".into());
        }
    } else if let Content::Preposition(p) = kind
        && lexicon::noun_cue(&l, p)
    {
        f.push("lex=noun".into());
    }
    if let Content::Preposition(p) = kind
        && lexicon::preposition_cue(&l, p)
    {
        f.push("lex=prep".into());
    }
    // The verb or noun it hangs from ("wants to", "is expected to", "expressed hope").
    let h = tree.head(v);
    if h != v {
        f.push(format!("hl={}|{}", tree.dep(v), lemma(tree, h)));
    }
    // Auxiliaries, modality, negation.
    for &c in &tree.children[v] {
        match tree.dep(c) {
            "neg" => f.push("neg".into()),
            "auxpass" => f.push("pass".into()),
            "aux" if tree.tag(c) == "MD" => f.push(format!("md={}", tree.text(c).to_lowercase())),
            "aux" => f.push(format!("aux={}", lemma(tree, c))),
            _ => {}
        }
    }
    // Generalising over rare cues: the cue's ending, the lemma with its dependency label,
    // the head of the content.
    let chars: Vec<char> = l.chars().collect();
    if chars.len() > 4 {
        let suffix: String = chars[chars.len() - 3..].iter().collect();
        f.push(format!("lsuf={pos}:{suffix}"));
    }
    f.push(format!("ld={pos}:{l}|{}", tree.dep(v)));
    let content_head = (range.start..range.end)
        .find(|&i| !range.contains(&tree.head(i)) || tree.head(i) == i)
        .unwrap_or(range.start);
    f.push(format!("chl={}", lemma(tree, content_head)));
    f.push(format!("chtag={}", tree.tag(content_head)));
    // The source's word when it is no name ("officials", "he", "poll").
    if !skind.starts_with("ent:") {
        f.push(format!("sw={}", tree.text(source).to_lowercase()));
    }
    if source > v {
        f.push("src_after".into());
    }
    // The content's first word ("that" is cut away, so: "the", "to", "if", a name...).
    let first = tree.text(range.start).to_lowercase();
    if matches!(tree.tag(range.start), "NNP" | "NNPS") {
        f.push("cfirst=NAME".into());
    } else {
        f.push(format!("cfirst={first}"));
    }
    if range.start > v + 1 {
        // Words between the cue and its content ("said on Tuesday that").
        f.push("gap".into());
    }
    if has_marks {
        f.push("marks".into());
    }
    if tree.paragraph[v] == 0 {
        f.push("first_par".into());
    }
    let sent = &tree.sentences[tree.sentence[v]];
    if range.start == sent.start || (range.start > sent.start && range.start <= sent.start + 1) {
        f.push("content_opens".into());
    }
    if range.start < v {
        f.push("content_before".into());
    }
    f
}

/// Features that carry over to rare cues: the lexicon's classes of the cue, its place in the
/// sentence (root, depth, distance to its source), what the content is (the entity kind of
/// an object, the subordinator of a clause, a subject of its own), and the content kind
/// joined with the cue's ending, tag and classes.
fn generalising(
    tree: &Tree<'_>,
    resolution: &Resolution,
    v: usize,
    source: usize,
    content: usize,
    kind: &Content,
    range: &Range<usize>,
) -> Vec<String> {
    let ck = kind.name();
    let ckind = match kind {
        Content::Preposition(_) => "prep",
        Content::ObjectPhrase(..) => "objprep",
        _ => ck.as_str(),
    };
    let tag = tree.tag(v);
    let mut f = Vec::new();
    let classes = if tag.starts_with("VB") {
        lexicon::verb_classes(tree.text(v))
    } else {
        Vec::new()
    };
    if classes.is_empty() {
        f.push(format!("lexc=none|{ckind}"));
    }
    for c in &classes {
        f.push(format!("lexc={c}"));
        f.push(format!("lexc={c}|{ckind}"));
    }
    let l = lemma(tree, v);
    if tag.starts_with("VB") {
        if lexicon::evidence_verb(&l) {
            f.push("lexc=evidence".into());
        }
        if lexicon::viewing_verb(&l) {
            f.push("lexc=viewing".into());
        }
    }
    let chars: Vec<char> = l.chars().collect();
    if chars.len() > 4 {
        let suffix: String = chars[chars.len() - 2..].iter().collect();
        let pos = tag.chars().next().unwrap_or('?');
        f.push(format!("lsuf2ck={pos}:{suffix}|{ckind}"));
    }
    f.push(format!("tagck={tag}|{ckind}"));
    // Where the cue stands.
    let mut depth = 0;
    let mut t = v;
    while tree.head(t) != t && depth < 4 {
        t = tree.head(t);
        depth += 1;
    }
    f.push(format!("depth={}", depth.min(3)));
    f.push(format!(
        "sdist={}",
        match source.abs_diff(v) {
            0..=1 => "1",
            2..=3 => "2-3",
            4..=8 => "4-8",
            _ => "9+",
        }
    ));
    // What the content is.
    let object = match kind {
        Content::Preposition(_) => tree.children[content]
            .iter()
            .copied()
            .find(|&o| tree.dep(o) == "pobj"),
        Content::Object | Content::ObjectPhrase(..) => Some(content),
        _ => None,
    };
    if let Some(o) = object {
        let ent = resolution
            .entity_at(o)
            .map(|e| resolution.entities[e].kind.clone())
            .unwrap_or_else(|| "none".into());
        f.push(format!("cent={ent}"));
        f.push(format!("cent={ent}|{ckind}"));
    }
    if matches!(
        kind,
        Content::Clause | Content::Question | Content::Infinitive
    ) {
        for &m in &tree.children[content] {
            match tree.dep(m) {
                "mark" => {
                    let w = tree.text(m).to_lowercase();
                    if !matches!(w.as_str(), "that" | "if" | "whether" | "to") {
                        f.push("cmark=other".into());
                    }
                    f.push(format!("cmark={w}"));
                }
                "nsubj" | "nsubjpass" => f.push(format!("csubj|{ckind}")),
                "aux" if tree.tag(m) == "MD" => f.push("cmodal".into()),
                _ => {}
            }
        }
        f.push(format!("ctense={}", tree.tag(content)));
    }
    // An adverb right before the content ("particularly in ...", "even after ...").
    let first = range.start.min(content);
    if first > 0 && tree.tag(first - 1) == "RB" {
        f.push(format!("adv_before|{ckind}"));
    }
    f
}
