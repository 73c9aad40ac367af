//! spaCy's `attribute_ruler` (coarse POS, morphological features and some lemmas from token
//! patterns over tags, lowercase forms and dependency labels) and the English rule-based
//! `lemmatizer` (suffix rules, exception lists and a word index per POS), read from the
//! model's `attribute_ruler/patterns` and `lemmatizer/lookups/lookups.bin`.
//!
//! As in spaCy, every pattern is matched against the tokens as the tagger and parser left
//! them, then the matches are applied in pattern order (later patterns win). The lemmatizer
//! keeps a lemma the ruler set and otherwise applies spaCy's English `rule_lemmatize`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use rmpv::Value;

use super::lex::{Lexicon, is_space};
use super::weights::map_get;
use crate::NlpError;

/// A condition on one string attribute of a token.
#[derive(Debug, Clone)]
enum StrPred {
    Eq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Regex(Regex),
}

impl StrPred {
    fn parse(v: &Value, path: &Path) -> Result<Self, NlpError> {
        if let Some(s) = v.as_str() {
            return Ok(StrPred::Eq(s.to_string()));
        }
        if let Some(list) = map_get(v, "IN").and_then(Value::as_array) {
            return Ok(StrPred::In(
                list.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ));
        }
        if let Some(list) = map_get(v, "NOT_IN").and_then(Value::as_array) {
            return Ok(StrPred::NotIn(
                list.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ));
        }
        if let Some(re) = map_get(v, "REGEX").and_then(Value::as_str) {
            let re = Regex::new(re)
                .map_err(|e| NlpError::format(path, format!("pattern regex {re:?}: {e}")))?;
            return Ok(StrPred::Regex(re));
        }
        Err(NlpError::format(
            path,
            format!("unsupported token condition {v}"),
        ))
    }

    fn test(&self, s: &str) -> bool {
        match self {
            StrPred::Eq(x) => x == s,
            StrPred::In(xs) => xs.iter().any(|x| x == s),
            StrPred::NotIn(xs) => !xs.iter().any(|x| x == s),
            StrPred::Regex(re) => re.is_match(s),
        }
    }
}

/// The conditions on one token of a pattern.
#[derive(Debug, Clone, Default)]
struct TokenPattern {
    tag: Option<StrPred>,
    lower: Option<StrPred>,
    dep: Option<StrPred>,
    is_space: Option<bool>,
}

/// Attributes a rule sets (shared strings, cloned onto each token).
#[derive(Debug, Clone, Default)]
struct Attrs {
    pos: Option<Arc<str>>,
    morph: Option<Arc<str>>,
    lemma: Option<Arc<str>>,
    tag: Option<Arc<str>>,
    dep: Option<Arc<str>>,
}

#[derive(Debug, Clone)]
struct Rule {
    patterns: Vec<Vec<TokenPattern>>,
    attrs: Attrs,
    /// Which token of the match gets the attributes (negative: from the end).
    index: i64,
}

/// One token as the ruler sees it.
#[derive(Debug, Clone, Copy)]
pub struct RulerToken<'a> {
    pub text: &'a str,
    pub tag: &'a str,
    pub dep: &'a str,
}

/// What the ruler set on a token (`None`: left as it was).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenAttrs {
    pub pos: Option<Arc<str>>,
    pub morph: Option<Arc<str>>,
    pub lemma: Option<Arc<str>>,
    pub tag: Option<Arc<str>>,
    pub dep: Option<Arc<str>>,
}

/// spaCy's `attribute_ruler`. Read-only once loaded.
#[derive(Debug, Clone)]
pub struct AttributeRuler {
    rules: Vec<Rule>,
}

impl AttributeRuler {
    /// Loads `attribute_ruler/patterns` from a pipeline folder.
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let path = model_dir.join("attribute_ruler").join("patterns");
        let bytes = crate::read_file(&path)?;
        let root = rmpv::decode::read_value(&mut &bytes[..])
            .map_err(|e| NlpError::format(&path, format!("invalid msgpack: {e}")))?;
        let list = root
            .as_array()
            .ok_or_else(|| NlpError::format(&path, "patterns are not a list"))?;
        let mut strings: HashMap<String, Arc<str>> = HashMap::new();
        let mut shared = |s: &str| -> Arc<str> {
            strings
                .entry(s.to_string())
                .or_insert_with(|| Arc::from(s))
                .clone()
        };
        let mut rules = Vec::with_capacity(list.len());
        for item in list {
            let mut patterns = Vec::new();
            for pat in map_get(item, "patterns")
                .and_then(Value::as_array)
                .ok_or_else(|| NlpError::format(&path, "rule without patterns"))?
            {
                let mut tokens = Vec::new();
                for tok in pat.as_array().map(Vec::as_slice).unwrap_or_default() {
                    let mut tp = TokenPattern::default();
                    for (k, v) in tok.as_map().map(Vec::as_slice).unwrap_or_default() {
                        match k.as_str() {
                            Some("TAG") => tp.tag = Some(StrPred::parse(v, &path)?),
                            Some("LOWER") => tp.lower = Some(StrPred::parse(v, &path)?),
                            Some("DEP") => tp.dep = Some(StrPred::parse(v, &path)?),
                            Some("IS_SPACE") => tp.is_space = v.as_bool(),
                            other => {
                                return Err(NlpError::format(
                                    &path,
                                    format!("unsupported pattern key {other:?}"),
                                ));
                            }
                        }
                    }
                    tokens.push(tp);
                }
                if !tokens.is_empty() {
                    patterns.push(tokens);
                }
            }
            let mut attrs = Attrs::default();
            for (k, v) in map_get(item, "attrs")
                .and_then(Value::as_map)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let Some(v) = v.as_str() else { continue };
                match k.as_str() {
                    Some("POS") => attrs.pos = Some(shared(v)),
                    Some("MORPH") => attrs.morph = Some(shared(if v == "_" { "" } else { v })),
                    Some("LEMMA") => attrs.lemma = Some(shared(v)),
                    Some("TAG") => attrs.tag = Some(shared(v)),
                    Some("DEP") => attrs.dep = Some(shared(v)),
                    _ => {}
                }
            }
            let index = map_get(item, "index").and_then(Value::as_i64).unwrap_or(0);
            rules.push(Rule {
                patterns,
                attrs,
                index,
            });
        }
        Ok(AttributeRuler { rules })
    }

    /// The attributes every token gets.
    pub fn apply(&self, tokens: &[RulerToken<'_>]) -> Vec<TokenAttrs> {
        let lower: Vec<String> = tokens.iter().map(|t| t.text.to_lowercase()).collect();
        let space: Vec<bool> = tokens.iter().map(|t| is_space(t.text)).collect();
        let matches_at = |p: &TokenPattern, i: usize| {
            let t = &tokens[i];
            p.tag.as_ref().is_none_or(|c| c.test(t.tag))
                && p.lower.as_ref().is_none_or(|c| c.test(&lower[i]))
                && p.dep.as_ref().is_none_or(|c| c.test(t.dep))
                && p.is_space.is_none_or(|s| s == space[i])
        };
        let mut out = vec![TokenAttrs::default(); tokens.len()];
        // Rules in order, each rule's matches left to right: later rules win (spaCy sorts the
        // matches by rule). All matching sees the tokens as they came in.
        for rule in &self.rules {
            let mut targets: Vec<usize> = Vec::new();
            for pattern in &rule.patterns {
                let len = pattern.len();
                for start in 0..tokens.len().saturating_sub(len - 1) {
                    if pattern
                        .iter()
                        .enumerate()
                        .all(|(k, p)| matches_at(p, start + k))
                    {
                        let target = if rule.index >= 0 {
                            start as i64 + rule.index
                        } else {
                            (start + len) as i64 + rule.index
                        };
                        if target >= start as i64 && target < (start + len) as i64 {
                            targets.push(target as usize);
                        }
                    }
                }
            }
            targets.sort_unstable();
            for t in targets {
                let a = &rule.attrs;
                let o = &mut out[t];
                for (dst, src) in [
                    (&mut o.pos, &a.pos),
                    (&mut o.morph, &a.morph),
                    (&mut o.lemma, &a.lemma),
                    (&mut o.tag, &a.tag),
                    (&mut o.dep, &a.dep),
                ] {
                    if src.is_some() {
                        dst.clone_from(src);
                    }
                }
            }
        }
        out
    }
}

/// spaCy's English rule-based lemmatizer. Read-only once loaded.
#[derive(Debug, Clone)]
pub struct Lemmatizer {
    /// Keyed by the string id of the lowercase POS ("noun", "verb", ...).
    index: HashMap<u64, HashSet<String>>,
    exceptions: HashMap<u64, HashMap<String, Vec<String>>>,
    rules: HashMap<u64, Vec<(String, String)>>,
    lexicon: Lexicon,
}

fn int_key(k: &Value) -> Option<u64> {
    k.as_u64()
}

impl Lemmatizer {
    /// Loads `lemmatizer/lookups/lookups.bin` from a pipeline folder.
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let path = model_dir
            .join("lemmatizer")
            .join("lookups")
            .join("lookups.bin");
        let bytes = crate::read_file(&path)?;
        let root = rmpv::decode::read_value(&mut &bytes[..])
            .map_err(|e| NlpError::format(&path, format!("invalid msgpack: {e}")))?;
        let table = |name: &str| -> Result<&Vec<(Value, Value)>, NlpError> {
            map_get(&root, name)
                .and_then(Value::as_map)
                .ok_or_else(|| NlpError::format(&path, format!("no table {name}")))
        };
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut index = HashMap::new();
        for (k, v) in table("lemma_index")? {
            if let Some(k) = int_key(k) {
                index.insert(k, strings(v).into_iter().collect());
            }
        }
        let mut exceptions = HashMap::new();
        for (k, v) in table("lemma_exc")? {
            if let Some(k) = int_key(k) {
                let map: HashMap<String, Vec<String>> = v
                    .as_map()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|(w, forms)| Some((w.as_str()?.to_string(), strings(forms))))
                    .collect();
                exceptions.insert(k, map);
            }
        }
        let mut rules = HashMap::new();
        for (k, v) in table("lemma_rules")? {
            if let Some(k) = int_key(k) {
                let pairs: Vec<(String, String)> = v
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|pair| {
                        let p = strings(pair);
                        (p.len() == 2).then(|| (p[0].clone(), p[1].clone()))
                    })
                    .collect();
                rules.insert(k, pairs);
            }
        }
        Ok(Lemmatizer {
            index,
            exceptions,
            rules,
            lexicon: Lexicon::new(),
        })
    }

    /// The lemma of a token from its text, coarse POS and morphology (spaCy's
    /// `EnglishLemmatizer.rule_lemmatize`, first form).
    pub fn lemmatize(&self, text: &str, pos: &str, morph: &str) -> String {
        let univ = pos.to_lowercase();
        if univ.is_empty() || univ == "eol" || univ == "space" {
            return text.to_lowercase();
        }
        if is_base_form(&univ, morph) {
            return text.to_lowercase();
        }
        let key = self.lexicon.string_id(&univ);
        let (index, exc, rules) = (
            self.index.get(&key),
            self.exceptions.get(&key),
            self.rules.get(&key),
        );
        let nonempty_index = index.is_some_and(|x| !x.is_empty());
        let nonempty_exc = exc.is_some_and(|x| !x.is_empty());
        let nonempty_rules = rules.is_some_and(|x| !x.is_empty());
        if !(nonempty_index || nonempty_exc || nonempty_rules) {
            return if univ == "propn" {
                text.to_string()
            } else {
                text.to_lowercase()
            };
        }
        let string = text.to_lowercase();
        let mut forms: Vec<String> = Vec::new();
        let mut oov: Vec<String> = Vec::new();
        for (old, new) in rules.map(Vec::as_slice).unwrap_or_default() {
            if let Some(stem) = string.strip_suffix(old.as_str()) {
                let form = format!("{stem}{new}");
                if form.is_empty() {
                    continue;
                }
                let alpha = form.chars().all(char::is_alphabetic);
                if index.is_some_and(|i| i.contains(&form)) || !alpha {
                    if !forms.contains(&form) {
                        forms.push(form);
                    }
                } else {
                    oov.push(form);
                }
            }
        }
        if let Some(list) = exc.and_then(|e| e.get(&string)) {
            for form in list {
                if !forms.contains(form) {
                    forms.insert(0, form.clone());
                }
            }
        }
        if forms.is_empty() {
            forms = oov;
        }
        forms.into_iter().next().unwrap_or_else(|| text.to_string())
    }
}

/// spaCy English's `is_base_form`: forms whose lemma is themselves, lowercased.
fn is_base_form(univ_pos: &str, morph: &str) -> bool {
    let feat = |name: &str| {
        morph.split('|').find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    };
    (univ_pos == "noun" && feat("Number") == Some("Sing"))
        || (univ_pos == "verb" && feat("VerbForm") == Some("Inf"))
        || (univ_pos == "verb"
            && feat("VerbForm") == Some("Fin")
            && feat("Tense") == Some("Pres")
            && feat("Number").is_none())
        || (univ_pos == "adj" && feat("Degree") == Some("Pos"))
        || feat("VerbForm") == Some("Inf")
        || feat("VerbForm") == Some("None")
        || feat("Degree") == Some("Pos")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_forms_follow_spacy_english() {
        assert!(is_base_form("noun", "Number=Sing"));
        assert!(!is_base_form("noun", "Number=Plur"));
        assert!(is_base_form("verb", "VerbForm=Inf"));
        assert!(is_base_form("verb", "Tense=Pres|VerbForm=Fin"));
        assert!(!is_base_form(
            "verb",
            "Number=Sing|Person=3|Tense=Pres|VerbForm=Fin"
        ));
        assert!(is_base_form("adj", "Degree=Pos"));
        assert!(!is_base_form("adj", "Degree=Cmp"));
    }
}
