//! Finding documents in the inputs: files, folders (recursive, sorted), stdin; plain text,
//! HTML, JSON lines and WARC, gzipped or not, recognised by extension and by content. Large
//! inputs stream one document at a time.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde::Deserialize;

use crate::warc::{WarcItem, WarcReader, read_line_capped};

/// Largest single document (a text or HTML file, a JSON line) that is read.
pub const MAX_DOCUMENT: usize = 64 * 1024 * 1024;

/// How the bytes of a document are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Text,
    Html,
}

/// Metadata that came with a document (JSON lines records).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenMeta {
    pub id: Option<String>,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub authors: Vec<String>,
}

/// One document found in the inputs, not yet cleaned.
#[derive(Debug, Clone)]
pub struct RawDoc {
    /// Path, `path#record` or url naming where it came from.
    pub input: String,
    pub format: sitrep_model::SourceFormat,
    pub kind: DocKind,
    pub bytes: Vec<u8>,
    /// Charset declared outside the document (HTTP header).
    pub charset: Option<String>,
    pub url: Option<String>,
    pub given: GivenMeta,
}

/// An input, or part of one, that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input}: {reason}")]
pub struct InputError {
    pub input: String,
    pub reason: String,
}

impl InputError {
    pub fn new(input: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            input: input.into(),
            reason: reason.into(),
        }
    }
}

/// The container format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFormat {
    Text,
    Html,
    Jsonl,
    Warc,
}

fn format_from_name(name: &str) -> Option<FileFormat> {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "txt" | "text" | "md" => FileFormat::Text,
        "html" | "htm" | "xhtml" | "shtml" => FileFormat::Html,
        "jsonl" | "ndjson" | "json" => FileFormat::Jsonl,
        "warc" | "arc" => FileFormat::Warc,
        _ => return None,
    })
}

fn format_from_content(head: &[u8]) -> FileFormat {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("WARC/") {
        return FileFormat::Warc;
    }
    let lower = t[..t.len().min(1024)].to_ascii_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.contains("<body")
        || lower.contains("<head")
        || (lower.starts_with('<') && lower.contains("<p"))
    {
        return FileFormat::Html;
    }
    if t.starts_with('{')
        && t.lines()
            .next()
            .is_some_and(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    {
        return FileFormat::Jsonl;
    }
    FileFormat::Text
}

/// A JSON lines record.
#[derive(Debug, Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    authors: Option<serde_json::Value>,
}

enum Open {
    Jsonl {
        input: String,
        reader: Box<dyn BufRead>,
        line: usize,
    },
    Warc {
        input: String,
        reader: WarcReader<Box<dyn BufRead>>,
    },
}

/// Iterates every document of the given inputs. Errors name the input and never stop the
/// iteration: the next call goes on with the next document or input.
pub struct Inputs {
    pending: VecDeque<PathBuf>,
    walking: Option<walkdir::IntoIter>,
    open: Option<Open>,
    stdin_used: bool,
}

impl Inputs {
    /// Inputs from paths; an empty list or `-` means standard input.
    pub fn new(paths: &[PathBuf]) -> Self {
        let mut pending: VecDeque<PathBuf> = paths.iter().cloned().collect();
        if pending.is_empty() {
            pending.push_back(PathBuf::from("-"));
        }
        Inputs {
            pending,
            walking: None,
            open: None,
            stdin_used: false,
        }
    }

    fn next_path(&mut self) -> Option<Result<PathBuf, InputError>> {
        loop {
            if let Some(walk) = &mut self.walking {
                match walk.next() {
                    Some(Ok(entry)) if entry.file_type().is_file() => {
                        return Some(Ok(entry.into_path()));
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        let path = e
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        let reason = e
                            .io_error()
                            .map(|io| io.to_string())
                            .unwrap_or_else(|| e.to_string());
                        return Some(Err(InputError::new(path, format!("cannot read: {reason}"))));
                    }
                    None => self.walking = None,
                }
            }
            let path = self.pending.pop_front()?;
            if path.is_dir() {
                self.walking = Some(
                    walkdir::WalkDir::new(&path)
                        .follow_links(true)
                        .sort_by_file_name()
                        .into_iter(),
                );
                continue;
            }
            return Some(Ok(path));
        }
    }

    fn open_path(&mut self, path: &Path) -> Result<Option<RawDoc>, InputError> {
        let stdin = path.as_os_str() == "-";
        let input = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        if stdin && std::mem::replace(&mut self.stdin_used, true) {
            return Err(InputError::new(input, "standard input given twice"));
        }
        let raw: Box<dyn Read> = if stdin {
            Box::new(io::stdin())
        } else {
            Box::new(
                File::open(path)
                    .map_err(|e| InputError::new(&input, format!("cannot open: {e}")))?,
            )
        };
        let mut reader = BufReader::with_capacity(256 * 1024, raw);
        let head = reader
            .fill_buf()
            .map_err(|e| InputError::new(&input, format!("cannot read: {e}")))?;
        if head.is_empty() {
            return Err(InputError::new(input, "empty file"));
        }
        let gz = head.starts_with(&[0x1f, 0x8b]);
        let mut reader: Box<dyn BufRead> = if gz {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                MultiGzDecoder::new(reader),
            ))
        } else {
            Box::new(reader)
        };
        let head = reader
            .fill_buf()
            .map_err(|e| gzip_error(&input, gz, e))?
            .to_vec();
        if head.is_empty() {
            return Err(InputError::new(input, "empty file"));
        }
        let format = format_from_name(&input)
            .filter(|f| *f != FileFormat::Text || !head.starts_with(b"WARC/"))
            .unwrap_or_else(|| format_from_content(&head));
        match format {
            FileFormat::Jsonl => {
                self.open = Some(Open::Jsonl {
                    input,
                    reader,
                    line: 0,
                });
                Ok(None)
            }
            FileFormat::Warc => {
                self.open = Some(Open::Warc {
                    input,
                    reader: WarcReader::new(reader),
                });
                Ok(None)
            }
            FileFormat::Text | FileFormat::Html => {
                let mut bytes = Vec::new();
                let n = reader
                    .take(MAX_DOCUMENT as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| gzip_error(&input, gz, e))?;
                if n > MAX_DOCUMENT {
                    return Err(InputError::new(
                        input,
                        format!("too large for one article (over {} MB)", MAX_DOCUMENT >> 20),
                    ));
                }
                let (kind, fmt) = if format == FileFormat::Html {
                    (DocKind::Html, sitrep_model::SourceFormat::Html)
                } else {
                    (DocKind::Text, sitrep_model::SourceFormat::Text)
                };
                Ok(Some(RawDoc {
                    input,
                    format: fmt,
                    kind,
                    bytes,
                    charset: None,
                    url: None,
                    given: GivenMeta::default(),
                }))
            }
        }
    }

    fn next_from_open(&mut self) -> Option<Result<RawDoc, InputError>> {
        let open = self.open.as_mut()?;
        match open {
            Open::Jsonl {
                input,
                reader,
                line,
            } => loop {
                let mut buf = Vec::new();
                *line += 1;
                let at = format!("{input}:{line}");
                match read_line_capped(reader, &mut buf, MAX_DOCUMENT + 1) {
                    Ok(0) => {
                        self.open = None;
                        return None;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.open = None;
                        return Some(Err(InputError::new(at, format!("cannot read: {e}"))));
                    }
                }
                if buf.len() > MAX_DOCUMENT {
                    return Some(Err(InputError::new(
                        at,
                        format!("line too long (over {} MB)", MAX_DOCUMENT >> 20),
                    )));
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(record_doc(&at, &buf));
            },
            Open::Warc { input, reader } => loop {
                match reader.next_record() {
                    Ok(None) => {
                        self.open = None;
                        return None;
                    }
                    Ok(Some(WarcItem::Skipped)) => continue,
                    Ok(Some(WarcItem::Bad { record, reason })) => {
                        return Some(Err(InputError::new(format!("{input}#{record}"), reason)));
                    }
                    Ok(Some(WarcItem::Page(page))) => {
                        let name = page
                            .url
                            .clone()
                            .or(page.record_id.clone())
                            .unwrap_or_default();
                        return Some(Ok(RawDoc {
                            input: format!("{input}#{name}"),
                            format: sitrep_model::SourceFormat::Warc,
                            kind: if page.html {
                                DocKind::Html
                            } else {
                                DocKind::Text
                            },
                            bytes: page.body,
                            charset: page.charset,
                            url: page.url,
                            given: GivenMeta::default(),
                        }));
                    }
                    Err(e) => {
                        let input = input.clone();
                        self.open = None;
                        return Some(Err(InputError::new(
                            input,
                            format!("broken WARC stream: {e}"),
                        )));
                    }
                }
            },
        }
    }
}

fn gzip_error(input: &str, gz: bool, e: io::Error) -> InputError {
    if gz {
        InputError::new(input, format!("truncated or corrupt gzip data: {e}"))
    } else {
        InputError::new(input, format!("cannot read: {e}"))
    }
}

fn record_doc(at: &str, line: &[u8]) -> Result<RawDoc, InputError> {
    let rec: Record = serde_json::from_slice(line)
        .map_err(|e| InputError::new(at, format!("invalid JSON record: {e}")))?;
    let id = rec.id.map(|v| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let authors = match rec.authors {
        Some(serde_json::Value::String(s)) => vec![s],
        Some(serde_json::Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let (kind, bytes) = match (rec.html, rec.text) {
        (Some(html), _) if !html.trim().is_empty() => (DocKind::Html, html.into_bytes()),
        (_, Some(text)) => (DocKind::Text, text.into_bytes()),
        _ => {
            return Err(InputError::new(
                at,
                "record has neither \"text\" nor \"html\"",
            ));
        }
    };
    let input = match &id {
        Some(id) => format!("{at}#{id}"),
        None => at.to_string(),
    };
    Ok(RawDoc {
        input,
        format: sitrep_model::SourceFormat::Jsonl,
        kind,
        bytes,
        charset: Some("utf-8".into()),
        url: rec.url,
        given: GivenMeta {
            id,
            title: rec.title,
            outlet: rec.outlet,
            published: rec.published,
            authors,
        },
    })
}

impl Iterator for Inputs {
    type Item = Result<RawDoc, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.open.is_some() {
                match self.next_from_open() {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            let path = match self.next_path()? {
                Ok(p) => p,
                Err(e) => return Some(Err(e)),
            };
            match self.open_path(&path) {
                Ok(Some(doc)) => return Some(Ok(doc)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(paths: &[PathBuf]) -> (Vec<RawDoc>, Vec<InputError>) {
        let mut docs = Vec::new();
        let mut errs = Vec::new();
        for item in Inputs::new(paths) {
            match item {
                Ok(d) => docs.push(d),
                Err(e) => errs.push(e),
            }
        }
        (docs, errs)
    }

    #[test]
    fn folder_with_every_kind_and_bad_files() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let d = dir.path();
        std::fs::write(d.join("a.txt"), "Plain text article about the harbour.")?;
        std::fs::write(
            d.join("b.html"),
            "<html><body><p>Hello page</p></body></html>",
        )?;
        std::fs::write(
            d.join("c.jsonl"),
            "{\"id\":\"r1\",\"text\":\"First record.\"}\nnot json\n\n{\"title\":\"x\"}\n{\"id\":7,\"html\":\"<p>Second</p>\"}\n",
        )?;
        std::fs::write(d.join("empty.txt"), "")?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<html><body><p>zipped page with enough text</p></body></html>")?;
        let full = gz.finish()?;
        std::fs::write(d.join("d.html.gz"), &full)?;
        std::fs::write(d.join("e.html.gz"), &full[..full.len() / 2])?;
        std::fs::write(
            d.join("noext"),
            "<!doctype html><html><body><p>sniffed</p></body></html>",
        )?;

        let (docs, errs) = collect(&[d.to_path_buf()]);
        let names: Vec<String> = docs
            .iter()
            .map(|d| d.input.rsplit('/').next().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            names,
            [
                "a.txt",
                "b.html",
                "c.jsonl:1#r1",
                "c.jsonl:5#7",
                "d.html.gz",
                "noext"
            ]
        );
        assert_eq!(docs[3].kind, DocKind::Html);
        assert_eq!(docs[5].kind, DocKind::Html);
        let reasons: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 4, "{reasons:?}");
        assert!(
            reasons[0].contains("c.jsonl:2") && reasons[0].contains("invalid JSON"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].contains("c.jsonl:4") && reasons[1].contains("neither"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].contains("e.html.gz") && reasons[2].contains("gzip"),
            "{reasons:?}"
        );
        assert!(
            reasons[3].contains("empty.txt") && reasons[3].contains("empty"),
            "{reasons:?}"
        );
        Ok(())
    }

    #[test]
    fn missing_path_is_an_error_and_others_go_on() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("ok.txt"), "Some text.")?;
        let (docs, errs) = collect(&[dir.path().join("missing.txt"), dir.path().join("ok.txt")]);
        assert_eq!(docs.len(), 1);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().contains("missing.txt: cannot open"));
        Ok(())
    }
}
