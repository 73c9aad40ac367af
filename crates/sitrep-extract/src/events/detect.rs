//! Event mentions read off the dependency parse: the trigger and its frame, who acted (source)
//! and on whom (target) as token spans, negation, and modality (what is proposed, demanded,
//! conditional or only hypothetical is never reported as having happened).

use std::ops::Range;

use sitrep_nlp::Doc;

use super::lexicon::{Frame, LEXICON, governs_modality, light_verb};

/// Whether an event happened, by the sentence's own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modality {
    /// Reported as having happened or happening.
    Asserted,
    /// Announced for the future ("will meet").
    Future,
    /// Proposed, offered, planned or hoped for ("a proposed ceasefire", "wants to meet").
    Proposed,
    /// Asked for or demanded ("urged Moscow to withdraw", "need to see a ceasefire first").
    Demanded,
    /// Depends on a condition ("if Kyiv agrees").
    Conditional,
    /// Possible only ("could strike", "would love to meet").
    Hypothetical,
    /// Claimed by someone ("claimed they had attacked").
    Claimed,
}

impl Modality {
    pub fn as_str(&self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Future => "future",
            Modality::Proposed => "proposed",
            Modality::Demanded => "demanded",
            Modality::Conditional => "conditional",
            Modality::Hypothetical => "hypothetical",
            Modality::Claimed => "claimed",
        }
    }

    /// Whether the event is reported as real (possibly by a claimant).
    pub fn is_real(&self) -> bool {
        matches!(self, Modality::Asserted | Modality::Claimed)
    }
}

/// One event mention.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMention {
    /// The word naming the event (a verb, or an event noun).
    pub trigger: usize,
    /// The verb whose arguments are the actors: the trigger itself, or the light verb governing
    /// an event noun ("held" in "held talks").
    pub anchor: usize,
    pub frame: Frame,
    /// Source actors as token spans (one per conjunct).
    pub sources: Vec<Range<usize>>,
    /// Target actors as token spans.
    pub targets: Vec<Range<usize>>,
    pub negated: bool,
    pub modality: Modality,
    /// Index of the sentence in `doc.sentences`.
    pub sentence: usize,
    /// Dependency distance of the anchor from its sentence's root.
    pub depth: usize,
    /// The trigger is a noun without a light verb ("the strike on Sumy").
    pub nominal: bool,
}

/// Children lists of a parsed document.
pub struct Tree<'a> {
    pub doc: &'a Doc,
    pub children: Vec<Vec<usize>>,
}

impl<'a> Tree<'a> {
    pub fn new(doc: &'a Doc) -> Self {
        let mut children = vec![Vec::new(); doc.tokens.len()];
        for (i, t) in doc.tokens.iter().enumerate() {
            if t.head != i && t.head < doc.tokens.len() {
                children[t.head].push(i);
            }
        }
        Tree { doc, children }
    }

    pub fn dep(&self, i: usize) -> &str {
        self.doc.tokens[i].dep.as_str()
    }

    pub fn lemma(&self, i: usize) -> &str {
        &self.doc.tokens[i].lemma
    }

    pub fn lower(&self, i: usize) -> String {
        self.doc.token_text(i).to_lowercase()
    }

    pub fn pos(&self, i: usize) -> &str {
        self.doc.tokens[i].pos.as_str()
    }

    pub fn head(&self, i: usize) -> usize {
        self.doc.tokens[i].head
    }

    pub fn kids<'b>(&'b self, i: usize, dep: &'b str) -> impl Iterator<Item = usize> + 'b {
        self.children[i]
            .iter()
            .copied()
            .filter(move |&c| self.dep(c) == dep)
    }

    pub fn kid(&self, i: usize, dep: &str) -> Option<usize> {
        self.kids(i, dep).next()
    }

    fn depth(&self, mut i: usize) -> usize {
        let mut d = 0;
        while self.head(i) != i && d < 64 {
            i = self.head(i);
            d += 1;
        }
        d
    }

    /// The token span of `i`'s subtree without the subtrees of children whose dependency is in
    /// `cut` (only those at the edges can be cut; the span stays contiguous), trimmed of
    /// punctuation and conjunctions at both ends.
    pub fn span(&self, i: usize, cut: &[&str]) -> Range<usize> {
        self.trimmed_subtree(i, |c| !cut.contains(&self.dep(c)))
    }

    /// The contiguous token span of `i`'s subtree without the subtrees of the children of `i`
    /// that `keep` rejects, trimmed of punctuation and conjunctions at both ends.
    fn trimmed_subtree(&self, i: usize, keep: impl Fn(usize) -> bool) -> Range<usize> {
        let mut lo = i;
        let mut hi = i;
        let mut stack = vec![i];
        while let Some(t) = stack.pop() {
            lo = lo.min(t);
            hi = hi.max(t);
            for &c in &self.children[t] {
                if t == i && !keep(c) {
                    continue;
                }
                stack.push(c);
            }
        }
        while lo < i && matches!(self.pos(lo), "PUNCT" | "CCONJ") {
            lo += 1;
        }
        while hi > i && matches!(self.pos(hi), "PUNCT" | "CCONJ") {
            hi -= 1;
        }
        lo..hi + 1
    }

    /// An actor phrase headed by `i`, one span per conjunct ("the army and the police"):
    /// the noun phrase with its "of" and "by" phrases, without relative clauses, participle
    /// phrases or other prepositional phrases ("the court in Zagreb" -> "the court").
    pub fn actor_spans(&self, i: usize) -> Vec<Range<usize>> {
        let mut out = vec![self.actor_span(i)];
        let mut c = i;
        let mut guard = 0;
        while let Some(next) = self.kid(c, "conj") {
            if !matches!(self.pos(next), "NOUN" | "PROPN" | "PRON") || guard > 8 {
                break;
            }
            // "Witkoff rather than the president", "the army, not the police": an actor
            // excluded, not added.
            let excluded = (c + 1..next).any(|t| {
                matches!(
                    self.lower(t).as_str(),
                    "rather" | "than" | "not" | "instead"
                )
            });
            if excluded {
                break;
            }
            out.push(self.actor_span(next));
            c = next;
            guard += 1;
        }
        out
    }

    fn actor_span(&self, i: usize) -> Range<usize> {
        self.trimmed_subtree(i, |c| {
            let dep = self.dep(c);
            // An auxiliary is never part of the actor ("I’d love to meet": the parser can hang
            // "’d" on "I" as an apposition).
            !(matches!(dep, "relcl" | "conj" | "cc" | "acl" | "advcl" | "npadvmod")
                || self.pos(c) == "AUX"
                || (dep == "prep" && !matches!(self.lower(c).as_str(), "of" | "by"))
                || (dep == "punct" && c > i && self.kid(i, "appos").is_none_or(|a| a < c)))
        })
    }

    /// Whether token `i` can head an actor: not a date, time, number or amount.
    pub fn can_be_actor(&self, i: usize) -> bool {
        !matches!(
            self.doc.tokens[i].ent_type.as_str(),
            "DATE" | "TIME" | "CARDINAL" | "PERCENT" | "MONEY" | "ORDINAL" | "QUANTITY"
        ) && matches!(self.pos(i), "NOUN" | "PROPN" | "PRON" | "NUM" | "ADJ" | "X")
    }
}

const RELATIVE: &[&str] = &["who", "which", "that", "whom"];

/// Nouns of attitude or feeling that verbs of saying take as object ("expressed concern").
const ATTITUDES: &[&str] = &[
    "concern",
    "support",
    "hope",
    "surprise",
    "condolence",
    "sympathy",
    "optimism",
    "appreciation",
    "gratitude",
    "regret",
    "solidarity",
    "dismay",
    "anger",
    "outrage",
    "disappointment",
    "satisfaction",
    "respect",
    "thanks",
    "congratulation",
    "confidence",
    "worry",
    "alarm",
    "shock",
    "readiness",
    "willingness",
    "commitment",
    "opposition",
    "appeal",
    "plea",
];

/// Every event mention of the document, sentence by sentence in text order.
pub fn detect(doc: &Doc) -> Vec<EventMention> {
    let tree = Tree::new(doc);
    let mut out = Vec::new();
    for (s, sentence) in doc.sentences.iter().enumerate() {
        let mut consumed = Vec::new();
        for i in sentence.tokens.clone() {
            let t = &doc.tokens[i];
            if t.pos.as_str() != "VERB" {
                continue;
            }
            let mut deps: Vec<String> = tree.children[i]
                .iter()
                .filter(|&&c| matches!(tree.dep(c), "prt" | "prep" | "advmod"))
                .map(|&c| tree.lower(c))
                .collect();
            // The object's lemma, for patterns such as "lift =sanction".
            if let Some(o) = tree.kid(i, "dobj").or_else(|| tree.kid(i, "nsubjpass")) {
                deps.push(format!("={}", tree.lemma(o).to_lowercase()));
            }
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            // A verb with a particle or object that decides the event ("called off the strike",
            // "accepted the demands") before a light verb's noun.
            if let Some(frame) = LEXICON.verb_pattern(&t.lemma, &deps) {
                if let Some(obj) = tree.kid(i, "dobj") {
                    consumed.push(obj);
                }
                let frame = in_context(&tree, i, frame);
                out.push(mention(&tree, i, i, frame, s, false));
                continue;
            }
            // "participated in a hunger strike", "took part in the talks": the noun's event.
            if matches!(t.lemma.as_str(), "participate" | "take" | "engage" | "join")
                && let Some(n) = prep_object(&tree, i, &["in"])
                && let Some(frame) = event_noun(&tree, n)
            {
                consumed.push(n);
                out.push(mention(&tree, n, i, frame.clone(), s, false));
                continue;
            }
            // A light verb with an event noun as object names the noun's event.
            if light_verb(&t.lemma)
                && let Some(obj) = tree.kid(i, "dobj")
                && let Some(frame) = event_noun(&tree, obj)
            {
                consumed.push(obj);
                let mut frame = frame.clone();
                // Support provided or sent is aid; support expressed, a statement of support.
                if frame.kind == "SUPPORT"
                    && matches!(
                        t.lemma.as_str(),
                        "provide" | "give" | "deliver" | "extend" | "offer"
                    )
                {
                    frame = Frame {
                        kind: "AID",
                        cameo: "070",
                        mode: None,
                    };
                }
                // A ceasefire declared is a de-escalation; one signed or reached, an agreement.
                if frame.kind == "RETREAT"
                    && matches!(t.lemma.as_str(), "sign" | "reach" | "agree" | "broker")
                {
                    frame = Frame {
                        kind: "AGREE",
                        cameo: "057",
                        mode: None,
                    };
                }
                out.push(mention(&tree, obj, i, frame, s, false));
                continue;
            }
            if let Some(frame) = LEXICON.verb(&t.lemma, &deps) {
                let mut frame = in_context(&tree, i, frame);
                // "agrees with the recommendation", "agreed with X that ...": an opinion, not a
                // commitment (no act agreed to, nothing signed).
                if t.lemma == "agree"
                    && tree.children[i]
                        .iter()
                        .any(|&c| c > i && tree.dep(c) == "prep" && tree.lower(c) == "with")
                    && ["xcomp", "dobj", "ccomp"]
                        .iter()
                        .all(|d| tree.kid(i, d).is_none())
                    && prep_object(&tree, i, &["on", "to"]).is_none()
                {
                    frame = Frame {
                        kind: "STATEMENT",
                        cameo: "010",
                        mode: None,
                    };
                }
                // Appealing for sanctions or force is a demand for conflict (CAMEO 10).
                if frame.kind == "APPEAL"
                    && let Some(n) = prep_object(&tree, i, &["for"])
                    && event_noun(&tree, n).is_some_and(|f| {
                        matches!(f.kind, "SANCTION" | "ASSAULT" | "COERCE" | "MOBILIZE")
                    })
                {
                    frame = Frame {
                        kind: "REQUEST",
                        cameo: "100",
                        mode: None,
                    };
                }
                out.push(mention(&tree, i, i, frame, s, false));
            }
        }
        for i in sentence.tokens.clone() {
            if consumed.contains(&i) || doc.tokens[i].pos.as_str() != "NOUN" {
                continue;
            }
            if let Some(frame) = event_noun(&tree, i) {
                let frame = in_context(&tree, i, frame);
                out.push(mention(&tree, i, i, frame, s, true));
            }
        }
    }
    out.sort_by_key(|m| (m.sentence, m.trigger));
    out
}

/// Troops moving in a peacekeeping mission ("peacekeepers arrived", "deployed troops to join the
/// UN peacekeeping mission") provide protection (CAMEO 0744) rather than show force.
fn in_context(tree: &Tree, v: usize, frame: &Frame) -> Frame {
    let moves = frame.kind == "MOBILIZE"
        || matches!(
            tree.lemma(v),
            "arrive" | "deploy" | "send" | "dispatch" | "contribute" | "deployment"
        );
    if moves {
        let s = tree
            .doc
            .sentences
            .iter()
            .find(|s| s.tokens.contains(&v))
            .map(|s| s.tokens.clone())
            .unwrap_or(v..v + 1);
        if s.clone().any(|t| {
            let l = tree.lemma(t).to_lowercase();
            l.starts_with("peacekeep") || matches!(l.as_str(), "monitor" | "observer")
        }) {
            return Frame {
                kind: "AID",
                cameo: "0744",
                mode: None,
            };
        }
    }
    frame.clone()
}

/// The frame of an event noun, unless it is used otherwise ("general strike" stays a protest).
fn event_noun<'l>(tree: &Tree, i: usize) -> Option<&'l Frame> {
    let lemma = tree.lemma(i).to_lowercase();
    let workers = || {
        tree.doc
            .sentences
            .iter()
            .find(|s| s.tokens.contains(&i))
            .is_some_and(|s| {
                s.tokens.clone().any(|t| {
                    matches!(
                        tree.lemma(t).to_lowercase().as_str(),
                        "worker"
                            | "union"
                            | "employee"
                            | "teacher"
                            | "driver"
                            | "staff"
                            | "lecturer"
                            | "nurse"
                            | "doctor"
                            | "miner"
                            | "pilot"
                            | "oilworker"
                            | "trucker"
                    )
                })
            })
    };
    if lemma == "strike"
        && (tree.children[i].iter().any(|&c| {
            matches!(
                tree.lower(c).as_str(),
                "general" | "hunger" | "labor" | "labour" | "workers" | "national"
            )
        }) || workers())
    {
        return LEXICON.noun("protest");
    }
    // "a military operation", "a ground operation": an assault.
    if matches!(lemma.as_str(), "operation" | "offensive" | "campaign")
        && tree.children[i].iter().any(|&c| {
            matches!(
                tree.lemma(c).to_lowercase().as_str(),
                "military" | "ground" | "air" | "naval" | "combat" | "counter-terrorism"
            )
        })
    {
        return LEXICON.noun("offensive");
    }
    LEXICON.noun(&lemma)
}

fn mention(
    tree: &Tree,
    trigger: usize,
    anchor: usize,
    frame: Frame,
    sentence: usize,
    nominal: bool,
) -> EventMention {
    let (sources, targets) = if nominal {
        noun_actors(tree, trigger)
    } else {
        verb_actors(tree, anchor, trigger, &frame)
    };
    let (negated, mut modality) = modality(tree, trigger, anchor);
    if polar_question(tree, sentence) {
        modality = modality.max_with(Modality::Hypothetical);
    }
    EventMention {
        trigger,
        anchor,
        frame,
        sources,
        targets,
        negated,
        modality,
        sentence,
        depth: tree.depth(anchor),
        nominal,
    }
}

/// Whether sentence `i` is a yes/no or alternative question ("Did the army attack Velda?",
/// "Or will they withdraw?"): what it asks about is not reported as having happened. A
/// wh-question presupposes its event ("Why did the army attack Velda?") and is not one.
fn polar_question(tree: &Tree, i: usize) -> bool {
    let doc = tree.doc;
    let Some(s) = doc.sentences.get(i) else {
        return false;
    };
    let asks = doc.text.get(s.start..s.end).is_some_and(|t| {
        t.trim_end_matches(|c: char| c.is_whitespace() || "\"'”’»)".contains(c))
            .ends_with('?')
    });
    if !asks {
        return false;
    }
    let Some(first) = s.tokens.clone().find(|&t| tree.pos(t) != "PUNCT") else {
        return false;
    };
    matches!(
        tree.lower(first).as_str(),
        "do" | "does"
            | "did"
            | "is"
            | "are"
            | "was"
            | "were"
            | "will"
            | "would"
            | "can"
            | "could"
            | "should"
            | "shall"
            | "has"
            | "have"
            | "had"
            | "must"
            | "may"
            | "might"
            | "or"
    )
}

/// Preferred prepositions introducing a target, by event type.
fn target_preps(kind: &str) -> &'static [&'static str] {
    match kind {
        "CONSULT" | "COOPERATE" | "AGREE" => &["with", "to"],
        "ASSAULT" | "COERCE" | "SANCTION" | "ACCUSE" | "PROTEST" | "THREATEN" | "MOBILIZE" => {
            &["on", "against", "at", "into", "upon"]
        }
        "AID" | "APPEAL" | "REQUEST" | "SUPPORT" | "CONCEDE" => &["to", "for", "on"],
        "RETREAT" => &["from"],
        _ => &["with", "to", "on", "against"],
    }
}

/// The subject of verb `v`, following clause chains up ("agreed to lend": the subject of
/// "agreed"; "killed six and wounded four": the first verb's subject).
fn subject(tree: &Tree, v: usize) -> Option<(usize, bool)> {
    let mut v = v;
    for _ in 0..4 {
        if let Some(s) = tree.kid(v, "nsubj") {
            if RELATIVE.contains(&tree.lower(s).as_str()) && tree.dep(v) == "relcl" {
                let antecedent = tree.head(v);
                // "the strike on Sumy, which killed ...": the event noun, not the place.
                if !matches!(
                    tree.doc.tokens[antecedent].ent_type.as_str(),
                    "PERSON" | "ORG" | "NORP"
                ) && tree.pos(antecedent) != "PRON"
                    && tree.dep(antecedent) == "pobj"
                {
                    let event = tree.head(tree.head(antecedent));
                    if LEXICON.noun(&tree.lemma(event).to_lowercase()).is_some() {
                        return Some((event, false));
                    }
                }
                return Some((antecedent, false));
            }
            return Some((s, false));
        }
        if let Some(a) = tree.kid(v, "agent")
            && let Some(p) = tree.kid(a, "pobj")
        {
            return Some((p, false));
        }
        if tree.kid(v, "nsubjpass").is_some() {
            return None;
        }
        // Up through infinitives, coordinated verbs and adverbial clauses; never through a
        // reported clause: in "the strikes killed 12, officials said" the officials are the
        // speakers, not the actors.
        let h = tree.head(v);
        if h == v || !matches!(tree.dep(v), "xcomp" | "conj" | "advcl" | "acomp") {
            return None;
        }
        // "France is ready to contribute": through the adjective to the copula's subject.
        if tree.dep(v) == "xcomp" && tree.pos(h) == "ADJ" && tree.dep(h) != "acomp" {
            return None;
        }
        v = h;
    }
    None
}

fn verb_actors(
    tree: &Tree,
    anchor: usize,
    trigger: usize,
    frame: &Frame,
) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let sources = subject(tree, anchor)
        .filter(|&(s, _)| tree.can_be_actor(s))
        .map(|(s, _)| tree.actor_spans(s))
        .unwrap_or_default();
    let mut target = None;
    // Passive: "was attacked by X" — the passive subject is the target.
    if let Some(p) = tree.kid(anchor, "nsubjpass") {
        target = Some(p);
    }
    // The event noun's own complements ("talks with Kyiv", "sanctions on Moscow").
    if target.is_none() && trigger != anchor {
        target = prep_object(tree, trigger, target_preps(frame.kind));
    }
    if target.is_none() && matches!(frame.kind, "AID" | "STATEMENT" | "APPEAL" | "SUPPORT") {
        target = tree
            .kid(anchor, "dative")
            .map(|d| tree.kid(d, "pobj").unwrap_or(d))
            .or_else(|| prep_object(tree, anchor, &["to"]));
    }
    if target.is_none() && trigger == anchor {
        target = tree.kid(anchor, "dobj");
        // "expressed concern over X", "offered support to X", "extended condolences to X":
        // the attitude is not the target; whom it is about is.
        if let Some(o) = target
            && ATTITUDES.contains(&tree.lemma(o).to_lowercase().as_str())
        {
            let about = ["to", "for", "over", "about", "at", "with", "on", "against"];
            target = prep_object(tree, o, &about).or_else(|| prep_object(tree, anchor, &about));
        }
    }
    if target.is_none() {
        target = prep_object(tree, anchor, target_preps(frame.kind));
    }
    if target.is_none() && frame.kind == "STATEMENT" {
        target = tree.kid(anchor, "ccomp").and_then(|c| tree.kid(c, "nsubj"));
    }
    let targets = target
        .filter(|&t| tree.can_be_actor(t))
        .map(|t| tree.actor_spans(t))
        .unwrap_or_default();
    (sources, targets)
}

/// The object of a preposition among `preps` attached to `i` (or to its particle).
fn prep_object(tree: &Tree, i: usize, preps: &[&str]) -> Option<usize> {
    for want in preps {
        for &c in &tree.children[i] {
            if matches!(tree.dep(c), "prep" | "prt")
                && tree.lower(c) == *want
                && let Some(p) = tree.kid(c, "pobj")
            {
                return Some(p);
            }
        }
    }
    None
}

fn noun_actors(tree: &Tree, noun: usize) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let mut sources = Vec::new();
    // "Russia's strike", "a Russian strike", "the Israeli strike".
    if let Some(p) = tree.kid(noun, "poss") {
        sources = tree.actor_spans(p);
    } else if let Some(m) = tree.children[noun].iter().copied().find(|&c| {
        matches!(tree.dep(c), "amod" | "compound")
            && matches!(
                tree.doc.tokens[c].ent_type.as_str(),
                "NORP" | "GPE" | "ORG" | "PERSON"
            )
    }) {
        sources = vec![tree.span(m, &[])];
    } else if let Some(by) = prep_object(tree, noun, &["by"]) {
        sources = tree.actor_spans(by);
    } else if let Some(v) = taking_part(tree, noun)
        && let Some((s, _)) = subject(tree, v)
    {
        // "engaged in talks with", "took part in the raid", "what he described as talks".
        sources = tree.actor_spans(s);
    }
    let kind = LEXICON
        .noun(&tree.lemma(noun).to_lowercase())
        .map_or("", |f| f.kind);
    let targets = prep_object(tree, noun, target_preps(kind))
        .map(|t| tree.actor_spans(t))
        .unwrap_or_default();
    (sources, targets)
}

/// The verb whose subject takes part in the event a noun names: "engage in", "take part in",
/// "participate in", "attend", "join", "describe ... as" (the noun its object, or the object of
/// its preposition).
fn taking_part(tree: &Tree, noun: usize) -> Option<usize> {
    let mut v = tree.head(noun);
    if tree.dep(noun) == "pobj" {
        v = tree.head(v);
    } else if tree.dep(noun) != "dobj" {
        return None;
    }
    if v == noun || tree.pos(v) != "VERB" {
        return None;
    }
    matches!(
        tree.lemma(v),
        "engage"
            | "participate"
            | "attend"
            | "join"
            | "take"
            | "describe"
            | "enter"
            | "continue"
            | "arrive"
            | "embark"
            | "undertake"
            | "go"
            | "come"
    )
    .then_some(v)
}

/// Negation and modality of the event at `trigger` (anchored at verb `anchor`).
fn modality(tree: &Tree, trigger: usize, anchor: usize) -> (bool, Modality) {
    // A coordinated verb without its own subject shares the first verb's auxiliaries and
    // governor: "would love to meet him and talk to him" — the talk is wished for too.
    let h = tree.head(anchor);
    if tree.dep(anchor) == "conj"
        && h != anchor
        && tree.pos(h) == "VERB"
        && tree.kid(anchor, "nsubj").is_none()
        && tree.kid(anchor, "nsubjpass").is_none()
    {
        let (n, m) = modality(tree, h, h);
        let (own_n, own_m) = modality_here(tree, trigger, anchor);
        return (n || own_n, m.max_with(own_m));
    }
    modality_here(tree, trigger, anchor)
}

fn modality_here(tree: &Tree, trigger: usize, anchor: usize) -> (bool, Modality) {
    let mut negated = false;
    let mut modality = Modality::Asserted;
    // Negation and modal auxiliaries on the verb.
    for &c in &tree.children[anchor] {
        let w = tree.lower(c);
        match tree.dep(c) {
            "neg" => negated = true,
            "aux" | "auxpass" => match w.as_str() {
                "will" | "shall" | "'ll" => modality = modality.max_with(Modality::Future),
                // "must withdraw": an obligation someone demands, not a possibility.
                "must" | "should" => modality = modality.max_with(Modality::Demanded),
                "would" | "could" | "might" | "may" | "can" | "'d" => {
                    modality = modality.max_with(Modality::Hypothetical)
                }
                _ => {}
            },
            "advmod" if w == "never" => negated = true,
            _ => {}
        }
    }
    // An event noun: "no talks", "a proposed ceasefire", "possible strikes".
    if trigger != anchor || tree.pos(trigger) == "NOUN" {
        for &c in &tree.children[trigger] {
            let w = tree.lower(c);
            if tree.dep(c) == "det" && w == "no" {
                negated = true;
            }
            if matches!(tree.dep(c), "amod" | "compound" | "nmod")
                && (matches!(
                    w.as_str(),
                    "proposed"
                        | "possible"
                        | "potential"
                        | "planned"
                        | "future"
                        | "prospective"
                        | "hypothetical"
                        | "suggested"
                        | "envisaged"
                        | "planned-for"
                ) || w.ends_with("-proposed"))
            {
                modality = modality.max_with(Modality::Proposed);
            }
        }
    }
    // A condition: the event's clause is introduced by "if"/"unless".
    if tree.children[anchor]
        .iter()
        .any(|&c| tree.dep(c) == "mark" && matches!(tree.lower(c).as_str(), "if" | "unless"))
    {
        modality = modality.max_with(Modality::Conditional);
    }
    // Governing verbs up the chain: "agreed to meet", "urged X to withdraw", "need to see a
    // ceasefire", "refused to sign", "claimed they had attacked".
    let mut node = if trigger != anchor { anchor } else { trigger };
    if tree.pos(trigger) == "NOUN" && trigger == anchor {
        // A bare event noun: start from the verb it is an argument of.
        if matches!(tree.dep(trigger), "dobj" | "pobj" | "nsubj" | "attr") {
            let mut h = tree.head(trigger);
            if tree.dep(h) == "prep" {
                h = tree.head(h);
            }
            node = h;
            if tree.pos(h) == "VERB"
                && let Some(m) = governs_modality(tree.lemma(h))
            {
                // "rejected the proposal": the proposal exists but did not come true.
                let m = if m == "negated" { "proposed" } else { m };
                apply(m, &mut negated, &mut modality);
            }
        }
    }
    for _ in 0..3 {
        let dep = tree.dep(node);
        let h = tree.head(node);
        if h == node || !matches!(dep, "xcomp" | "ccomp" | "dobj" | "advcl") {
            break;
        }
        if dep == "advcl"
            && tree.children[node].iter().any(|&c| {
                tree.dep(c) == "mark" && matches!(tree.lower(c).as_str(), "if" | "unless")
            })
        {
            modality = modality.max_with(Modality::Conditional);
            break;
        }
        if dep == "advcl" {
            break;
        }
        if let Some(m) = governs_modality(tree.lemma(h)) {
            // "said" only makes a clause claimed when the clause is not the speaker's own report
            // of fact; keep "claimed" for the strong verbs.
            if m == "claimed" && !matches!(tree.lemma(h), "claim" | "allege") {
                break;
            }
            apply(m, &mut negated, &mut modality);
            // "refused to" negates; a negated governor ("did not agree to meet") negates too.
        }
        if tree.kid(h, "neg").is_some() && dep == "xcomp" {
            negated = true;
        }
        node = h;
    }
    (negated, modality)
}

fn apply(m: &str, negated: &mut bool, modality: &mut Modality) {
    match m {
        "proposed" => *modality = modality.max_with(Modality::Proposed),
        "demanded" => *modality = modality.max_with(Modality::Demanded),
        "negated" => *negated = true,
        "claimed" => *modality = modality.max_with(Modality::Claimed),
        "hypothetical" => *modality = modality.max_with(Modality::Hypothetical),
        _ => {}
    }
}

impl Modality {
    /// The stronger of two modalities: anything unreal wins over asserted/claimed; among the
    /// unreal ones the first found stays.
    fn max_with(self, other: Modality) -> Modality {
        match (self, other) {
            (Modality::Asserted, o) => o,
            (Modality::Claimed, o) if !o.is_real() => o,
            (s, _) => s,
        }
    }
}

/// The event as CAMEO codes it, given negation and modality: refusing or failing to cooperate or
/// yield ("will not lift the ban", "failed to reach a deal") is a rejection (12); a promised or
/// offered material cooperation ("will release", "is willing to provide") an expressed intent to
/// cooperate (03); announced or offered force ("will launch an operation") a threat (13).
/// Otherwise the trigger's own frame.
pub fn cameo_coding(m: &EventMention) -> Frame {
    let root: u32 = m.frame.cameo_root().parse().unwrap_or(1);
    let code = |kind: &'static str, cameo: &'static str| Frame {
        kind,
        cameo,
        mode: m.frame.mode,
    };
    if m.negated && (3..=8).contains(&root) {
        return code("REJECT", "120");
    }
    if matches!(
        m.modality,
        Modality::Future | Modality::Proposed | Modality::Hypothetical | Modality::Conditional
    ) && !m.negated
    {
        if (6..=8).contains(&root) {
            return code("AGREE", "030");
        }
        if (root == 15 || root >= 17) && m.modality != Modality::Hypothetical {
            return code("THREATEN", "138");
        }
        if root == 16 && m.modality != Modality::Hypothetical {
            return code("THREATEN", "131");
        }
    }
    m.frame.clone()
}

/// Whether `a` lies in the clausal complement or object of verb `v` ("announced [it will
/// return]", "declared [a ceasefire]").
fn governed_by(tree: &Tree, mut a: usize, v: usize) -> bool {
    for _ in 0..6 {
        let h = tree.head(a);
        if h == a {
            return false;
        }
        if h == v {
            return matches!(tree.dep(a), "ccomp" | "xcomp" | "dobj")
                || (tree.dep(a) == "advcl"
                    && tree.kid(a, "aux").is_some_and(|t| tree.lower(t) == "to"));
        }
        if !matches!(tree.dep(a), "ccomp" | "xcomp" | "dobj" | "aux" | "conj") {
            return false;
        }
        a = h;
    }
    false
}

/// What a sentence (or short text) is mainly about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gist {
    /// The event mention at this index of the slice given to [`gist`].
    Event(usize),
    /// A statement: a verb of saying (token index) with no event of its own in what is said.
    Statement(usize),
}

/// The main event of a text: the event highest in the parse (a governing "agreed to" over the
/// governed "lend"; verbs over bare nouns), except that what someone says of their own actions
/// ("the army says it has killed ...") is that action, and other reported speech is a statement.
pub fn gist(doc: &Doc, mentions: &[EventMention]) -> Option<Gist> {
    let tree = Tree::new(doc);
    let best = |pred: &dyn Fn(&EventMention) -> bool| {
        let i = mentions
            .iter()
            .enumerate()
            .filter(|(_, m)| pred(m))
            .min_by_key(|(_, m)| (m.sentence, m.depth, m.nominal, m.trigger))
            .map(|(i, _)| i)?;
        // "announced a ceasefire", "declared it will return the weapons": the event announced.
        let m = &mentions[i];
        let announces = m.frame.kind == "STATEMENT" && m.frame.cameo == "010";
        let sends = matches!(
            tree.lemma(m.anchor),
            "send" | "dispatch" | "deploy" | "mobilize" | "mobilise"
        );
        if (announces || sends) && m.trigger == m.anchor {
            let inner = mentions
                .iter()
                .enumerate()
                .filter(|(j, n)| {
                    *j != i
                        && n.sentence == m.sentence
                        && n.frame.kind != "STATEMENT"
                        && (governed_by(&tree, n.anchor, m.anchor)
                            || governed_by(&tree, n.trigger, m.anchor))
                })
                .min_by_key(|(_, n)| (n.depth, n.nominal, n.trigger))
                .map(|(j, _)| j);
            if inner.is_some() {
                return inner;
            }
        }
        Some(i)
    };
    let first_sentence = mentions.iter().map(|m| m.sentence).min();
    for (s, sentence) in doc.sentences.iter().enumerate() {
        if first_sentence.is_some_and(|f| f < s) {
            break;
        }
        let Some(root) = sentence.tokens.clone().find(|&i| tree.head(i) == i) else {
            continue;
        };
        let root_is_event = mentions.iter().any(|m| m.anchor == root);
        let says = crate::lexicon::speech_verb(doc.token_text(root)).is_some()
            || crate::lexicon::attributes(doc.token_text(root), crate::lexicon::Complement::Clause);
        if says && !root_is_event {
            let speaker = tree.kid(root, "nsubj");
            let inside = |m: &EventMention| {
                m.sentence == s && {
                    let mut a = m.anchor;
                    let mut hops = 0;
                    while tree.head(a) != root && tree.head(a) != a && hops < 8 {
                        a = tree.head(a);
                        hops += 1;
                    }
                    tree.head(a) == root && matches!(tree.dep(a), "ccomp" | "xcomp")
                }
            };
            // ", officials said" after the clause: the clause is the news.
            let postposed = tree.kid(root, "ccomp").is_some_and(|c| c < root);
            if postposed && let Some(i) = best(&inside) {
                return Some(Gist::Event(i));
            }
            if let Some(i) = best(&inside) {
                let m = &mentions[i];
                let own = m.sources.first().is_some_and(|r| {
                    r.len() == 1
                        && matches!(
                            tree.lower(r.start).as_str(),
                            "it" | "he" | "she" | "they" | "we" | "i"
                        )
                }) || (speaker.is_some()
                    && m.sources.is_empty()
                    && tree.dep(m.anchor) == "xcomp");
                // "said the government will not lift the ban", "said it would give aid": a
                // refusal, promise or threat announced is that act.
                let recoded = cameo_coding(m).kind != m.frame.kind
                    && (m.negated
                        || matches!(m.modality, Modality::Future | Modality::Hypothetical))
                    && crate::lexicon::speech_verb(doc.token_text(root)).is_some();
                if own || recoded {
                    return Some(Gist::Event(i));
                }
            }
            return Some(Gist::Statement(root));
        }
        if let Some(i) = best(&|m: &EventMention| m.sentence == s) {
            return Some(Gist::Event(i));
        }
        if let Some(t) = sentence.tokens.clone().find(|&i| {
            tree.pos(i) == "VERB" && crate::lexicon::speech_verb(doc.token_text(i)).is_some()
        }) {
            return Some(Gist::Statement(t));
        }
    }
    best(&|_| true).map(Gist::Event)
}

// The learned class sits beside the rules it builds on; `events/mod.rs` is owned elsewhere, so
// the module is declared here (it can move to `events::classify` with one line in mod.rs).
#[path = "classify.rs"]
pub mod classify;
