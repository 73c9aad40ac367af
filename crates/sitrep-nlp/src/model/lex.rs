//! Lexical attributes as spaCy computes them (`spacy/lang/lex_attrs.py`, `spacy/vocab.pyx`) and
//! the hashes that turn them into ids: the string store's 64-bit MurmurHash2 (`hash_string`)
//! and the MurmurHash3 variant thinc's `HashEmbed` uses to pick embedding rows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use rmpv::Value;

use super::tables::{BASE_NORMS, SYMBOLS};
use super::weights::map_get;
use crate::NlpError;

/// MurmurHash64A (Austin Appleby's 64-bit MurmurHash2), as `murmurhash.mrmr.hash64`.
pub fn murmurhash64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes([
            block[0], block[1], block[2], block[3], block[4], block[5], block[6], block[7],
        ]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate() {
            h ^= u64::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// spaCy's `hash_string`: MurmurHash64A of the UTF-8 bytes with seed 1.
pub fn hash_string(s: &str) -> u64 {
    murmurhash64a(s.as_bytes(), 1)
}

/// MurmurHash3 x64-128 of one little-endian 64-bit key, split into four 32-bit words, as thinc's
/// `NumpyOps.hash` (`MurmurHash3_x86_128_uint64`) computes it.
pub fn murmur3_u64(val: u64, seed: u32) -> [u32; 4] {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    fn fmix(mut k: u64) -> u64 {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^= k >> 33;
        k
    }
    let mut h1 = val.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    h1 ^= u64::from(seed);
    h1 ^= 8;
    let mut h2 = u64::from(seed) ^ 8;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    [h1 as u32, (h1 >> 32) as u32, h2 as u32, (h2 >> 32) as u32]
}

/// spaCy's `word_shape`: letters become `X`/`x`, digits `d`, other characters stay; a run of
/// the same shape character is cut after four.
pub fn word_shape(text: &str) -> String {
    if text.chars().count() >= 100 {
        return "LONG".to_string();
    }
    let mut shape = String::with_capacity(text.len());
    let mut last = None;
    let mut seq = 0;
    for c in text.chars() {
        let shape_char = if c.is_alphabetic() {
            if c.is_uppercase() { 'X' } else { 'x' }
        } else if c.is_numeric() {
            // Python's `isdigit` is narrower (no fractions like "½"); close enough for text.
            'd'
        } else {
            c
        };
        if Some(shape_char) == last {
            seq += 1;
        } else {
            seq = 0;
            last = Some(shape_char);
        }
        if seq < 4 {
            shape.push(shape_char);
        }
    }
    shape
}

/// Python's `str.isspace` for a whole string (false for the empty string).
pub fn is_space(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// The first character (spaCy's PREFIX).
pub fn prefix(text: &str) -> &str {
    match text.char_indices().nth(1) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The last three characters (spaCy's SUFFIX).
pub fn suffix(text: &str) -> &str {
    match text.char_indices().rev().nth(2) {
        Some((i, _)) => &text[i..],
        None => text,
    }
}

/// A hasher for keys that already are 64-bit hashes: it passes them through.
#[derive(Debug, Default, Clone, Copy)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by string hashes.
type HashKeyed = HashMap<u64, u64, BuildHasherDefault<PassThrough>>;

/// Turns strings into spaCy string-store ids and computes NORM: the pieces of the vocab the
/// neural components need. All tables are keyed by the `hash_string` of their strings.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// `lexeme_norm` from `vocab/lookups.bin`: word -> id of its norm.
    lexeme_norm: HashKeyed,
    /// `BASE_NORMS`: word -> id of its norm.
    base_norms: HashKeyed,
    /// Symbol strings -> their fixed ids.
    symbols: HashKeyed,
}

impl Lexicon {
    /// A lexicon with spaCy's built-in tables and no `lexeme_norm` lookups.
    pub fn new() -> Self {
        let mut lexicon = Lexicon {
            symbols: SYMBOLS
                .iter()
                .map(|&(s, id)| (hash_string(s), id))
                .collect(),
            ..Lexicon::default()
        };
        lexicon.base_norms = BASE_NORMS
            .iter()
            .map(|&(word, norm)| (hash_string(word), lexicon.string_id(norm)))
            .collect();
        lexicon
    }

    /// Loads the `lexeme_norm` table from a vocab's `lookups.bin`, when the file exists.
    pub fn load(vocab_dir: &Path) -> Result<Self, NlpError> {
        let mut lexicon = Lexicon::new();
        let path = vocab_dir.join("lookups.bin");
        if !path.exists() {
            return Ok(lexicon);
        }
        let bytes = crate::read_file(&path)?;
        let root = rmpv::decode::read_value(&mut &bytes[..])
            .map_err(|e| NlpError::format(&path, format!("invalid msgpack: {e}")))?;
        if let Some(table) = map_get(&root, "lexeme_norm") {
            // Older spaCy versions wrap each table as msgpack bytes of {"dict": ...}.
            let decoded;
            let table = match table {
                Value::Binary(b) => {
                    decoded = rmpv::decode::read_value(&mut &b[..])
                        .map_err(|e| NlpError::format(&path, format!("lexeme_norm: {e}")))?;
                    map_get(&decoded, "dict").unwrap_or(&decoded)
                }
                other => other,
            };
            let entries = table
                .as_map()
                .ok_or_else(|| NlpError::format(&path, "lexeme_norm is not a map"))?;
            for (key, value) in entries {
                if let (Some(key), Some(value)) = (key.as_u64(), value.as_str()) {
                    let id = lexicon.string_id(value);
                    lexicon.lexeme_norm.insert(key, id);
                }
            }
        }
        Ok(lexicon)
    }

    /// The string-store id of a string: a symbol's fixed number, else its hash.
    pub fn string_id(&self, s: &str) -> u64 {
        let hash = hash_string(s);
        self.symbols.get(&hash).copied().unwrap_or(hash)
    }

    /// The lexeme's NORM id: the `lexeme_norm` table, else `BASE_NORMS`, else lowercase.
    pub fn norm_id(&self, text: &str) -> u64 {
        let hash = hash_string(text);
        if let Some(&id) = self
            .lexeme_norm
            .get(&hash)
            .or_else(|| self.base_norms.get(&hash))
        {
            return id;
        }
        if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.symbols.get(&hash).copied().unwrap_or(hash);
        }
        self.string_id(&text.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hashes_match_spacy() {
        // Values from spaCy 3.8.7's StringStore.
        assert_eq!(hash_string("hello"), 5983625672228268878);
        assert_eq!(hash_string("Xxxxx"), 16072095006890171862);
        let lex = Lexicon::new();
        assert_eq!(lex.string_id("mark"), 423);
        assert_eq!(lex.string_id(""), 0);
        assert_eq!(lex.string_id("X"), 101);
        assert_eq!(lex.norm_id("Mark"), 423);
        assert_eq!(lex.norm_id("’"), hash_string("'"));
        assert_eq!(lex.norm_id("Hello"), hash_string("hello"));
    }

    #[test]
    fn shapes_prefixes_suffixes() {
        assert_eq!(word_shape("Hello"), "Xxxxx");
        assert_eq!(word_shape("C3PO-1999s"), "XdXX-ddddx");
        assert_eq!(word_shape("aaaaaaa"), "xxxx");
        assert_eq!(prefix("élan"), "é");
        assert_eq!(suffix("naïve"), "ïve");
        assert_eq!(suffix("ab"), "ab");
        assert!(is_space(" \n"));
        assert!(!is_space(""));
    }
}
