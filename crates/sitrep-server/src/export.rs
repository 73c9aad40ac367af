//! Exports under `/api/export/`: every stored article as JSON lines, and the events (with the
//! filters of `/api/events`) as a GDELT-like TSV, as CSV with the same columns, or as JSON lines.
//! The columns are documented in `docs/export.md`.
//!
//! Streamed: a blocking task reads the store a page at a time (taking a pooled connection per
//! page) and sends the rows in chunks through a bounded channel, so an export of any size holds
//! a few chunks in memory and a slow client slows the reader down. A store error half-way ends
//! the response abruptly (the client sees a broken transfer, never a silently short file).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sitrep_model::{Actor, ArticleRecord, Event, QuadClass};
use sitrep_store::Store;
use tokio::sync::mpsc;

use crate::App;
use crate::api::{EventFilter, EventParams, query};
use crate::error::{ApiError, ServerError};

/// Articles read from the store per step.
const PAGE: usize = 200;
/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight between the reader and the connection.
const IN_FLIGHT: usize = 4;

/// The columns of the event TSV and CSV, in order (see `docs/export.md`).
pub const EVENT_COLUMNS: [&str; 30] = [
    "event_id",
    "date",
    "event_date",
    "date_text",
    "source_name",
    "source_country",
    "source_sector",
    "cameo_root",
    "cameo",
    "plover_type",
    "mode",
    "quad_class",
    "quad_code",
    "target_name",
    "target_country",
    "target_sector",
    "place_name",
    "place_country",
    "lat",
    "lon",
    "negated",
    "modality",
    "killed",
    "injured",
    "outlet",
    "published",
    "article_id",
    "url",
    "start",
    "end",
];

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/api/export/articles.jsonl", get(articles_jsonl))
        .route("/api/export/events.tsv", get(events_tsv))
        .route("/api/export/events.csv", get(events_csv))
        .route("/api/export/events.jsonl", get(events_jsonl))
}

type Chunk = Result<Bytes, std::io::Error>;

/// The receiving end of the channel as a body stream.
struct Chunks(mpsc::Receiver<Chunk>);

impl futures_core::Stream for Chunks {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        self.0.poll_recv(cx)
    }
}

/// Writes one page after `cursor` into `out`; returns the cursor of the next page.
type Producer = Box<
    dyn FnMut(&Store, Option<&str>, &mut Vec<u8>) -> Result<Option<String>, ServerError> + Send,
>;

/// The streamed response: `header` first, then what `produce` writes, page after page.
fn streamed(
    app: App,
    content_type: &'static str,
    filename: &'static str,
    header_line: Vec<u8>,
    mut produce: Producer,
) -> Response {
    let (tx, rx) = mpsc::channel::<Chunk>(IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut buf = header_line;
        let mut cursor: Option<String> = None;
        loop {
            let page = app
                .pool()
                .with(|s| produce(s, cursor.as_deref(), &mut buf))
                .and_then(|r| r);
            let next = match page {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, export = filename, "export failed half-way");
                    let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            };
            if (buf.len() >= CHUNK || next.is_none()) && !buf.is_empty() {
                let chunk = Bytes::from(std::mem::take(&mut buf));
                if tx.blocking_send(Ok(chunk)).is_err() {
                    // The client went away.
                    return;
                }
            }
            match next {
                Some(c) => cursor = Some(c),
                None => return,
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(Chunks(rx)),
    )
        .into_response()
}

async fn articles_jsonl(State(app): State<App>) -> Response {
    streamed(
        app,
        "application/x-ndjson",
        "sitrep-articles.jsonl",
        Vec::new(),
        Box::new(|s, cursor, out| {
            let (records, next) = s.scan_articles(None, PAGE, cursor)?;
            for r in &records {
                serde_json::to_writer(&mut *out, r)
                    .map_err(|e| ServerError::Internal(format!("article {}: {e}", r.id)))?;
                out.push(b'\n');
            }
            Ok(next)
        }),
    )
}

/// A producer of the events accepted by `filter`, each written by `row`.
fn event_rows(
    filter: EventFilter,
    row: fn(&mut Vec<u8>, &ArticleRecord, usize, &Event) -> Result<(), ServerError>,
) -> Producer {
    let needle = filter.needle();
    Box::new(move |s, cursor, out| {
        let (records, next) = s.scan_articles(needle.as_deref(), PAGE, cursor)?;
        for r in &records {
            for (n, e) in r.events.iter().enumerate() {
                if filter.accepts(e, r.published) {
                    row(out, r, n, e)?;
                }
            }
        }
        Ok(next)
    })
}

fn event_filter(q: Result<Query<EventParams>, QueryRejection>) -> Result<EventFilter, ApiError> {
    Ok(EventFilter::new(&query(q)?)?)
}

async fn events_tsv(
    State(app): State<App>,
    q: Result<Query<EventParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = event_filter(q)?;
    let mut head = EVENT_COLUMNS.join("\t");
    head.push('\n');
    Ok(streamed(
        app,
        "text/tab-separated-values; charset=utf-8",
        "sitrep-events.tsv",
        head.into_bytes(),
        event_rows(filter, |out, r, n, e| {
            write_row(out, &event_fields(r, n, e), tsv_field, "\t", "\n");
            Ok(())
        }),
    ))
}

async fn events_csv(
    State(app): State<App>,
    q: Result<Query<EventParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = event_filter(q)?;
    let mut head = EVENT_COLUMNS.join(",");
    head.push_str("\r\n");
    Ok(streamed(
        app,
        "text/csv; charset=utf-8; header=present",
        "sitrep-events.csv",
        head.into_bytes(),
        event_rows(filter, |out, r, n, e| {
            write_row(out, &event_fields(r, n, e), csv_field, ",", "\r\n");
            Ok(())
        }),
    ))
}

async fn events_jsonl(
    State(app): State<App>,
    q: Result<Query<EventParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = event_filter(q)?;
    Ok(streamed(
        app,
        "application/x-ndjson",
        "sitrep-events.jsonl",
        Vec::new(),
        event_rows(filter, |out, r, n, e| {
            let line = serde_json::json!({
                "event_id": event_id(r, n),
                "article": r.id,
                "outlet": r.outlet,
                "url": r.url,
                "published": r.published,
                "event": e,
            });
            serde_json::to_writer(&mut *out, &line)
                .map_err(|e| ServerError::Internal(format!("article {}: {e}", r.id)))?;
            out.push(b'\n');
            Ok(())
        }),
    ))
}

fn event_id(r: &ArticleRecord, n: usize) -> String {
    format!("{}-{}", r.id, n + 1)
}

fn join<'a>(actors: &'a [Actor], part: impl Fn(&'a Actor) -> Option<&'a str>) -> String {
    actors
        .iter()
        .map(|a| part(a).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("; ")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// GDELT's QuadClass: 1 verbal cooperation (statements included, as GDELT files CAMEO roots
/// 01 to 05), 2 material cooperation, 3 verbal conflict, 4 material conflict.
fn quad(q: QuadClass) -> (&'static str, &'static str) {
    match q {
        QuadClass::Statement => ("statement", "1"),
        QuadClass::VerbalCooperation => ("verbal_cooperation", "1"),
        QuadClass::MaterialCooperation => ("material_cooperation", "2"),
        QuadClass::VerbalConflict => ("verbal_conflict", "3"),
        QuadClass::MaterialConflict => ("material_conflict", "4"),
    }
}

/// The values of [`EVENT_COLUMNS`] for the `n`th event of an article.
pub(crate) fn event_fields(r: &ArticleRecord, n: usize, e: &Event) -> Vec<String> {
    let event_date = e.date.as_ref().and_then(|d| d.value);
    let (quad_class, quad_code) = quad(e.quad_class);
    let place = e.location.as_ref();
    let casualties = e.casualties.as_ref();
    vec![
        event_id(r, n),
        opt(event_date.or(r.published)),
        opt(event_date),
        e.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
        join(&e.source, |a| Some(a.name.as_str())),
        join(&e.source, |a| a.country.as_deref()),
        join(&e.source, |a| a.sector.as_deref()),
        e.cameo_root.clone(),
        e.cameo.clone().unwrap_or_default(),
        e.kind.clone(),
        e.mode.clone().unwrap_or_default(),
        quad_class.to_string(),
        quad_code.to_string(),
        join(&e.target, |a| Some(a.name.as_str())),
        join(&e.target, |a| a.country.as_deref()),
        join(&e.target, |a| a.sector.as_deref()),
        place.map(|p| p.name.clone()).unwrap_or_default(),
        place.and_then(|p| p.country.clone()).unwrap_or_default(),
        opt(place.and_then(|p| p.lat).filter(|v| v.is_finite())),
        opt(place.and_then(|p| p.lon).filter(|v| v.is_finite())),
        e.negated.to_string(),
        e.modality.clone(),
        opt(casualties.and_then(|c| c.killed)),
        opt(casualties.and_then(|c| c.injured)),
        r.outlet.clone().unwrap_or_default(),
        opt(r.published),
        r.id.clone(),
        r.url.clone().unwrap_or_default(),
        e.start.to_string(),
        e.end.to_string(),
    ]
}

fn write_row(
    out: &mut Vec<u8>,
    fields: &[String],
    field: fn(&str) -> String,
    sep: &str,
    eol: &str,
) {
    let mut line = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push_str(sep);
        }
        line.push_str(&field(f));
    }
    line.push_str(eol);
    out.extend_from_slice(line.as_bytes());
}

/// A TSV field: backslash, tab, line feed and carriage return written as `\\`, `\t`, `\n`,
/// `\r` (so that a row is one line and a field one cell).
pub(crate) fn tsv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote, a line
/// break or leading or trailing spaces.
pub(crate) fn csv_field(s: &str) -> String {
    let needs = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if !needs {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_line(fields: &[&str]) -> String {
        fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn tsv_fields_keep_one_row_a_line() {
        assert_eq!(tsv_field("plain"), "plain");
        assert_eq!(tsv_field("a\tb\nc\r\\d"), "a\\tb\\nc\\r\\\\d");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(
            csv_line(&["plain", "a,b", "say \"hi\"", "two\nlines", " pad", ""]),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\","
        );
    }

    #[test]
    fn every_column_has_a_value() {
        let r = ArticleRecord::from_article(sitrep_model::Article::new("x", "Body.".to_string()));
        let e = Event {
            kind: "ASSAULT".to_string(),
            mode: None,
            context: vec![],
            cameo_root: "18".to_string(),
            quad_class: QuadClass::MaterialConflict,
            source: vec![],
            target: vec![],
            location: None,
            date: None,
            casualties: None,
            negated: false,
            hypothetical: false,
            modality: "asserted".to_string(),
            cameo: None,
            trigger: None,
            start: 0,
            end: 5,
        };
        let fields = event_fields(&r, 0, &e);
        assert_eq!(fields.len(), EVENT_COLUMNS.len());
        assert_eq!(fields[0], format!("{}-1", r.id));
        assert_eq!(fields[12], "4");
    }
}
