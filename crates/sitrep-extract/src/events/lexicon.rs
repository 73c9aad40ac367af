//! The event-trigger lexicon (`data/event-triggers.tsv`): which words name which political event,
//! with its PLOVER type, CAMEO code and mode, and the CAMEO-to-quad-class mapping.

use std::collections::HashMap;
use std::sync::LazyLock;

use sitrep_model::QuadClass;

const TRIGGERS: &str = include_str!("../../data/event-triggers.tsv");

/// What a trigger word means: the event it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// PLOVER type ("ASSAULT"), or the extensions "STATEMENT" and "APPEAL".
    pub kind: &'static str,
    /// CAMEO code, two to four digits ("190", "0841").
    pub cameo: &'static str,
    /// PLOVER mode ("visit", "phone", "explosives"), if the word gives one.
    pub mode: Option<&'static str>,
}

impl Frame {
    /// The CAMEO root: the code's first two digits.
    pub fn cameo_root(&self) -> &'static str {
        &self.cameo[..2]
    }

    pub fn quad_class(&self) -> QuadClass {
        quad_class(self.cameo_root())
    }
}

/// The quad class of a CAMEO root ("01" statement; "02"-"05" verbal cooperation; "06"-"08"
/// material cooperation; "09"-"13" verbal conflict; "14"-"20" material conflict).
pub fn quad_class(root: &str) -> QuadClass {
    match root.parse::<u32>().unwrap_or(1) {
        0 | 1 => QuadClass::Statement,
        2..=5 => QuadClass::VerbalCooperation,
        6..=8 => QuadClass::MaterialCooperation,
        9..=13 => QuadClass::VerbalConflict,
        _ => QuadClass::MaterialConflict,
    }
}

/// The five-way class used by Phoenix-style coders and ConfliBERT's CAMEO data: 0 neutral
/// (01 statements and 02 appeals), 1 verbal cooperation (03-05), 2 material cooperation (06-08),
/// 3 verbal conflict (09-13 and 16, reducing relations: sanctions, expulsions, aid cut off) and 4
/// material conflict (14, 15, 17-20).
pub fn penta_class(root: &str) -> usize {
    match root.parse::<u32>().unwrap_or(1) {
        0..=2 => 0,
        3..=5 => 1,
        6..=8 => 2,
        9..=13 | 16 => 3,
        _ => 4,
    }
}

/// The lexicon, read once from the team's data file.
pub struct Lexicon {
    /// Verb lemma -> (particle or preposition that must be a dependent, if any; frame). Patterns
    /// with a particle come first.
    verbs: HashMap<&'static str, Vec<(Option<&'static str>, Frame)>>,
    nouns: HashMap<&'static str, Frame>,
}

pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(TRIGGERS));

impl Lexicon {
    fn parse(text: &'static str) -> Lexicon {
        let mut verbs: HashMap<&'static str, Vec<(Option<&'static str>, Frame)>> = HashMap::new();
        let mut nouns = HashMap::new();
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&'static str> = line.split('\t').collect();
            let [pattern, kind, cameo, mode] = cols[..] else {
                continue;
            };
            if cameo.len() < 2 || !cameo.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let frame = Frame {
                kind,
                cameo,
                mode: (mode != "-").then_some(mode),
            };
            if let Some(noun) = pattern.strip_prefix("n:") {
                nouns.entry(noun).or_insert(frame);
                continue;
            }
            let mut words = pattern.splitn(2, ' ');
            let Some(verb) = words.next() else { continue };
            let particle = words.next();
            let entry = verbs.entry(verb).or_default();
            if entry.iter().any(|(p, _)| *p == particle) {
                continue; // the first line for a pattern wins
            }
            entry.push((particle, frame));
            entry.sort_by_key(|(p, _)| p.is_none());
        }
        Lexicon { verbs, nouns }
    }

    /// The frame of verb `lemma` whose dependents' words (lowercase) are `deps`: a pattern
    /// whose particle is among them, else the bare verb's. A pattern's second word may be
    /// `=lemma`, the lemma its direct object (or passive subject) must have ("lift =sanction");
    /// [`super::detect`] passes those as `=` and the lemma among `deps`.
    pub fn verb(&self, lemma: &str, deps: &[&str]) -> Option<&Frame> {
        let entries = self.verbs.get(lemma)?;
        entries
            .iter()
            .find(|(p, _)| match p {
                Some(p) => deps.contains(p),
                None => true,
            })
            .map(|(_, f)| f)
    }

    /// The frame of a pattern of verb `lemma` with a particle or object among `deps`, not the
    /// bare verb's ("call off" a strike, "accept =demand").
    pub fn verb_pattern(&self, lemma: &str, deps: &[&str]) -> Option<&Frame> {
        self.verbs
            .get(lemma)?
            .iter()
            .find(|(p, _)| p.is_some_and(|p| deps.contains(&p)))
            .map(|(_, f)| f)
    }

    /// Whether `lemma` has a bare-verb frame or any pattern.
    pub fn has_verb(&self, lemma: &str) -> bool {
        self.verbs.contains_key(lemma)
    }

    /// The frame of an event noun.
    pub fn noun(&self, lemma: &str) -> Option<&Frame> {
        self.nouns.get(lemma)
    }
}

/// Verbs that take an event noun as object and mean that event: "held talks", "launched an
/// attack", "imposed sanctions", "reached a deal", "paid a visit". Verbs that are events of
/// their own ("accepted a ceasefire", "demanded talks", "threatened sanctions") are not: they
/// and the noun's event are two events, the noun's one not (yet) real.
pub fn light_verb(lemma: &str) -> bool {
    matches!(
        lemma,
        "hold"
            | "launch"
            | "carry"
            | "conduct"
            | "stage"
            | "make"
            | "issue"
            | "impose"
            | "reach"
            | "strike"
            | "sign"
            | "pay"
            | "deliver"
            | "give"
            | "lodge"
            | "file"
            | "open"
            | "mount"
            | "begin"
            | "start"
            | "express"
            | "voice"
            | "extend"
            | "provide"
            | "broker"
            | "resume"
            | "conclude"
            | "order"
            | "unleash"
            | "step"
            | "intensify"
            | "escalate"
            | "continue"
            | "have"
            | "engage"
            | "join"
            | "lead"
            | "organize"
            | "organise"
            | "take"
            | "attend"
            | "declare"
    )
}

/// Verbs whose subject commits to, asks for or refuses the event in their clausal complement:
/// the complement's event is not (yet) real. Returns the modality it gets.
pub fn governs_modality(lemma: &str) -> Option<&'static str> {
    Some(match lemma {
        "propose" | "offer" | "suggest" | "plan" | "intend" | "want" | "seek" | "hope" | "wish"
        | "aim" | "prepare" | "consider" | "pledge" | "promise" | "vow" | "agree" | "try"
        | "attempt" | "expect" | "like" | "love" | "mean" | "move" | "threaten" | "volunteer"
        | "commit" | "willing" | "ready" | "prepared" | "committed" | "eager" | "determined"
        | "keen" | "poised" | "set" => "proposed",
        "urge" | "ask" | "demand" | "call" | "press" | "insist" | "appeal" | "request" | "push"
        | "order" | "need" | "require" | "force" | "pressure" | "encourage" => "demanded",
        "refuse" | "fail" | "decline" | "reject" | "deny" | "stop" | "avoid" | "resist" => {
            "negated"
        }
        "claim" | "allege" | "accuse" | "report" | "say" | "tell" | "state" | "insist_that" => {
            "claimed"
        }
        // "Russia is unlikely to accept": a guess about what may happen, not a report of it.
        "likely" | "unlikely" | "possible" | "probable" | "bound" => "hypothetical",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_win_over_the_bare_verb() {
        let call_for = LEXICON.verb("call", &["for"]).expect("call for");
        assert_eq!(call_for.kind, "APPEAL");
        let call = LEXICON.verb("call", &["him"]).expect("call");
        assert_eq!(call.kind, "CONSULT");
        assert_eq!(call.mode, Some("phone"));
        assert_eq!(
            LEXICON.verb("pull", &["out"]).map(|f| f.kind),
            Some("RETREAT")
        );
        assert_eq!(LEXICON.verb("pull", &["up"]), None);
    }

    #[test]
    fn every_line_parses_and_codes_are_consistent() {
        let lines = TRIGGERS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        let parsed: usize =
            LEXICON.verbs.values().map(Vec::len).sum::<usize>() + LEXICON.nouns.len();
        assert_eq!(parsed, lines, "a trigger line is malformed or repeated");
        const TYPES: &[&str] = &[
            "AGREE",
            "CONSULT",
            "SUPPORT",
            "CONCEDE",
            "COOPERATE",
            "AID",
            "RETREAT",
            "REQUEST",
            "ACCUSE",
            "REJECT",
            "THREATEN",
            "PROTEST",
            "SANCTION",
            "MOBILIZE",
            "COERCE",
            "ASSAULT",
            "STATEMENT",
            "APPEAL",
        ];
        for f in LEXICON
            .verbs
            .values()
            .flat_map(|v| v.iter().map(|(_, f)| f))
            .chain(LEXICON.nouns.values())
        {
            assert!(TYPES.contains(&f.kind), "unknown type {}", f.kind);
            let root: u32 = f.cameo_root().parse().expect("digits");
            assert!((1..=20).contains(&root), "bad CAMEO root {}", f.cameo);
        }
    }

    #[test]
    fn quad_classes_follow_cameo_roots() {
        assert_eq!(quad_class("01"), QuadClass::Statement);
        assert_eq!(quad_class("04"), QuadClass::VerbalCooperation);
        assert_eq!(quad_class("07"), QuadClass::MaterialCooperation);
        assert_eq!(quad_class("12"), QuadClass::VerbalConflict);
        assert_eq!(quad_class("19"), QuadClass::MaterialConflict);
    }
}
