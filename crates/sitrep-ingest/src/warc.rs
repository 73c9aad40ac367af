//! A streaming WARC reader: one record at a time, HTTP responses unwrapped, memory bounded by
//! the largest record kept (see [`MAX_RECORD`]).

use std::io::{self, BufRead, Read};

/// Records with a larger payload are skipped (and reported).
pub const MAX_RECORD: u64 = 32 * 1024 * 1024;

/// A page found in a WARC file.
#[derive(Debug, Clone)]
pub struct WarcPage {
    pub url: Option<String>,
    pub record_id: Option<String>,
    /// Charset named by the HTTP `Content-Type` header.
    pub charset: Option<String>,
    /// Whether the payload is HTML (otherwise plain text).
    pub html: bool,
    pub body: Vec<u8>,
}

/// What the next record held.
#[derive(Debug)]
pub enum WarcItem {
    Page(WarcPage),
    /// A record that holds no article (request, metadata, image, redirect...), with why.
    Skipped,
    /// A record that should hold an article but cannot be read; reading can continue.
    Bad {
        record: String,
        reason: String,
    },
}

/// Iterates the records of a WARC stream (already gunzipped).
pub struct WarcReader<R> {
    inner: R,
    records: u64,
    done: bool,
}

impl<R: BufRead> WarcReader<R> {
    pub fn new(inner: R) -> Self {
        WarcReader {
            inner,
            records: 0,
            done: false,
        }
    }

    /// Reads the next record; `Ok(None)` at the end of the stream. An `Err` means the stream
    /// itself is broken (truncated, not WARC) and nothing more can be read from it.
    pub fn next_record(&mut self) -> io::Result<Option<WarcItem>> {
        if self.done {
            return Ok(None);
        }
        // Skip blank lines between records.
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = read_line_capped(&mut self.inner, &mut line, 8192)?;
            if n == 0 {
                self.done = true;
                return Ok(None);
            }
            if !trim_eol(&line).is_empty() {
                break;
            }
        }
        if !line.starts_with(b"WARC/") {
            self.done = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a WARC record header after record {}", self.records),
            ));
        }
        self.records += 1;
        let headers = read_headers(&mut self.inner)?;
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let len: u64 = get("Content-Length")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("record {} has no Content-Length", self.records),
                )
            })?;
        let kind = get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        let url = get("WARC-Target-URI").map(|u| u.trim_matches(['<', '>', ' ']).to_string());
        let record_id = get("WARC-Record-ID").map(|s| s.trim_matches(['<', '>', ' ']).to_string());
        let content_type = get("Content-Type").unwrap_or("").to_ascii_lowercase();
        let label = url
            .clone()
            .or_else(|| record_id.clone())
            .unwrap_or_else(|| format!("record {}", self.records));

        let wanted = match kind.as_str() {
            "response" => content_type.contains("application/http"),
            "resource" | "conversion" => {
                content_type.contains("html") || content_type.contains("text/plain")
            }
            _ => false,
        };
        if !wanted || len > MAX_RECORD {
            skip(&mut self.inner, len)?;
            return Ok(Some(if len > MAX_RECORD && wanted {
                WarcItem::Bad {
                    record: label,
                    reason: format!("record too large ({len} bytes)"),
                }
            } else {
                WarcItem::Skipped
            }));
        }
        let mut payload = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 20));
        let read = (&mut self.inner).take(len).read_to_end(&mut payload)?;
        if (read as u64) < len {
            self.done = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("truncated in {label}"),
            ));
        }
        if kind != "response" {
            let html = content_type.contains("html");
            let charset = charset_of(&content_type);
            return Ok(Some(WarcItem::Page(WarcPage {
                url,
                record_id,
                charset,
                html,
                body: payload,
            })));
        }
        Ok(Some(match http_response(&payload) {
            Ok(Some((body, content_type))) => WarcItem::Page(WarcPage {
                url,
                record_id,
                charset: charset_of(&content_type),
                html: content_type.contains("html") || content_type.is_empty(),
                body,
            }),
            Ok(None) => WarcItem::Skipped,
            Err(reason) => WarcItem::Bad {
                record: label,
                reason,
            },
        }))
    }
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches(['"', '\'']).to_string())
        .next()
}

/// The body and content type of an HTTP response with status 200 and a textual type;
/// `Ok(None)` for other statuses and media types.
fn http_response(payload: &[u8]) -> Result<Option<(Vec<u8>, String)>, String> {
    let Some(split) = memchr::memmem::find(payload, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| memchr::memmem::find(payload, b"\n\n").map(|i| (i, i + 2)))
    else {
        return Err("HTTP response without end of headers".to_string());
    };
    let head = String::from_utf8_lossy(&payload[..split.0]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "200" {
        return Ok(None);
    }
    let mut content_type = String::new();
    let mut chunked = false;
    let mut gzip = false;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim().to_ascii_lowercase();
            match k.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = v,
                "transfer-encoding" => chunked = v.contains("chunked"),
                "content-encoding" => gzip = v.contains("gzip"),
                _ => {}
            }
        }
    }
    let textual = content_type.is_empty()
        || content_type.contains("html")
        || content_type.starts_with("text/");
    if !textual {
        return Ok(None);
    }
    let mut body = payload[split.1..].to_vec();
    if chunked {
        body = dechunk(&body).ok_or("bad chunked transfer encoding")?;
    }
    if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip content encoding: {e}"))?;
        body = out;
    }
    Ok(Some((body, content_type)))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = memchr::memmem::find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

fn read_headers<R: BufRead>(r: &mut R) -> io::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    let mut line = Vec::new();
    for _ in 0..512 {
        line.clear();
        if read_line_capped(r, &mut line, 64 * 1024)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated WARC header",
            ));
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            return Ok(headers);
        }
        let text = String::from_utf8_lossy(l);
        if let Some((k, v)) = text.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "WARC header too long",
    ))
}

fn skip<R: Read>(r: &mut R, len: u64) -> io::Result<()> {
    let copied = io::copy(&mut r.take(len), &mut io::sink())?;
    if copied < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated WARC record",
        ));
    }
    Ok(())
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\n' | b'\r'] = l {
        l = rest;
    }
    l
}

/// Reads one line (through `\n`) into `buf`, keeping at most `cap` bytes of it; returns the
/// number of bytes consumed (0 at end of input). The rest of an over-long line is consumed and
/// dropped, so memory stays bounded.
pub fn read_line_capped<R: BufRead>(r: &mut R, buf: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
    let mut consumed = 0;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(consumed);
        }
        let (chunk, found) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        r.consume(n);
        consumed += n;
        if found {
            return Ok(consumed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, content_type: &str, payload: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            payload.len()
        )
        .into_bytes();
        r.extend_from_slice(payload);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    #[test]
    fn reads_responses_and_skips_the_rest() {
        let http =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Hallo</p>";
        let mut data = record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: test\r\n",
        );
        data.extend(record(
            "request",
            "https://a.example/x",
            "application/http; msgtype=request",
            b"GET /x HTTP/1.1\r\n\r\n",
        ));
        data.extend(record(
            "response",
            "https://a.example/x",
            "application/http; msgtype=response",
            http,
        ));
        data.extend(record(
            "response",
            "https://a.example/y",
            "application/http; msgtype=response",
            b"HTTP/1.1 404 Not Found\r\n\r\n",
        ));
        let mut r = WarcReader::new(&data[..]);
        let mut pages = Vec::new();
        while let Ok(Some(item)) = r.next_record() {
            if let WarcItem::Page(p) = item {
                pages.push(p);
            }
        }
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].url.as_deref(), Some("https://a.example/x"));
        assert_eq!(pages[0].charset.as_deref(), Some("iso-8859-1"));
        assert_eq!(pages[0].body, b"<p>Hallo</p>");
    }

    #[test]
    fn truncation_is_an_error_after_good_records() {
        let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>One</p>";
        let mut data = record("response", "https://a.example/1", "application/http", http);
        let second = record("response", "https://a.example/2", "application/http", http);
        data.extend_from_slice(&second[..second.len() - 12]);
        let mut r = WarcReader::new(&data[..]);
        assert!(matches!(r.next_record(), Ok(Some(WarcItem::Page(_)))));
        assert!(r.next_record().is_err());
        assert!(matches!(r.next_record(), Ok(None)));
    }

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").as_deref(),
            Some(&b"abcde"[..])
        );
        assert_eq!(dechunk(b"zz\r\n"), None);
    }

    #[test]
    fn capped_lines_stay_bounded() {
        let data = vec![b'x'; 10_000];
        let mut buf = Vec::new();
        let n = read_line_capped(&mut &data[..], &mut buf, 100).unwrap_or(0);
        assert_eq!(n, 10_000);
        assert_eq!(buf.len(), 100);
    }
}
