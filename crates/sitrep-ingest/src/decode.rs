//! Bytes to text: byte-order marks, declared charsets (HTTP header, `<meta charset>`, XML
//! declaration), sniffing for undeclared legacy encodings, and refusing binary data.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8};
use regex::bytes::Regex;

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty input")]
    Empty,
    #[error("binary data ({0}), not text")]
    Binary(&'static str),
}

/// Text decoded from bytes, with the encoding used.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Some bytes were not valid in the chosen encoding and were replaced with U+FFFD.
    pub replaced: bool,
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#).expect("static regex")
});
static XML_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"(?i)^\s*<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_:.\-]+)"#).expect("static regex")
});

/// The charset a document declares in its first few kilobytes, if any.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192)];
    let caps = XML_ENCODING
        .captures(head)
        .or_else(|| META_CHARSET.captures(head))?;
    Encoding::for_label(&caps[1])
}

/// What kind of binary file `bytes` starts like, if it does.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 9] = [
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"\x7fELF", "executable"),
        (b"SQLite format 3", "SQLite database"),
        (b"RIFF", "RIFF media"),
    ];
    if let Some((_, name)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(name);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)))
        .count();
    (controls * 20 > head.len() || head.contains(&0)).then_some("control bytes")
}

/// Decodes `bytes`, trusting in order: a byte-order mark, valid UTF-8, the `declared` charset
/// (e.g. from an HTTP header), a charset declared inside the document, and finally a guess from
/// the byte statistics.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, replaced) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), enc, replaced);
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(DecodeError::Binary(kind));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(text.to_string(), UTF_8, false);
    }
    let enc = declared
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        .filter(|e| *e != UTF_8)
        .or_else(|| declared_charset(bytes).filter(|e| *e != UTF_8))
        .unwrap_or_else(|| {
            let mut det = chardetng::EncodingDetector::new();
            det.feed(bytes, true);
            det.guess(None, true)
        });
    let (text, _, replaced) = enc.decode(bytes);
    finish(text.into_owned(), enc, replaced)
}

fn finish(text: String, enc: &'static Encoding, replaced: bool) -> Result<Decoded, DecodeError> {
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(Decoded {
        text,
        encoding: enc.name(),
        replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_bom() {
        assert_eq!(
            decode("Grüße".as_bytes(), None).map(|d| d.text),
            Ok("Grüße".to_string())
        );
        let bom = [0xEF, 0xBB, 0xBF, b'h', b'i'];
        assert_eq!(decode(&bom, None).map(|d| d.text), Ok("hi".to_string()));
    }

    #[test]
    fn declared_windows_1251() {
        // "Привет, мир" in windows-1251 inside a page that says so.
        let mut page = b"<html><head><meta charset=\"windows-1251\"></head><body>".to_vec();
        page.extend_from_slice(&[
            0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, b',', b' ', 0xEC, 0xE8, 0xF0,
        ]);
        page.extend_from_slice(b"</body></html>");
        let d = decode(&page, None).map_err(|e| e.to_string());
        assert!(
            d.as_ref().is_ok_and(|d| d.text.contains("Привет, мир")),
            "{d:?}"
        );
        assert_eq!(d.map(|d| d.encoding), Ok("windows-1251"));
    }

    #[test]
    fn undeclared_latin1_is_sniffed() {
        let bytes = b"Die Stra\xdfe war gesperrt, sagte der B\xfcrgermeister am Montag.";
        let d = decode(bytes, None).map(|d| d.text);
        assert!(
            d.as_ref()
                .is_ok_and(|t| t.contains("Straße") && t.contains("Bürgermeister")),
            "{d:?}"
        );
    }

    #[test]
    fn empty_and_binary_are_refused() {
        assert_eq!(
            decode(b"  \n\t ", None).map(|d| d.text),
            Err(DecodeError::Empty)
        );
        assert_eq!(
            decode(b"%PDF-1.7 ...", None).map(|d| d.text),
            Err(DecodeError::Binary("PDF"))
        );
        assert!(matches!(
            decode(&[0u8, 1, 2, 3, 0, 5], None),
            Err(DecodeError::Binary(_))
        ));
    }
}
