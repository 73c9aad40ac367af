//! spaCy's rule-based tokenizer (prefixes, suffixes, infixes, special cases, URL and token
//! matches), loaded from the model's `tokenizer` file.
//!
//! The algorithm is the one of spaCy 3.8's `Tokenizer.__call__`, reimplemented:
//!
//! 1. The text is cut into runs of whitespace and non-whitespace (Python's `str.isspace`). A
//!    single `' '` after a word is not a token but sets the word's `ws` flag; any other
//!    whitespace (a second space, `\n`, a tab) becomes a token of its own.
//! 2. Each run ("chunk") is a special case (the exception table, e.g. `don't` -> `do` `n't`),
//!    or loses prefixes and suffixes one at a time (`find_prefix`/`find_suffix`) until what is
//!    left is empty, a special case, or no longer changes; what is left is kept whole if it is a
//!    URL (`url_match`/`token_match`), else split at the infixes (`find_infix`).
//! 3. Special cases that contain affix characters (`a.m.`, `:)`) can be missed by step 2; a
//!    phrase matcher over the token texts finds them and merges them back (spaCy's
//!    `_apply_special_cases`, with its `faster_heuristics` choice of which rules it checks).
//!
//! Like spaCy, the tokenizer memoises the tokens of chunks it has seen (bounded caches inside
//! the `Tokenizer`, one per concurrent caller, so threads do not contend); a chunk's tokens
//! depend on its text only, so the output never depends on what was tokenized before.
//!
//! Offsets are bytes of the input. Whitespace other than a single space after a token is kept
//! as tokens, so the tokens and their `ws` flags rebuild the text exactly.
//!
//! ```no_run
//! use sitrep_nlp::tokenizer::Tokenizer;
//!
//! let tokenizer = Tokenizer::load(&sitrep_nlp::default_model_dir())?;
//! let text = "Sen. Kroll (D-Ore.) didn't comment.";
//! let tokens = tokenizer.tokenize(text);
//! let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
//! assert_eq!(words, ["Sen.", "Kroll", "(", "D", "-", "Ore.", ")", "did", "n't", "comment", "."]);
//! assert_eq!(tokens[5].norm.as_deref(), Some("Oregon"));
//! assert_eq!(tokens[8].norm.as_deref(), Some("not"));
//! # Ok::<(), sitrep_nlp::NlpError>(())
//! ```

mod pyregex;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

use rmpv::Value;

use crate::{NlpError, read_file};
use pyregex::PyRegex;

/// spaCy's attribute ids in the exception table.
const ATTR_ORTH: u64 = 65;
const ATTR_NORM: u64 = 67;

/// One token: a byte range of the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Whether the token is followed by a single space that is not itself a token.
    pub ws: bool,
    /// The NORM the exception table gives this token (`n't` -> `not`), when it came from a
    /// special case that has one.
    pub norm: Option<Arc<str>>,
}

impl Token {
    /// The token's text.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// One token of a special case.
#[derive(Debug)]
struct Piece {
    len: usize,
    norm: Option<Arc<str>>,
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Chunks one workspace's cache holds; a full cache stops learning, as spaCy's does.
const CACHE_CAPACITY: usize = 32_768;
/// Longer chunks are not cached (they rarely repeat, and would make the cache large).
const CACHE_MAX_CHUNK: usize = 64;

/// The token texts of a matcher pattern after its first token.
type PatternTail = Box<[Box<str>]>;

/// spaCy's English tokenizer, with its rules compiled once. `Send + Sync`, no global state.
pub struct Tokenizer {
    prefix: Option<PyRegex>,
    suffix: Option<PyRegex>,
    infix: Option<PyRegex>,
    token_match: Option<PyRegex>,
    url_match: Option<PyRegex>,
    /// The exception table: chunk text -> its tokens.
    specials: FxMap<Box<str>, Box<[Piece]>>,
    /// Length in bytes of the longest special case (longer strings skip the lookup).
    max_special_len: usize,
    /// The special-case matcher: first token text -> the texts of the following tokens.
    matcher: FxMap<Box<str>, Vec<PatternTail>>,
    /// Idle workspaces; a call takes one (or makes one) and gives it back, so concurrent
    /// calls never share one and a chunk lookup takes no lock.
    workspaces: Mutex<Vec<Scratch>>,
}

/// Buffers reused across chunks, and the memo of chunk text -> tokens (spaCy's `_cache`):
/// a chunk's tokens depend on its text only, so the memo changes speed, never output.
#[derive(Default)]
struct Scratch {
    suffixes: Vec<(usize, usize)>,
    infixes: Vec<(usize, usize)>,
    cache: FxMap<Box<str>, Box<[Piece]>>,
}

impl Tokenizer {
    /// Loads `model_dir/tokenizer` (spaCy's msgpack serialisation of the tokenizer).
    pub fn load(model_dir: &Path) -> Result<Tokenizer, NlpError> {
        let path = model_dir.join("tokenizer");
        let bytes = read_file(&path)?;
        Tokenizer::from_bytes(&bytes).map_err(|reason| NlpError::format(&path, reason))
    }

    /// Builds the tokenizer from the bytes of a spaCy `tokenizer` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tokenizer, String> {
        let value = rmpv::decode::read_value(&mut &bytes[..]).map_err(|e| e.to_string())?;
        let map = value.as_map().ok_or("top level is not a map")?;
        let field = |name: &str| {
            map.iter()
                .find(|(k, _)| k.as_str() == Some(name))
                .map(|(_, v)| v)
        };
        let regex = |name: &str| -> Result<Option<PyRegex>, String> {
            match field(name).and_then(Value::as_str) {
                Some(pattern) => PyRegex::new(pattern)
                    .map(Some)
                    .map_err(|e| format!("{name}: {e}")),
                None => Ok(None),
            }
        };
        let faster_heuristics = field("faster_heuristics")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let mut tokenizer = Tokenizer {
            prefix: regex("prefix_search")?,
            suffix: regex("suffix_search")?,
            infix: regex("infix_finditer")?,
            token_match: regex("token_match")?,
            url_match: regex("url_match")?,
            specials: FxMap::default(),
            max_special_len: 0,
            matcher: FxMap::default(),
            workspaces: Mutex::default(),
        };
        if let Some(exceptions) = field("exceptions") {
            let exceptions = exceptions.as_map().ok_or("exceptions is not a map")?;
            for (key, pieces) in exceptions {
                let key = key.as_str().ok_or("exception key is not a string")?;
                let pieces = parse_pieces(key, pieces)?;
                tokenizer.max_special_len = tokenizer.max_special_len.max(key.len());
                tokenizer.specials.insert(key.into(), pieces);
            }
        }
        // Which special cases the matcher looks for, as spaCy's `add_special_case` decides;
        // each pattern is the rule's text tokenized without special cases.
        let mut keys: Vec<&str> = tokenizer.specials.keys().map(|k| &**k).collect();
        keys.sort_unstable();
        let mut matcher: FxMap<Box<str>, Vec<PatternTail>> = FxMap::default();
        let mut toks = Vec::new();
        let mut scratch = Scratch::default();
        for key in keys {
            let checked = !faster_heuristics
                || tokenizer.find_prefix(key) > 0
                || tokenizer.has_infix(key, &mut scratch.infixes)
                || tokenizer.find_suffix(key) > 0
                || key.contains(' ');
            if !checked {
                continue;
            }
            toks.clear();
            tokenizer.tokenize_affixes(key, false, &mut toks, &mut scratch);
            let Some((first, rest)) = toks.split_first() else {
                continue;
            };
            let rest: PatternTail = rest.iter().map(|t| t.text(key).into()).collect();
            let entry = matcher.entry(first.text(key).into()).or_default();
            if !entry.contains(&rest) {
                entry.push(rest);
            }
        }
        tokenizer.matcher = matcher;
        Ok(tokenizer)
    }

    /// Tokenizes `text`; the tokens cover every non-space byte, in order.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::with_capacity(text.len() / 5 + 1);
        let idle = self.workspaces.lock().ok().and_then(|mut idle| idle.pop());
        let mut scratch = idle.unwrap_or_default();
        self.tokenize_affixes(text, true, &mut out, &mut scratch);
        if let Ok(mut idle) = self.workspaces.lock() {
            idle.push(scratch);
        }
        self.apply_special_cases(text, &mut out);
        out
    }

    /// The special case whose text is exactly `s`.
    fn special(&self, s: &str) -> Option<&[Piece]> {
        if s.len() > self.max_special_len {
            return None;
        }
        self.specials.get(s).map(|p| &**p)
    }

    fn find_prefix(&self, s: &str) -> usize {
        self.prefix
            .as_ref()
            .and_then(|r| r.search_at(s, 0))
            .map_or(0, |(a, b)| b - a)
    }

    fn find_suffix(&self, s: &str) -> usize {
        self.suffix
            .as_ref()
            .and_then(|r| r.search_at(s, 0))
            .map_or(0, |(a, b)| b - a)
    }

    fn has_infix(&self, s: &str, buf: &mut Vec<(usize, usize)>) -> bool {
        buf.clear();
        if let Some(infix) = &self.infix {
            infix.find_iter(s, buf);
        }
        !buf.is_empty()
    }

    fn is_url_or_token(&self, s: &str) -> bool {
        self.token_match
            .as_ref()
            .is_some_and(|r| r.matches_at_start(s))
            || self
                .url_match
                .as_ref()
                .is_some_and(|r| r.matches_at_start(s))
    }

    /// spaCy's `_tokenize_affixes`: whitespace splitting, then each chunk.
    fn tokenize_affixes(
        &self,
        text: &str,
        specials: bool,
        out: &mut Vec<Token>,
        scratch: &mut Scratch,
    ) {
        let Some(first) = text.chars().next() else {
            return;
        };
        let mut in_ws = is_py_space(first);
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if is_py_space(c) != in_ws {
                if start < i {
                    self.tokenize_chunk(text, start, i, specials, out, scratch);
                }
                if c == ' ' {
                    if let Some(last) = out.last_mut() {
                        last.ws = true;
                    }
                    start = i + 1;
                } else {
                    start = i;
                }
                in_ws = !in_ws;
            }
        }
        if start < text.len() {
            self.tokenize_chunk(text, start, text.len(), specials, out, scratch);
        }
    }

    /// One whitespace-delimited chunk `text[start..end]`: spaCy's `_split_affixes` and
    /// `_attach_tokens`.
    fn tokenize_chunk(
        &self,
        text: &str,
        start: usize,
        end: usize,
        specials: bool,
        out: &mut Vec<Token>,
        scratch: &mut Scratch,
    ) {
        if specials && let Some(pieces) = self.special(&text[start..end]) {
            push_pieces(pieces, start, out);
            return;
        }
        // Only real tokenization (with special cases) fills the cache.
        if !specials || end - start > CACHE_MAX_CHUNK {
            self.split_chunk(text, start, end, specials, out, scratch);
        } else if let Some(pieces) = scratch.cache.get(&text[start..end]) {
            push_pieces(pieces, start, out);
        } else {
            let first = out.len();
            self.split_chunk(text, start, end, specials, out, scratch);
            if scratch.cache.len() < CACHE_CAPACITY {
                let pieces = out[first..].iter().map(|t| Piece {
                    len: t.end - t.start,
                    norm: t.norm.clone(),
                });
                scratch
                    .cache
                    .insert(text[start..end].into(), pieces.collect());
            }
        }
    }

    /// A chunk that is not a special case: spaCy's `_split_affixes` and `_attach_tokens`.
    fn split_chunk(
        &self,
        text: &str,
        start: usize,
        end: usize,
        specials: bool,
        out: &mut Vec<Token>,
        scratch: &mut Scratch,
    ) {
        let (mut a, mut b) = (start, end);
        let suffixes = &mut scratch.suffixes;
        suffixes.clear();
        let mut last_len = 0;
        while a < b && b - a != last_len {
            let cur = &text[a..b];
            if self
                .token_match
                .as_ref()
                .is_some_and(|r| r.matches_at_start(cur))
            {
                break;
            }
            if specials && self.special(cur).is_some() {
                break;
            }
            last_len = b - a;
            let pre = self.find_prefix(cur);
            if pre != 0 && specials && a + pre < b && self.special(&text[a + pre..b]).is_some() {
                out.push(plain(a, a + pre));
                a += pre;
                break;
            }
            let suf = self.find_suffix(&text[a + pre..b]);
            if suf != 0 && specials && a < b - suf && self.special(&text[a..b - suf]).is_some() {
                suffixes.push((b - suf, b));
                b -= suf;
                break;
            }
            if pre != 0 && suf != 0 && pre + suf <= b - a {
                out.push(plain(a, a + pre));
                suffixes.push((b - suf, b));
                a += pre;
                b -= suf;
            } else if pre != 0 {
                out.push(plain(a, a + pre));
                a += pre;
            } else if suf != 0 {
                suffixes.push((b - suf, b));
                b -= suf;
            }
        }
        if a < b {
            let core = &text[a..b];
            if let Some(pieces) = self.special(core).filter(|_| specials) {
                push_pieces(pieces, a, out);
            } else if self.is_url_or_token(core) || !self.has_infix(core, &mut scratch.infixes) {
                out.push(plain(a, b));
            } else {
                // Split at the infixes; a match at the very start is ignored, as in spaCy.
                let mut from = 0;
                for &(ms, me) in &scratch.infixes {
                    if ms == 0 {
                        continue;
                    }
                    if ms != from {
                        out.push(plain(a + from, a + ms));
                    }
                    if ms != me {
                        out.push(plain(a + ms, a + me));
                    }
                    from = me;
                }
                if a + from < b {
                    out.push(plain(a + from, b));
                }
            }
        }
        out.extend(scratch.suffixes.iter().rev().map(|&(s, e)| plain(s, e)));
    }

    /// spaCy's `_apply_special_cases`: finds the matcher's token sequences, keeps the longest
    /// (then leftmost) non-clashing ones, and replaces those whose text is a special case.
    fn apply_special_cases(&self, text: &str, toks: &mut Vec<Token>) {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            let Some(patterns) = self.matcher.get(tok.text(text)) else {
                continue;
            };
            for rest in patterns {
                let end = i + 1 + rest.len();
                if end <= toks.len()
                    && rest
                        .iter()
                        .zip(&toks[i + 1..end])
                        .all(|(r, t)| **r == *t.text(text))
                {
                    found.push((i, end));
                }
            }
        }
        if found.is_empty() {
            return;
        }
        // Longest first, then leftmost; a span is kept unless its first or last token was
        // covered by a span seen before (spaCy checks only the two ends).
        found.sort_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
        let mut seen = vec![false; toks.len()];
        let mut replace: Vec<(usize, usize, &[Piece])> = Vec::new();
        for &(s, e) in &found {
            if !seen[s] && !seen[e - 1] {
                let span = &text[toks[s].start..toks[e - 1].end];
                if let Some(pieces) = self.special(span) {
                    replace.push((s, e, pieces));
                }
            }
            seen[s..e].iter_mut().for_each(|x| *x = true);
        }
        if replace.is_empty() {
            return;
        }
        replace.sort_unstable_by_key(|r| r.0);
        let old = std::mem::take(toks);
        let mut next = replace.into_iter().peekable();
        let mut i = 0;
        while i < old.len() {
            match next.peek() {
                Some(&(s, e, pieces)) if s == i => {
                    let ws = old[e - 1].ws;
                    push_pieces(pieces, old[s].start, toks);
                    if let Some(last) = toks.last_mut() {
                        last.ws = ws;
                    }
                    next.next();
                    i = e;
                }
                _ => {
                    toks.push(old[i].clone());
                    i += 1;
                }
            }
        }
    }
}

fn plain(start: usize, end: usize) -> Token {
    Token {
        start,
        end,
        ws: false,
        norm: None,
    }
}

fn push_pieces(pieces: &[Piece], mut at: usize, out: &mut Vec<Token>) {
    for piece in pieces {
        out.push(Token {
            start: at,
            end: at + piece.len,
            ws: false,
            norm: piece.norm.clone(),
        });
        at += piece.len;
    }
}

/// Reads one exception: a list of maps from attribute id (ORTH, NORM) to string.
fn parse_pieces(key: &str, value: &Value) -> Result<Box<[Piece]>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| format!("exception {key:?} is not a list"))?;
    let mut pieces = Vec::with_capacity(list.len());
    let mut total = 0;
    for attrs in list {
        let attrs = attrs
            .as_map()
            .ok_or_else(|| format!("exception {key:?}: token is not a map"))?;
        let get = |id: u64| {
            attrs
                .iter()
                .find(|(k, _)| k.as_u64() == Some(id))
                .and_then(|(_, v)| v.as_str())
        };
        let orth =
            get(ATTR_ORTH).ok_or_else(|| format!("exception {key:?}: token without ORTH"))?;
        total += orth.len();
        pieces.push(Piece {
            len: orth.len(),
            norm: get(ATTR_NORM).map(Arc::from),
        });
    }
    if total != key.len() || pieces.iter().any(|p| p.len == 0) {
        return Err(format!(
            "exception {key:?}: token texts do not add up to the key"
        ));
    }
    Ok(pieces.into_boxed_slice())
}

/// Python's `str.isspace` (Unicode White_Space plus the separators U+001C..U+001F).
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The Fx hash (from rustc): fast on the short keys of the exception table.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
