//! The speech-verb and attribution-phrase lexicon (written by the team; see
//! `docs/quotes.md` for what counts as a cue).
//!
//! A cue is a verb of saying, writing or asserting whose subject is the speaker and whose
//! complement (or a quotation next to it) is what was said. Verbs are listed by base form; the
//! inflected forms are generated ([`speech_verb`] answers for any form), with the irregular
//! ones listed.

/// Verbs of saying, by base form. Kept to verbs whose subject is the one who says: "deny" is
/// in (the subject denies what follows), "hear" is out (the subject is the listener).
const SPEECH_VERBS: &[&str] = &[
    "say",
    "tell",
    "state",
    "write",
    "add",
    "note",
    "claim",
    "argue",
    "insist",
    "warn",
    "explain",
    "announce",
    "declare",
    "confirm",
    "deny",
    "reveal",
    "emphasize",
    "emphasise",
    "stress",
    "suggest",
    "acknowledge",
    "admit",
    "report",
    "reply",
    "respond",
    "ask",
    "urge",
    "tweet",
    "post",
    "comment",
    "remark",
    "observe",
    "predict",
    "promise",
    "vow",
    "pledge",
    "threaten",
    "accuse",
    "describe",
    "brief",
    "testify",
    "assert",
    "contend",
    "maintain",
    "concede",
    "recall",
    "conclude",
    "continue",
    "caution",
    "complain",
    "demand",
    "estimate",
    "inform",
    "mention",
    "point",
    "proclaim",
    "propose",
    "question",
    "reiterate",
    "repeat",
    "speak",
    "joke",
    "quip",
    "muse",
    "boast",
    "lament",
    "charge",
    "allege",
    "counter",
    "retort",
    "recount",
    "disclose",
    "affirm",
    "assure",
    "believe",
    "call",
    "clarify",
    "criticize",
    "criticise",
    "condemn",
    "dismiss",
    "hint",
    "stipulate",
    "underline",
    "underscore",
    "voice",
    "whisper",
    "shout",
    "exclaim",
    "yell",
    "scream",
    "shriek",
    "bellow",
    "holler",
    "roar",
    "jeer",
    "heckle",
    "mutter",
    "mumble",
    "murmur",
    "snap",
    "gush",
    "sigh",
    "groan",
    "chant",
    "mouth",
    "echo",
    "interject",
    "write",
    "answer",
    "agree",
    "assess",
    "forecast",
    "highlight",
    "outline",
];

/// Irregular inflected forms: (form, base).
const IRREGULAR: &[(&str, &str)] = &[
    ("thought", "think"),
    ("knew", "know"),
    ("known", "know"),
    ("saw", "see"),
    ("seen", "see"),
    ("found", "find"),
    ("shown", "show"),
    ("felt", "feel"),
    ("sought", "seek"),
    ("forgot", "forget"),
    ("forgotten", "forget"),
    ("understood", "understand"),
    ("chose", "choose"),
    ("chosen", "choose"),
    ("learnt", "learn"),
    ("said", "say"),
    ("says", "say"),
    ("told", "tell"),
    ("wrote", "write"),
    ("written", "write"),
    ("spoke", "speak"),
    ("spoken", "speak"),
    ("forecast", "forecast"),
    ("forecasted", "forecast"),
];

/// Verbs that report speech only with a clause or quotation as complement (so "called the
/// meeting" or "posted a photo" is no attribution): they need a `ccomp` or a quote next to
/// them, never a bare object.
const NEEDS_CLAUSE: &[&str] = &[
    "call",
    "post",
    "continue",
    "point",
    "voice",
    "charge",
    "believe",
    "describe",
    "add",
    "question",
    "answer",
    "agree",
    "assess",
    "highlight",
    "outline",
    "demand",
    "propose",
    "promise",
    "estimate",
    "accuse",
    "criticize",
    "criticise",
    "condemn",
    "dismiss",
    "maintain",
    "report",
    "brief",
    "speak",
];

/// Verbs of believing and knowing: their subject holds what their complement clause says
/// ("Officials believe the convoy was hit"). Reported with a clause only.
const BELIEF_VERBS: &[&str] = &[
    "think",
    "believe",
    "know",
    "expect",
    "hope",
    "fear",
    "feel",
    "worry",
    "doubt",
    "suspect",
    "understand",
    "realize",
    "realise",
    "assume",
    "wonder",
    "see",
    "find",
    "show",
    "learn",
    "consider",
    "recognize",
    "recognise",
    "insist",
    "conclude",
    "figure",
    "guess",
    "imagine",
    "reckon",
    "trust",
    "remember",
    "forget",
    "notice",
    "prove",
    "demonstrate",
    "acknowledge",
];

/// Verbs of wanting and intending: their subject's aim is their infinitive complement
/// ("Velmar wants to meet the envoy").
const INTENTION_VERBS: &[&str] = &[
    "want",
    "plan",
    "intend",
    "seek",
    "hope",
    "vow",
    "pledge",
    "promise",
    "refuse",
    "decline",
    "threaten",
    "agree",
    "offer",
    "decide",
    "prefer",
    "like",
    "expect",
    "aim",
    "urge",
    "ask",
    "push",
    "demand",
    "wish",
    "choose",
    "propose",
    "call",
    "encourage",
    "order",
];

/// Verbs of taking a stance on something: their subject's view is about their object
/// ("The council condemned the strike").
const STANCE_VERBS: &[&str] = &[
    "criticize",
    "criticise",
    "praise",
    "support",
    "oppose",
    "deny",
    "cite",
    "mention",
    "discuss",
    "reject",
    "dismiss",
    "blame",
    "accuse",
    "denounce",
    "endorse",
    "back",
    "attack",
    "blast",
    "decry",
    "question",
    "challenge",
    "mock",
    "propose",
    "announce",
    "describe",
    "defend",
    "welcome",
    "condemn",
    "applaud",
    "slam",
    "accept",
    "dispute",
    "acknowledge",
    "admit",
    "confirm",
    "predict",
    "recommend",
    "advocate",
    "favor",
    "favour",
    "like",
    "dislike",
    "hate",
    "love",
    "trust",
    "fear",
    "want",
    "express",
    "invoke",
    "highlight",
    "emphasize",
    "emphasise",
    "stress",
    "promise",
    "demand",
    "request",
    "report",
    "reveal",
];

/// Verbs of saying whose direct object is what was said ("said the same of Vell", "wrote an
/// open letter", "repeated the claim"); "tell" and "ask" are out (their object is the
/// listener).
const SAYING_OBJECT: &[&str] = &["say", "write", "repeat", "shout", "whisper", "utter"];

/// What a verb's complement says about its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complement {
    /// A clause ("said that ...", "believes ...").
    Clause,
    /// An infinitive ("wants to ...").
    Infinitive,
    /// A direct object ("condemned the strike").
    Object,
}

fn base_in(word: &str, list: &'static [&'static str]) -> Option<&'static str> {
    let lower = word.to_lowercase();
    if let Some((_, base)) = IRREGULAR.iter().find(|(f, _)| *f == lower)
        && list.contains(base)
    {
        return list.iter().copied().find(|b| b == base);
    }
    list.iter()
        .copied()
        .find(|base| inflections(base).contains(&lower))
}

/// The base form of a verb of saying, if `word` (any case, any inflection) is one.
pub fn speech_verb(word: &str) -> Option<&'static str> {
    base_in(word, SPEECH_VERBS)
}

/// Whether `word` (any inflection) attributes its complement of that kind to its subject:
/// verbs of saying and believing take clauses, of intending infinitives, of stance objects.
pub fn attributes(word: &str, complement: Complement) -> bool {
    match complement {
        Complement::Clause => speech_verb(word).is_some() || base_in(word, BELIEF_VERBS).is_some(),
        Complement::Infinitive => base_in(word, INTENTION_VERBS).is_some(),
        Complement::Object => {
            base_in(word, STANCE_VERBS).is_some() || base_in(word, SAYING_OBJECT).is_some()
        }
    }
}

/// The team lexicon's classes a verb (any inflection) belongs to, for the attribution
/// filter's features: a rare cue lemma shares its class's weight with the frequent ones.
pub fn verb_classes(word: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (name, list) in [
        ("speech", SPEECH_VERBS),
        ("belief", BELIEF_VERBS),
        ("intention", INTENTION_VERBS),
        ("stance", STANCE_VERBS),
        ("saying_object", SAYING_OBJECT),
        ("needs_clause", NEEDS_CLAUSE),
        ("naming", NAMING_VERBS),
    ] {
        if base_in(word, list).is_some() {
            out.push(name);
        }
    }
    out
}

/// Nouns naming people, groups or sources that hold views ("officials", "the poll").
const HOLDER_NOUNS: &[&str] = &[
    "official",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "critic",
    "voter",
    "leader",
    "aide",
    "supporter",
    "analyst",
    "expert",
    "source",
    "resident",
    "minister",
    "president",
    "lawmaker",
    "senator",
    "candidate",
    "people",
    "protester",
    "activist",
    "reporter",
    "witness",
    "police",
    "authorities",
    "government",
    "administration",
    "campaign",
    "poll",
    "survey",
    "report",
    "study",
    "statement",
    "committee",
    "party",
    "democrat",
    "republican",
    "member",
    "group",
    "man",
    "woman",
    "men",
    "women",
    "family",
    "parent",
    "student",
    "team",
    "staff",
    "council",
    "court",
    "judge",
    "prosecutor",
    "lawyer",
    "attorney",
    "agency",
    "ministry",
    "army",
    "military",
    "company",
    "firm",
    "office",
    "board",
    "union",
    "coalition",
    "majority",
    "minority",
    "many",
    "most",
    "some",
    "others",
    "everyone",
    "nobody",
    "public",
    "americans",
    "diplomat",
    "envoy",
    "negotiator",
    "delegation",
    "side",
    "kremlin",
    "capital",
    "newspaper",
    "paper",
    "network",
    "outlet",
    "organization",
    "organisation",
    "commission",
    // Shares of a poll's respondents ("19 percent of voters", "a plurality").
    "percent",
    "half",
    "third",
    "quarter",
    "three-quarters",
    "two-thirds",
    "plurality",
];

/// Nouns of a statement someone issues or delivers: a participle or relative clause on one
/// ("released a statement saying ...") reports its issuer's words.
const STATEMENT_NOUNS: &[&str] = &[
    "statement",
    "letter",
    "email",
    "e-mail",
    "tweet",
    "message",
    "memo",
    "release",
    "speech",
    "video",
    "note",
    "post",
    "op-ed",
    "essay",
    "column",
    "editorial",
    "ad",
    "advertisement",
];

/// Whether `word` (singular or plural) names a statement someone issues (see
/// [`STATEMENT_NOUNS`]).
pub fn names_statement(word: &str) -> bool {
    let w = word.to_lowercase();
    STATEMENT_NOUNS.contains(&w.as_str())
        || w.strip_suffix('s')
            .is_some_and(|s| STATEMENT_NOUNS.contains(&s))
}

/// Whether a subject's head word can hold a view: a pronoun, a person or source noun, or a
/// noun of an agent (-er, -or, -ist, -ian: "workers", "economists", "politicians"). Names
/// are judged by entity resolution, not here.
pub fn names_holder(head: &str) -> bool {
    let w = head
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if matches!(
        w.as_str(),
        "he" | "she" | "they" | "i" | "we" | "you" | "who" | "which" | "that"
    ) {
        return true;
    }
    let singular = w.strip_suffix('s').unwrap_or(&w);
    HOLDER_NOUNS.contains(&w.as_str())
        || HOLDER_NOUNS.contains(&singular)
        || ["er", "or", "ist", "ian", "ers", "ors", "ists", "ians"]
            .iter()
            .any(|s| w.ends_with(s) && w.len() > s.len() + 3)
}

/// Verbs whose prepositional object is what their subject says, asks for or takes a stance
/// on ("Velmar spoke about the ferry", "the union called for a strike", "Oren pointed to the
/// figures"), by base form and preposition.
const PREPOSITION_CUES: &[(&str, &[&str])] = &[
    ("talk", &["about"]),
    ("speak", &["about", "of", "against", "on", "out"]),
    ("write", &["about", "of"]),
    ("comment", &["on", "about"]),
    ("complain", &["about", "of"]),
    ("joke", &["about"]),
    ("boast", &["about", "of"]),
    ("brag", &["about"]),
    ("speculate", &["about", "on"]),
    ("testify", &["about", "to", "against"]),
    ("tweet", &["about"]),
    ("post", &["about"]),
    ("warn", &["about", "of", "against"]),
    ("worry", &["about"]),
    ("ask", &["about", "for"]),
    ("inquire", &["about"]),
    ("argue", &["for", "against", "about"]),
    ("care", &["about"]),
    ("muse", &["about", "on"]),
    ("rant", &["about", "against"]),
    ("call", &["for", "on"]),
    ("push", &["for"]),
    ("press", &["for"]),
    ("advocate", &["for"]),
    ("lobby", &["for", "against"]),
    ("campaign", &["for", "against", "on"]),
    ("plead", &["for"]),
    ("apologize", &["for"]),
    ("apologise", &["for"]),
    ("refer", &["to"]),
    ("point", &["to"]),
    ("allude", &["to"]),
    ("object", &["to"]),
    ("respond", &["to"]),
    ("react", &["to"]),
    ("insist", &["on"]),
    ("elaborate", &["on"]),
    ("harp", &["on"]),
    ("dwell", &["on"]),
    ("touch", &["on"]),
    ("remark", &["on", "about"]),
    ("opine", &["on", "about"]),
    ("reflect", &["on"]),
    ("weigh", &["on"]),
    ("agree", &["with", "on"]),
    ("disagree", &["with", "on"]),
    ("side", &["with"]),
    ("rail", &["against"]),
    ("protest", &["against"]),
    ("caution", &["against"]),
    ("hint", &["at"]),
    ("balk", &["at"]),
    ("scoff", &["at"]),
    ("lash", &["at"]),
    ("believe", &["in"]),
    ("dream", &["of", "about"]),
    ("think", &["about", "of"]),
];

/// Whether a verb (base form, lower case) reports what its object of `preposition` is about.
pub fn preposition_cue(base: &str, preposition: &str) -> bool {
    let prep = preposition.to_lowercase();
    PREPOSITION_CUES
        .iter()
        .any(|(v, preps)| *v == base && preps.contains(&prep.as_str()))
}

/// Nouns of saying and stance whose prepositional object is the content, held by their
/// possessor when there is one ("Marlo's criticism of the plan", "calls for a recount").
const NOUN_CUES: &[(&str, &[&str])] = &[
    ("criticism", &["of"]),
    ("support", &["for", "of"]),
    ("endorsement", &["of"]),
    ("call", &["for"]),
    ("question", &["about"]),
    ("accusation", &["of"]),
    ("allegation", &["of"]),
    ("concern", &["about", "over"]),
    ("complaint", &["about"]),
    ("praise", &["for", "of"]),
    ("request", &["for"]),
    ("demand", &["for"]),
    ("warning", &["about", "of", "against"]),
    ("defense", &["of"]),
    ("defence", &["of"]),
    ("denunciation", &["of"]),
    ("condemnation", &["of"]),
    ("rejection", &["of"]),
    ("embrace", &["of"]),
    ("view", &["of", "on"]),
    ("remark", &["about", "on"]),
    ("comment", &["about", "on"]),
];

/// Whether a noun (lemma, lower case) with an object of `preposition` attributes that object.
pub fn noun_cue(lemma: &str, preposition: &str) -> bool {
    let prep = preposition.to_lowercase();
    NOUN_CUES
        .iter()
        .any(|(n, preps)| *n == lemma && preps.contains(&prep.as_str()))
}

/// Adjectives of stance and feeling whose prepositional object is what their subject holds a
/// view of ("the union is critical of the plan", "voters are unhappy with the council"), by
/// adjective and preposition.
const ADJECTIVE_CUES: &[(&str, &[&str])] = &[
    ("critical", &["of"]),
    ("supportive", &["of"]),
    ("skeptical", &["of", "about"]),
    ("sceptical", &["of", "about"]),
    ("wary", &["of"]),
    ("proud", &["of"]),
    ("fond", &["of"]),
    ("tired", &["of"]),
    ("appreciative", &["of"]),
    ("suspicious", &["of"]),
    ("dismissive", &["of"]),
    ("concerned", &["about", "over", "with"]),
    ("worried", &["about", "over"]),
    ("optimistic", &["about"]),
    ("pessimistic", &["about"]),
    ("confident", &["of", "in", "about"]),
    ("nervous", &["about"]),
    ("angry", &["about", "at", "over", "with"]),
    ("furious", &["about", "at", "over", "with"]),
    ("upset", &["about", "over", "with"]),
    ("happy", &["with", "about"]),
    ("unhappy", &["with", "about"]),
    ("satisfied", &["with"]),
    ("dissatisfied", &["with"]),
    ("frustrated", &["with", "by"]),
    ("disappointed", &["with", "in", "by"]),
    ("pleased", &["with", "by"]),
    ("impressed", &["by", "with"]),
    ("opposed", &["to"]),
    ("hostile", &["to", "toward", "towards"]),
    ("sympathetic", &["to", "toward", "towards"]),
    ("open", &["to"]),
    ("receptive", &["to"]),
    ("unsure", &["about", "of"]),
    ("sure", &["about", "of"]),
    ("enthusiastic", &["about"]),
    ("excited", &["about"]),
    ("uncomfortable", &["with", "about"]),
    ("comfortable", &["with"]),
    ("grateful", &["for", "to"]),
    ("thankful", &["for"]),
    ("favorable", &["to", "toward", "towards"]),
    ("ambivalent", &["about"]),
];

/// Adjectives whose complement clause is what their subject holds ("the mayor is confident
/// the bridge will open").
const ADJECTIVE_CLAUSES: &[&str] = &[
    "sure",
    "certain",
    "confident",
    "convinced",
    "optimistic",
    "hopeful",
    "concerned",
    "worried",
    "aware",
    "afraid",
    "adamant",
    "unsure",
    "skeptical",
    "sceptical",
];

/// Whether an adjective (lower case) with an object of `preposition` attributes that object
/// to the subject of its clause.
pub fn adjective_cue(adjective: &str, preposition: &str) -> bool {
    let prep = preposition.to_lowercase();
    ADJECTIVE_CUES
        .iter()
        .any(|(a, preps)| *a == adjective && preps.contains(&prep.as_str()))
}

/// Whether an adjective (lower case) attributes its complement clause to its subject.
pub fn adjective_clause(adjective: &str) -> bool {
    ADJECTIVE_CLAUSES.contains(&adjective)
}

/// Verbs by which a poll, study or document gives its findings ("the poll shows Vell ahead",
/// "the audit found that ..."): attributions only when their subject is such a source
/// ([`names_source`]).
pub fn evidence_verb(base: &str) -> bool {
    matches!(
        base,
        "show" | "find" | "indicate" | "reveal" | "suggest" | "put"
    )
}

/// Whether a subject's head word is a poll, study, record or document.
pub fn names_source(head: &str) -> bool {
    let w = head.to_lowercase();
    let singular = w.strip_suffix('s').unwrap_or(&w);
    matches!(
        singular,
        "poll"
            | "survey"
            | "study"
            | "report"
            | "data"
            | "record"
            | "document"
            | "result"
            | "figure"
            | "number"
            | "file"
            | "email"
            | "analysis"
            | "research"
            | "review"
            | "investigation"
            | "audit"
            | "tally"
            | "count"
            | "estimate"
            | "filing"
            | "memo"
    ) || w == "studies"
}

/// Verbs of telling whose object is the one told, not part of what was said ("told reporters
/// that ...", "assured voters the plan was safe"): a reported clause after the object starts
/// without it.
pub fn addressee_verb(base: &str) -> bool {
    matches!(
        base,
        "tell"
            | "inform"
            | "assure"
            | "reassure"
            | "remind"
            | "warn"
            | "promise"
            | "notify"
            | "advise"
            | "caution"
            | "convince"
            | "persuade"
            | "ask"
            | "brief"
            | "teach"
            | "write"
            | "email"
            | "text"
    )
}

/// Verbs of viewing whose object, with an "as" phrase, is what their subject thinks of it
/// ("sees the mayor as a friend", "regards the deal as final").
pub fn viewing_verb(base: &str) -> bool {
    matches!(base, "see" | "view" | "regard" | "consider")
}

/// The verb of seeming ("the talks seem to be over"; "appear" is more often "appeared on
/// television" or "appeared to" said of a thing, and is left out): what follows is the writer's report of how
/// things look, an attribution with no named source.
pub fn seeming_verb(base: &str) -> bool {
    base == "seem"
}

/// Verbs whose object is described or judged by a following "of", "for" or "as" phrase that
/// belongs with it ("accused the mayor of lying", "described the deal as a trap").
pub fn object_with_phrase(base: &str, preposition: &str) -> bool {
    let prep = preposition.to_lowercase();
    match prep.as_str() {
        // "said the same of Vell": what was said of whom.
        "of" => matches!(base, "accuse" | "convince" | "warn" | "suspect" | "say"),
        "for" => matches!(
            base,
            "blame"
                | "praise"
                | "criticize"
                | "criticise"
                | "thank"
                | "credit"
                | "fault"
                | "slam"
                | "attack"
                | "commend"
                | "applaud"
                | "condemn"
                | "blast"
                | "congratulate"
                | "mock"
                | "chide"
                | "scold"
        ),
        "as" => matches!(
            base,
            "describe"
                | "label"
                | "brand"
                | "portray"
                | "depict"
                | "dismiss"
                | "see"
                | "cast"
                | "characterize"
                | "characterise"
                | "view"
                | "paint"
                | "regard"
                | "tout"
        ),
        _ => false,
    }
}

/// Verbs of naming and judging that make something of their object ("called the mayor a
/// coward", "considers the plan reckless", "declared the vote void").
const NAMING_VERBS: &[&str] = &[
    "call",
    "dub",
    "label",
    "brand",
    "term",
    "deem",
    "consider",
    "declare",
    "pronounce",
];

/// Whether `base` (a lemma) names or judges its object with a predicate.
pub fn naming_verb(base: &str) -> bool {
    NAMING_VERBS.contains(&base)
}

/// Whether `base` (a lemma) names a poll or study whose findings "in" introduces ("in the
/// latest poll, ...").
pub fn names_poll(base: &str) -> bool {
    matches!(base, "poll" | "survey" | "study")
}

/// Whether the verb only reports speech with a clause or quotation as complement.
pub fn needs_clause(base: &str) -> bool {
    NEEDS_CLAUSE.contains(&base)
}

/// Regular inflections of a base form: base, -s, -ed, -ing (with English spelling rules).
fn inflections(base: &str) -> [String; 4] {
    let s = if base.ends_with(['s', 'x', 'z']) || base.ends_with("sh") || base.ends_with("ch") {
        format!("{base}es")
    } else if let Some(stem) = consonant_y(base) {
        format!("{stem}ies")
    } else {
        format!("{base}s")
    };
    let ed = if base.ends_with('e') {
        format!("{base}d")
    } else if let Some(stem) = consonant_y(base) {
        format!("{stem}ied")
    } else if doubles_final(base) {
        format!("{base}{}ed", &base[base.len() - 1..])
    } else {
        format!("{base}ed")
    };
    let ing = if let Some(stem) = base.strip_suffix("ie") {
        format!("{stem}ying")
    } else if base.ends_with('e') && !base.ends_with("ee") {
        format!("{}ing", &base[..base.len() - 1])
    } else if doubles_final(base) {
        format!("{base}{}ing", &base[base.len() - 1..])
    } else {
        format!("{base}ing")
    };
    [base.to_string(), s, ed, ing]
}

/// "deny" -> "den": a final y after a consonant.
fn consonant_y(base: &str) -> Option<&str> {
    let stem = base.strip_suffix('y')?;
    let last = stem.chars().last()?;
    (!"aeiou".contains(last)).then_some(stem)
}

/// One-syllable verbs ending consonant-vowel-consonant double it ("quip" -> "quipped").
fn doubles_final(base: &str) -> bool {
    matches!(base, "quip" | "admit" | "commit" | "vow" | "stop")
        && !base.ends_with('w')
        && !base.ends_with('x')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_map_to_their_base() {
        for (form, base) in [
            ("said", "say"),
            ("Says", "say"),
            ("saying", "say"),
            ("told", "tell"),
            ("denied", "deny"),
            ("denies", "deny"),
            ("emphasized", "emphasize"),
            ("warning", "warn"),
            ("wrote", "write"),
            ("writes", "write"),
            ("quipped", "quip"),
            ("admitted", "admit"),
            ("stressed", "stress"),
            ("stresses", "stress"),
            ("vowed", "vow"),
        ] {
            assert_eq!(speech_verb(form), Some(base), "{form}");
        }
        for word in ["sand", "tale", "met", "hearing", "walked"] {
            assert_eq!(speech_verb(word), None, "{word}");
        }
        assert!(attributes("thought", Complement::Clause));
        assert!(attributes("sought", Complement::Infinitive));
        assert!(attributes("condemned", Complement::Object));
        assert!(!attributes("told", Complement::Object));
        assert!(!attributes("walked", Complement::Clause));
    }

    #[test]
    fn holders_are_people_groups_and_sources() {
        for w in ["officials", "She", "economists", "workers", "poll", "who"] {
            assert!(names_holder(w), "{w}");
        }
        for w in ["signs", "timing", "rights", "use", "promises"] {
            assert!(!names_holder(w), "{w}");
        }
    }
}
