//! Python `re` patterns (as stored in spaCy's `tokenizer` file) run from Rust.
//!
//! A pattern is split at its top-level `|` into alternatives. Runs of alternatives without
//! lookaround are compiled together with the `regex` crate (linear time); an alternative with
//! lookaround is compiled with `fancy-regex` (backtracking, with a backtrack limit), guarded by
//! a `regex` prefilter that is the same alternative with its lookarounds removed (a superset
//! of its matches, so when the prefilter finds nothing the alternative cannot match either).
//!
//! Evaluating the parts in order and keeping the leftmost match (ties to the earlier part)
//! gives Python's `re.search` result for the whole alternation, since both engines prefer the
//! earlier alternative at a given start.

/// Backtracking budget of one lookaround alternative; past it the alternative counts as not
/// matching (only reached on pathological input).
const BACKTRACK_LIMIT: usize = 100_000;

/// One compiled run of alternatives.
enum Part {
    Plain(regex::Regex),
    Fancy {
        re: fancy_regex::Regex,
        /// The alternative without its lookarounds; `None` if that did not compile.
        prefilter: Option<regex::Regex>,
    },
}

impl Part {
    /// Leftmost match starting at or after `pos` (lookbehind may look before `pos`).
    fn find_at(&self, text: &str, pos: usize) -> Option<(usize, usize)> {
        match self {
            Part::Plain(re) => re.find_at(text, pos).map(|m| (m.start(), m.end())),
            Part::Fancy { re, prefilter } => {
                // A match of the alternative is a match of the prefilter with the same start,
                // so no match can start before the prefilter's leftmost one.
                let from = match prefilter {
                    Some(p) => p.find_at(text, pos)?.start(),
                    None => pos,
                };
                match re.find_from_pos(text, from) {
                    Ok(Some(m)) => Some((m.start(), m.end())),
                    _ => None,
                }
            }
        }
    }
}

/// A Python alternation, compiled part by part.
pub(crate) struct PyRegex {
    parts: Vec<Part>,
}

impl PyRegex {
    pub(crate) fn new(pattern: &str) -> Result<PyRegex, String> {
        let mut parts = Vec::new();
        let mut plain: Vec<String> = Vec::new();
        let flush = |plain: &mut Vec<String>, parts: &mut Vec<Part>| -> Result<(), String> {
            if !plain.is_empty() {
                let joined = plain.join("|");
                let re = regex::RegexBuilder::new(&joined)
                    .size_limit(1 << 28)
                    .dfa_size_limit(1 << 26)
                    .build()
                    .map_err(|e| format!("cannot compile {}: {e}", abbreviate(&joined)))?;
                parts.push(Part::Plain(re));
                plain.clear();
            }
            Ok(())
        };
        for alt in split_alternatives(pattern) {
            let translated = translate(alt)?;
            if has_lookaround(&translated) {
                flush(&mut plain, &mut parts)?;
                let re = fancy_regex::RegexBuilder::new(&translated)
                    .backtrack_limit(BACKTRACK_LIMIT)
                    .build()
                    .map_err(|e| format!("cannot compile {}: {e}", abbreviate(&translated)))?;
                let prefilter = regex::Regex::new(&strip_lookarounds(&translated)).ok();
                parts.push(Part::Fancy { re, prefilter });
            } else {
                plain.push(translated);
            }
        }
        flush(&mut plain, &mut parts)?;
        Ok(PyRegex { parts })
    }

    /// Python's `pattern.search(text, pos)`: the leftmost match at or after `pos`, as byte
    /// offsets.
    pub(crate) fn search_at(&self, text: &str, pos: usize) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for part in &self.parts {
            if let Some(m) = part.find_at(text, pos)
                && best.is_none_or(|b| m.0 < b.0)
            {
                best = Some(m);
                if m.0 == pos {
                    break;
                }
            }
        }
        best
    }

    /// Python's `pattern.match(text)` succeeded (a match starts at 0).
    pub(crate) fn matches_at_start(&self, text: &str) -> bool {
        self.search_at(text, 0).is_some_and(|m| m.0 == 0)
    }

    /// Python's `pattern.finditer(text)`, as byte ranges, appended to `out`.
    pub(crate) fn find_iter(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        // Next match of each part from the current position; `None` in the outer option means
        // not computed yet, `Some(None)` means no match at or after where it was computed.
        let mut next: Vec<Option<Option<(usize, usize)>>> = vec![None; self.parts.len()];
        let mut pos = 0;
        while pos <= text.len() {
            let mut best: Option<(usize, usize)> = None;
            for (part, cached) in self.parts.iter().zip(next.iter_mut()) {
                let m = match *cached {
                    Some(Some(m)) if m.0 >= pos => Some(m),
                    Some(None) => None,
                    _ => {
                        let m = part.find_at(text, pos);
                        *cached = Some(m);
                        m
                    }
                };
                if let Some(m) = m
                    && best.is_none_or(|b| m.0 < b.0)
                {
                    best = Some(m);
                }
            }
            let Some(m) = best else { break };
            out.push(m);
            pos = if m.1 > m.0 {
                m.1
            } else {
                // An empty match: go on one character further.
                match text[m.1..].chars().next() {
                    Some(c) => m.1 + c.len_utf8(),
                    None => break,
                }
            };
        }
    }
}

fn abbreviate(pattern: &str) -> String {
    let cut: String = pattern.chars().take(60).collect();
    if cut.len() < pattern.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// Splits a Python pattern at its top-level `|`.
pub(crate) fn split_alternatives(pattern: &str) -> Vec<&str> {
    let bytes = pattern.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut in_class, mut start, mut i) = (0usize, false, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' if !in_class => {
                in_class = true;
                // A `]` right after `[` or `[^` is a literal.
                if bytes.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if in_class => in_class = false,
            b'(' if !in_class => depth += 1,
            b')' if !in_class => depth = depth.saturating_sub(1),
            b'|' if !in_class && depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&pattern[start..]);
    out
}

/// Whether a translated pattern holds a lookahead or lookbehind.
fn has_lookaround(pattern: &str) -> bool {
    lookaround_spans(pattern).next().is_some()
}

/// The translated pattern with every lookaround group removed.
fn strip_lookarounds(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut last = 0;
    for (start, end) in lookaround_spans(pattern) {
        out.push_str(&pattern[last..start]);
        last = end;
    }
    out.push_str(&pattern[last..]);
    out
}

/// Byte ranges of the outermost lookaround groups of a translated pattern.
fn lookaround_spans(pattern: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let mut in_class = false;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'[' if !in_class => in_class = true,
                b']' if in_class => in_class = false,
                b'(' if !in_class => {
                    let rest = &pattern[i..];
                    if ["(?=", "(?!", "(?<=", "(?<!"]
                        .iter()
                        .any(|p| rest.starts_with(p))
                    {
                        let start = i;
                        let mut depth = 0usize;
                        let mut cls = false;
                        while i < bytes.len() {
                            match bytes[i] {
                                b'\\' => i += 1,
                                b'[' if !cls => cls = true,
                                b']' if cls => cls = false,
                                b'(' if !cls => depth += 1,
                                b')' if !cls => {
                                    depth -= 1;
                                    if depth == 0 {
                                        i += 1;
                                        return Some((start, i.min(bytes.len())));
                                    }
                                }
                                _ => {}
                            }
                            i += 1;
                        }
                        return Some((start, bytes.len()));
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    })
}

/// Rewrites a Python pattern into the syntax shared by `regex` and `fancy-regex`: `\uXXXX`
/// and `\UXXXXXXXX` escapes, Python's literal `[` and set-operator look-alikes (`--`, `&&`,
/// `~~`) inside classes, escapes of characters Rust does not allow escaping, `\Z`, and the
/// redundant `(?u)` flag.
pub(crate) fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '(' && chars[i..].starts_with(&['(', '?', 'u', ')']) {
            i += 4;
            continue;
        }
        match c {
            '\\' => {
                let (item, next) = read_escape(&chars, i)?;
                match item {
                    Escape::Char(ch) => push_literal(&mut out, ch),
                    Escape::Class(s) => out.push_str(s),
                }
                i = next;
            }
            '[' => i = translate_class(&chars, i, &mut out)?,
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

enum Escape {
    Char(char),
    Class(&'static str),
}

/// Reads the escape starting at `chars[i] == '\\'`; returns it and the index after it.
fn read_escape(chars: &[char], i: usize) -> Result<(Escape, usize), String> {
    let Some(&c) = chars.get(i + 1) else {
        return Err("pattern ends with a backslash".into());
    };
    let hex = |n: usize| -> Result<(Escape, usize), String> {
        let digits: String = chars.iter().skip(i + 2).take(n).collect();
        let code = u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| digits.len() == n)
            .and_then(char::from_u32)
            .ok_or_else(|| format!("bad escape \\{c}{digits}"))?;
        Ok((Escape::Char(code), i + 2 + n))
    };
    let class = |s: &'static str| Ok((Escape::Class(s), i + 2));
    match c {
        'u' => hex(4),
        'U' => hex(8),
        'x' => hex(2),
        'd' => class(r"\d"),
        'D' => class(r"\D"),
        'w' => class(r"\w"),
        'W' => class(r"\W"),
        's' => class(r"\s"),
        'S' => class(r"\S"),
        'b' => class(r"\b"),
        'B' => class(r"\B"),
        'A' => class(r"\A"),
        'Z' => class(r"\z"),
        'n' => Ok((Escape::Char('\n'), i + 2)),
        't' => Ok((Escape::Char('\t'), i + 2)),
        'r' => Ok((Escape::Char('\r'), i + 2)),
        'f' => Ok((Escape::Char('\x0c'), i + 2)),
        'v' => Ok((Escape::Char('\x0b'), i + 2)),
        'a' => Ok((Escape::Char('\x07'), i + 2)),
        c if c.is_alphanumeric() => Err(format!("unsupported escape \\{c}")),
        c => Ok((Escape::Char(c), i + 2)),
    }
}

/// Writes a literal character outside a class.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() && !c.is_ascii_alphanumeric() && !c.is_ascii_graphic() {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else if r"\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
        out.push(c);
    } else {
        out.push(c);
    }
}

/// Writes a literal character inside a class: ASCII punctuation as a hex escape, so that no
/// Python literal reads as Rust class syntax.
fn push_class_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// Translates the class starting at `chars[i] == '['`; returns the index after it.
fn translate_class(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
    out.push('[');
    i += 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unterminated character class".into());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        // One item: a literal (maybe the start of a range) or a class escape.
        let (item, next) = if c == '\\' {
            read_escape(chars, i)?
        } else {
            (Escape::Char(c), i + 1)
        };
        i = next;
        match item {
            Escape::Class(s) => out.push_str(s),
            Escape::Char(lo) => {
                push_class_literal(out, lo);
                let is_range =
                    chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']');
                if is_range {
                    let (hi, next) = if chars[i + 1] == '\\' {
                        read_escape(chars, i + 1)?
                    } else {
                        (Escape::Char(chars[i + 1]), i + 2)
                    };
                    let Escape::Char(hi) = hi else {
                        return Err("class escape as a range end".into());
                    };
                    out.push('-');
                    push_class_literal(out, hi);
                    i = next;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_top_level_alternatives_only() {
        assert_eq!(
            split_alternatives(r"^a|(b|c)|[|]|\||d"),
            vec!["^a", "(b|c)", "[|]", r"\|", "d"]
        );
    }

    #[test]
    fn translates_python_escapes_and_classes() {
        assert_eq!(
            translate(r"\u00A6[\u00C0-\u00D6\-]").expect("valid pattern"),
            "¦[À-Ö\\x{2D}]"
        );
        assert_eq!(translate(r"^\'(?u)x").expect("valid pattern"), "^'x");
        assert_eq!(
            translate(r"[[&~-]").expect("valid pattern"),
            r"[\x{5B}\x{26}\x{7E}\x{2D}]"
        );
    }

    #[test]
    fn searches_like_python() {
        let re = PyRegex::new(r"(?<=[0-9])\+$|\.\.+$|,$").expect("valid pattern");
        assert_eq!(re.search_at("a...", 0), Some((1, 4)));
        assert_eq!(re.search_at("1+", 0), Some((1, 2)));
        assert_eq!(re.search_at("a+", 0), None);
        let infix = PyRegex::new(r"(?<=[a-z])(?:-|--)(?=[a-z])|/").expect("valid pattern");
        let mut out = Vec::new();
        infix.find_iter("a--b-c/d", &mut out);
        assert_eq!(out, vec![(1, 3), (4, 5), (6, 7)]);
    }
}
