//! `sitrep watch --once` against a local HTTP server (127.0.0.1, started by the test): new
//! articles of an RSS feed are fetched, cleaned, analysed and stored as `ingest` stores them,
//! feed metadata fills what a page lacks, loopback is refused without `--allow-private`, and
//! a second run fetches nothing again.

mod common;
use common::{sitrep, stderr};

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

type Routes = Vec<(String, &'static str, String)>;

/// Serves the routes (path, content type, body) that `site` gives for the server's port; 304
/// to `If-None-Match: "v1"`. Returns the port and the request log (path per request).
fn serve(site: impl Fn(u16) -> Routes) -> std::io::Result<(u16, Arc<Mutex<Vec<String>>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let routes = site(port);
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let shared = log.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let Ok(clone) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(clone);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut conditional = false;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                conditional |= h.to_ascii_lowercase().starts_with("if-none-match: \"v1\"");
            }
            if let Ok(mut l) = shared.lock() {
                l.push(path.clone());
            }
            let found = routes.iter().find(|(p, _, _)| *p == path);
            let (status, ct, body) = match found {
                Some(_) if conditional => ("304 Not Modified", "text/plain", String::new()),
                Some((_, ct, body)) => ("200 OK", *ct, body.clone()),
                None => ("404 Not Found", "text/plain", "not found".to_string()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {ct}\r\nETag: \"v1\"\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    Ok((port, log))
}

/// A fictional article page; without `<title>` or `<h1>` when `title` is None, and without a
/// date.
fn page(title: Option<&str>, text: &str) -> String {
    let head = title
        .map(|t| format!("<title>{t}</title>"))
        .unwrap_or_default();
    let h1 = title.map(|t| format!("<h1>{t}</h1>")).unwrap_or_default();
    format!(
        "<!doctype html><html><head>{head}</head><body><article>{h1}<p>{text}</p>\
         <p>Harbour master Ines Vollan said on Monday that the quay in the fictional town of \
         Brackwater would reopen once the repairs were checked.</p><p>Fishermen in Brackwater \
         told the council they had lost a week of work because of the closure.</p>\
         </article></body></html>"
    )
}

fn store_articles(db: &Path) -> Vec<serde_json::Value> {
    let Ok(store) = sitrep_store::Store::open(&db.display().to_string()) else {
        return Vec::new();
    };
    let ids = store.article_ids(100, None).unwrap_or_default();
    ids.iter()
        .filter_map(|id| store.get_article(id).ok().flatten())
        .filter_map(|a| serde_json::to_value(a).ok())
        .collect()
}

#[test]
fn watch_once_ingests_new_feed_articles() -> Result<(), Box<dyn std::error::Error>> {
    let site = |port: u16| {
        let base = format!("http://127.0.0.1:{port}");
        vec![
            (
                "/rss.xml".to_string(),
                "application/rss+xml",
                format!(
                    r#"<rss version="2.0"><channel><title>Brackwater Herald</title>
<item><title>Quay to reopen after repairs</title><link>{base}/news/quay</link>
<pubDate>Tue, 11 Mar 2025 07:00:00 GMT</pubDate><author>desk@herald.example (Oona Lisk)</author></item>
<item><title>Council hears fishermen</title><link>{base}/news/council</link></item>
<item><title>Missing page</title><link>{base}/news/gone</link></item>
</channel></rss>"#
                ),
            ),
            (
                "/news/quay".to_string(),
                "text/html",
                page(
                    None,
                    "The quay at Brackwater will reopen next week, the harbour office said.",
                ),
            ),
            (
                "/news/council".to_string(),
                "text/html; charset=utf-8",
                page(
                    Some("Council hears Brackwater fishermen"),
                    "The council of Brackwater met the fishermen on Tuesday evening.",
                ),
            ),
        ]
    };
    let (port, log) = serve(site)?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\nhost_delay = \"10ms\"\n\n[[feed]]\nurl = \"http://127.0.0.1:{port}/rss.xml\"\n"
        ),
    )?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());

    // Without --allow-private the loopback server is refused and nothing is asked of it.
    let out = sitrep()
        .args(["watch", "--once", "--config"])
        .arg(&config)
        .args(["--db", &spec])
        .output()?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("127.0.0.1 (loopback)"),
        "{}",
        stderr(&out)
    );
    assert!(log.lock().map(|l| l.is_empty()).unwrap_or(false));
    assert!(store_articles(&db).is_empty());

    // With it: two articles stored, the missing page reported, the run goes on.
    let out = sitrep()
        .args(["watch", "--once", "--allow-private", "--config"])
        .arg(&config)
        .args(["--db", &spec])
        .output()?;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("/news/gone: http status 404"), "{err}");
    assert!(err.contains("2 stored"), "{err}");
    let articles = store_articles(&db);
    assert_eq!(articles.len(), 2, "{err}");
    let quay = articles
        .iter()
        .find(|a| {
            a["input"]
                .as_str()
                .is_some_and(|i| i.ends_with("/news/quay"))
        })
        .ok_or("quay article not stored")?;
    // The page has no title, date or byline: the feed item's are used.
    assert_eq!(quay["title"], "Quay to reopen after repairs");
    assert_eq!(quay["published"], "2025-03-11");
    assert!(
        quay["authors"][0]
            .as_str()
            .is_some_and(|a| a.contains("Oona Lisk")),
        "{quay}"
    );
    assert_eq!(quay["url"], format!("http://127.0.0.1:{port}/news/quay"));
    assert!(
        quay["entities"].as_array().is_some_and(|e| !e.is_empty()),
        "{quay}"
    );
    let council = articles
        .iter()
        .find(|a| {
            a["input"]
                .as_str()
                .is_some_and(|i| i.ends_with("/news/council"))
        })
        .ok_or("council article not stored")?;
    // The page's own title wins over the feed's.
    assert_eq!(council["title"], "Council hears Brackwater fishermen");
    assert!(dir.path().join("feeds.state.json").exists());

    // A second run: the feed answers 304, no page is fetched again, nothing new is stored.
    let before = log.lock().map(|l| l.len()).unwrap_or(0);
    let out = sitrep()
        .args(["watch", "--once", "--allow-private", "--config"])
        .arg(&config)
        .args(["--db", &spec])
        .output()?;
    let err = stderr(&out);
    let requests: Vec<String> = log.lock().map(|l| l[before..].to_vec()).unwrap_or_default();
    // The failed page is not due again yet (backoff), so only the feed is asked for.
    assert_eq!(requests, vec!["/rss.xml".to_string()], "{err}");
    assert!(out.status.success(), "{err}");
    assert_eq!(store_articles(&db).len(), 2);
    Ok(())
}

/// A feed of two dated article pages (written for these tests; fictional places and people).
fn two_page_site(port: u16) -> Routes {
    let base = format!("http://127.0.0.1:{port}");
    vec![
        (
            "/rss.xml".to_string(),
            "application/rss+xml",
            format!(
                r#"<rss version="2.0"><channel><title>Brackwater Herald</title>
<item><title>Quay to reopen after repairs</title><link>{base}/news/quay</link>
<pubDate>Tue, 11 Mar 2025 07:00:00 GMT</pubDate></item>
<item><title>Council hears fishermen</title><link>{base}/news/council</link>
<pubDate>Wed, 12 Mar 2025 07:00:00 GMT</pubDate></item>
</channel></rss>"#
            ),
        ),
        (
            "/news/quay".to_string(),
            "text/html",
            page(
                Some("Brackwater quay to reopen after repairs"),
                "The quay at Brackwater will reopen next week, the harbour office said.",
            ),
        ),
        (
            "/news/council".to_string(),
            "text/html",
            page(
                Some("Council hears Brackwater fishermen"),
                "The council of Brackwater met the fishermen on Tuesday evening.",
            ),
        ),
    ]
}

/// A feeds config polling the local server's feed, with its state beside it.
fn feeds_config(dir: &Path, port: u16) -> std::io::Result<std::path::PathBuf> {
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\nhost_delay = \"10ms\"\n\n[[feed]]\nurl = \"http://127.0.0.1:{port}/rss.xml\"\n"
        ),
    )?;
    Ok(config)
}

/// `watch --embed` with the real model (`models/minilm`): each stored page has the embedding
/// `ingest --embed` stores, that of its stored title and lead (`sitrep_embed::article_lead`),
/// and the store's stories use them. Skipped, with a note, when the model is not fetched.
#[test]
fn watch_with_embed_stores_each_pages_embedding() -> Result<(), Box<dyn std::error::Error>> {
    let Some(model) = common::minilm("watch_with_embed_stores_each_pages_embedding") else {
        return Ok(());
    };
    let (port, _log) = serve(two_page_site)?;
    let dir = tempfile::tempdir()?;
    let config = feeds_config(dir.path(), port)?;
    let spec = format!("sqlite://{}", dir.path().join("store.sqlite").display());
    let out = sitrep()
        .env("SITREP_EMBED_DIR", &model)
        .args(["watch", "--once", "--allow-private", "--embed", "--config"])
        .arg(&config)
        .args(["--db", &spec])
        .output()?;
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");

    let embedder = sitrep_embed::Embedder::load(&model)?;
    let store = sitrep_store::Store::open(&spec)?;
    let ids = store.article_ids(100, None)?;
    assert_eq!(ids.len(), 2, "{err}");
    for id in &ids {
        let article = store.get_article(id)?.ok_or("stored article")?;
        let stored = store.get_embedding(id)?.ok_or("no embedding stored")?;
        let lead = sitrep_embed::article_lead(article.title.as_deref(), &article.body);
        let expected = embedder.embed(&[lead])?;
        assert_eq!(stored.len(), sitrep_embed::DIM);
        let worst = stored
            .iter()
            .zip(expected[0].iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "{id}: differs by {worst}");
    }
    assert!(store.all_embedded()?);
    drop(store);
    let stories = sitrep().args(["stories", "--db", &spec]).output()?;
    assert!(stories.status.success(), "{}", stderr(&stories));
    let placed: usize = String::from_utf8_lossy(&stories.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|s| s["articles"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(placed, 2);
    Ok(())
}

/// `watch --embed` without the model fails as `ingest --embed` does (exit 2, the missing file
/// named) before any feed is asked for or anything stored.
#[test]
fn watch_with_embed_and_no_model_names_the_missing_file() -> Result<(), Box<dyn std::error::Error>>
{
    let (port, log) = serve(two_page_site)?;
    let dir = tempfile::tempdir()?;
    let config = feeds_config(dir.path(), port)?;
    let db = dir.path().join("store.sqlite");
    let out = sitrep()
        .env("SITREP_EMBED_DIR", dir.path().join("no-minilm-here"))
        .args(["watch", "--once", "--allow-private", "--embed", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .output()?;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot load the sentence embedding model"),
        "{err}"
    );
    assert!(err.contains("--no-embed"), "{err}");
    assert!(err.contains("no-minilm-here"), "{err}");
    assert!(err.contains("model file missing"), "{err}");
    assert!(log.lock().map(|l| l.is_empty()).unwrap_or(false));
    assert!(store_articles(&db).is_empty());
    Ok(())
}
