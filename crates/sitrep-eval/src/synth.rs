//! Synthetic inputs for scale tests: a WARC file of any size made of generated pages (fictional
//! text, varied per record so no two bodies are the same) and skipped non-article records.

use std::io::{BufWriter, Write};
use std::path::Path;

const PLACES: [&str; 6] = ["Velden", "Ostra", "Aldenburg", "Selvik", "Dravna", "Vostra"];
const PEOPLE: [&str; 5] = [
    "Ilse Moravec",
    "Tomas Brandt",
    "Elin Sorensen",
    "Andrej Kolar",
    "Mara Quill",
];

fn page(i: u64) -> String {
    let p = |k: u64| PLACES[((i / 7 + k) % PLACES.len() as u64) as usize];
    let who = PEOPLE[(i % PEOPLE.len() as u64) as usize];
    let mut paras = String::new();
    for k in 0..12 {
        paras.push_str(&format!(
            "<p>Report {i}, paragraph {k}: officials in {} said on Tuesday that talks with {} would resume, and {who} told reporters that {} passengers had crossed the river since Monday.</p>\n",
            p(k),
            p(k + 1),
            i * 13 + k
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Talks resume in {} ({i}) | Harbour Wire</title>\
         <meta property=\"article:published_time\" content=\"2026-03-{:02}T08:00:00Z\"></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>Talks resume in {} ({i})</h1>\n{paras}</article>\
         <footer>Copyright Harbour Wire</footer></body></html>",
        p(0),
        1 + i % 28,
        p(0)
    )
}

fn record<W: Write>(
    out: &mut W,
    kind: &str,
    uri: &str,
    content_type: &str,
    payload: &[u8],
) -> std::io::Result<()> {
    write!(
        out,
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-03-14T00:00:00Z\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    )?;
    out.write_all(payload)?;
    out.write_all(b"\r\n\r\n")
}

/// Writes about `bytes` of WARC: for every HTML response, `filler` image responses of 64 KB
/// (which readers must skip without keeping them).
pub fn warc(path: &Path, bytes: u64, filler: u64) -> anyhow::Result<serde_json::Value> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let image = vec![0x5au8; 64 * 1024];
    let (mut written, mut pages, mut i) = (0u64, 0u64, 0u64);
    while written < bytes {
        let html = page(i);
        let http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
            html.len()
        );
        record(
            &mut out,
            "response",
            &format!("https://harbourwire.example/news/{i}"),
            "application/http; msgtype=response",
            http.as_bytes(),
        )?;
        written += http.len() as u64 + 200;
        pages += 1;
        for k in 0..filler {
            let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n".to_vec();
            http.extend_from_slice(&image);
            record(
                &mut out,
                "response",
                &format!("https://harbourwire.example/img/{i}-{k}.jpg"),
                "application/http; msgtype=response",
                &http,
            )?;
            written += http.len() as u64 + 200;
        }
        i += 1;
    }
    out.flush()?;
    println!(
        "wrote {} ({:.2} GB, {pages} HTML pages)",
        path.display(),
        written as f64 / 1e9
    );
    Ok(serde_json::json!({"bytes": written, "pages": pages}))
}
