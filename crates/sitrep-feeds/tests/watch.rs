//! The watcher against a local HTTP server (127.0.0.1, started by the test): RSS, Atom, a
//! sitemap index with a news sitemap and a gzipped sitemap, fictional article pages; the
//! per-host delay, conditional requests, size cap, redirects to refused addresses, a malformed
//! feed, retries with backoff and state kept across restarts.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sitrep_feeds::{ArticlePage, Config, Error, Problem, Watcher};

/// One request the server saw.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
    at: Instant,
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn reply(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A tiny HTTP/1.1 server: one request per connection, every request recorded.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(handler: Box<Handler>) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::from(handler);
        let shared = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = shared.clone();
                let handler = handler.clone();
                std::thread::spawn(move || serve(stream, &log, &*handler));
            }
        });
        Ok(Server { port, log })
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, handler: &Handler) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let seen = Seen {
        path,
        headers,
        at: Instant::now(),
    };
    let nth = {
        let Ok(mut l) = log.lock() else { return };
        l.push(seen.clone());
        l.iter().filter(|r| r.path == seen.path).count()
    };
    let r = handler(&seen, nth);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", r.status);
    let mut has_length = false;
    for (k, v) in &r.headers {
        has_length |= k.eq_ignore_ascii_case("content-length");
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_length {
        head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&r.body);
    let _ = out.flush();
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>\
         <p>{body}</p><p>Officials in the fictional port of Carvel said the work would go on \
         through the winter, and residents were told to expect delays on the coast road.</p>\
         </article></body></html>"
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// The fictional site: every feed kind, pages, and a few traps.
fn site(port_holder: Arc<Mutex<u16>>) -> Box<Handler> {
    Box::new(move |req: &Seen, nth: usize| {
        let port = port_holder.lock().map(|p| *p).unwrap_or(0);
        let base = format!("http://127.0.0.1:{port}");
        match req.path.as_str() {
            "/rss.xml" => {
                if req.headers.get("if-none-match").map(String::as_str) == Some("\"rss-v1\"") {
                    return reply(304, "application/rss+xml", "");
                }
                let mut r = reply(
                    200,
                    "application/rss+xml; charset=utf-8",
                    format!(
                        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Carvel Gazette</title>
<item><title>Feed title of the ferry story</title><link>{base}/a/ferry</link><pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate></item>
<item><title>Big page</title><link>{base}/a/big</link></item>
<item><title>Moved page</title><link>{base}/a/moved</link></item>
<item><title>Flaky page</title><link>{base}/a/flaky</link></item>
</channel></rss>"#
                    ),
                );
                r.headers.push(("ETag".into(), "\"rss-v1\"".into()));
                r
            }
            "/atom.xml" => {
                let stamp = "Wed, 05 Mar 2025 10:00:00 GMT";
                if req.headers.get("if-modified-since").map(String::as_str) == Some(stamp) {
                    return reply(304, "application/atom+xml", "");
                }
                let mut r = reply(
                    200,
                    "application/atom+xml",
                    format!(
                        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Upland Review</title>
<entry><title>Bridge</title><link href="{base}/a/bridge"/><id>u1</id><updated>2025-03-05T09:00:00Z</updated>
<author><name>Tamsin Orlo</name></author></entry></feed>"#
                    ),
                );
                r.headers.push(("Last-Modified".into(), stamp.into()));
                r
            }
            "/sitemap_index.xml" => reply(
                200,
                "application/xml",
                format!(
                    r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-news.xml</loc><lastmod>2025-03-06</lastmod></sitemap>
<sitemap><loc>/sitemap-old.xml.gz</loc><lastmod>2025-01-01</lastmod></sitemap>
<sitemap><loc>/sitemap-ancient.xml</loc><lastmod>2019-01-01</lastmod></sitemap>
</sitemapindex>"#
                ),
            ),
            "/sitemap-news.xml" => reply(
                200,
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/a/tolls</loc><news:news><news:publication><news:name>Carvel Gazette</news:name></news:publication>
<news:publication_date>2025-03-06</news:publication_date><news:title>Tolls</news:title></news:news></url>
<url><loc>{base}/a/ferry</loc></url>
</urlset>"#
                ),
            ),
            "/sitemap-old.xml.gz" => reply(
                200,
                "application/x-gzip",
                gzip(
                    format!(
                        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/a/archive</loc><lastmod>2025-01-01</lastmod></url></urlset>"#
                    )
                    .as_bytes(),
                ),
            ),
            "/sitemap-ancient.xml" => reply(500, "text/plain", "should not be asked for"),
            "/broken.xml" => reply(200, "application/rss+xml", "<rss><channel><item><title>cut"),
            "/a/big" => reply(200, "text/html", page("Big", &"word ".repeat(40_000))),
            "/a/moved" => Reply {
                status: 302,
                headers: vec![("Location".into(), format!("http://127.0.0.2:{port}/a/ferry"))],
                body: Vec::new(),
            },
            "/a/flaky" if nth == 1 => reply(503, "text/plain", "busy"),
            "/a/flaky" => reply(200, "text/html", page("Flaky", "The flaky page came back.")),
            "/a/ferry" => reply(200, "text/html", page("Ferry", "The ferry strike ended.")),
            "/a/bridge" => reply(200, "text/html", page("Bridge", "The bridge reopened.")),
            "/a/tolls" => reply(200, "text/html", page("Tolls", "Tolls rose on Monday.")),
            "/a/archive" => reply(200, "text/html", page("Archive", "An older story.")),
            _ => reply(404, "text/plain", "not found"),
        }
    })
}

fn start_site() -> std::io::Result<Server> {
    let port = Arc::new(Mutex::new(0u16));
    let server = Server::start(site(port.clone()))?;
    if let Ok(mut p) = port.lock() {
        *p = server.port;
    }
    Ok(server)
}

fn config(server: &Server, extra: &str, feeds: &[&str]) -> Config {
    let mut text = format!(
        "[settings]\nhost_delay = \"100ms\"\ntimeout = \"5s\"\nmax_body_bytes = 100000\n\
         retry_delay = \"60s\"\n{extra}\n"
    );
    for f in feeds {
        text.push_str(&format!("[[feed]]\nurl = \"{}\"\n", server.url(f)));
    }
    Config::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs one poll, collecting pages and problems.
fn poll(
    w: &mut Watcher,
    now: i64,
    force: bool,
) -> (sitrep_feeds::PollReport, Vec<ArticlePage>, Vec<Problem>) {
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    let report = w
        .poll(
            now,
            force,
            3,
            &mut |p| problems.push(p.clone()),
            &mut |batch| {
                pages.extend(batch);
                Ok::<(), Error>(())
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    (report, pages, problems)
}

fn urls(pages: &[ArticlePage]) -> Vec<String> {
    let mut u: Vec<String> = pages
        .iter()
        .map(|p| p.url.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    u.sort();
    u
}

#[test]
fn polls_every_kind_politely_and_resumes_from_state() -> Result<(), Box<dyn std::error::Error>> {
    let server = start_site()?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("feeds.state.json");
    let feeds = ["/rss.xml", "/atom.xml", "/broken.xml", "/sitemap_index.xml"];
    let cfg = config(
        &server,
        "allow_addresses = [\"127.0.0.1\"]\nmax_sitemaps_per_index = 2",
        &feeds,
    );
    let mut w = Watcher::open(cfg.clone(), state.clone(), false)?;
    let t0 = 1_750_000_000;
    let (report, pages, problems) = poll(&mut w, t0, false);

    // Every kind found its links; the article pages came through.
    assert_eq!(
        urls(&pages),
        vec!["archive", "bridge", "ferry", "tolls"],
        "{problems:?}"
    );
    let ferry = pages.iter().find(|p| p.url.ends_with("/a/ferry"));
    let ferry = ferry.ok_or("no ferry page")?;
    assert_eq!(
        ferry.meta.title.as_deref(),
        Some("Feed title of the ferry story")
    );
    assert_eq!(
        ferry.meta.published.map(|d| d.to_string()).as_deref(),
        Some("2025-03-03")
    );
    let bridge = pages.iter().find(|p| p.url.ends_with("/a/bridge"));
    assert_eq!(
        bridge.map(|p| p.meta.authors.clone()),
        Some(vec!["Tamsin Orlo".to_string()])
    );
    let tolls = pages.iter().find(|p| p.url.ends_with("/a/tolls"));
    assert_eq!(
        tolls.and_then(|p| p.meta.outlet.clone()).as_deref(),
        Some("Carvel Gazette")
    );
    assert!(String::from_utf8_lossy(&ferry.bytes).contains("ferry strike ended"));

    // Problems: the malformed feed, the oversized page, the redirect to a refused address and
    // the flaky page; none stopped the others.
    let reason = |suffix: &str| {
        problems
            .iter()
            .find(|p| p.url.ends_with(suffix))
            .map(|p| p.reason.clone())
            .unwrap_or_default()
    };
    assert!(reason("/broken.xml").contains("malformed"), "{problems:?}");
    assert!(
        reason("/a/big").contains("larger than the limit of 100000 bytes"),
        "{problems:?}"
    );
    assert!(
        reason("/a/moved").contains("127.0.0.2 (loopback)"),
        "{problems:?}"
    );
    assert!(reason("/a/flaky").contains("503"), "{problems:?}");
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(report.feeds_failed, 1);
    assert_eq!(report.fetched, 4);
    // Only the two newest child sitemaps were read; the gzipped one among them.
    assert_eq!(server.count("/sitemap-ancient.xml"), 0);
    assert_eq!(server.count("/sitemap-old.xml.gz"), 1);
    // A page listed by two feeds was fetched once.
    assert_eq!(server.count("/a/ferry"), 1);

    // The per-host delay: no two requests to 127.0.0.1 closer than 100 ms.
    let log = server.requests();
    for pair in log.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(95),
            "{} then {} after {gap:?}",
            pair[0].path,
            pair[1].path
        );
    }
    assert!(log.iter().all(|r| {
        r.headers
            .get("user-agent")
            .is_some_and(|u| u.starts_with("sitrep/"))
    }));

    // A restart: validators and seen pages come from the state file.
    drop(w);
    let mut w = Watcher::open(cfg.clone(), state.clone(), false)?;
    // Not due yet (interval 300 s), nothing is asked for.
    let before = server.requests().len();
    let (report, pages, _) = poll(&mut w, t0 + 10, false);
    assert_eq!((report.feeds_polled, pages.len()), (0, 0));
    assert_eq!(server.requests().len(), before);
    // After its backoff (60 s) the flaky page is tried again and comes through; the feeds
    // are not due yet.
    let (report, pages, _) = poll(&mut w, t0 + 61, false);
    assert_eq!(urls(&pages), vec!["flaky"]);
    assert_eq!(report.feeds_polled, 0);
    // Due: the RSS and Atom feeds answer 304 to the conditional requests; nothing is fetched
    // twice.
    let (report, pages, _) = poll(&mut w, t0 + 301, false);
    let last = |path: &str| server.requests().into_iter().rfind(|r| r.path == path);
    let last_rss = last("/rss.xml").ok_or("rss not polled")?;
    assert_eq!(
        last_rss.headers.get("if-none-match").map(String::as_str),
        Some("\"rss-v1\"")
    );
    let last_atom = last("/atom.xml").ok_or("atom not polled")?;
    assert_eq!(
        last_atom
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Wed, 05 Mar 2025 10:00:00 GMT")
    );
    assert_eq!(report.not_modified, 2);
    assert!(pages.is_empty(), "{:?}", urls(&pages));
    assert_eq!(server.count("/a/flaky"), 2);
    assert_eq!(server.count("/a/ferry"), 1);
    let saved = sitrep_feeds::State::load(&state)?;
    assert!(saved.seen.contains_key(&server.url("/a/flaky")));
    assert!(
        saved
            .pending
            .keys()
            .all(|u| u.ends_with("/a/big") || u.ends_with("/a/moved"))
    );
    Ok(())
}

#[test]
fn loopback_is_refused_unless_allowed() -> Result<(), Box<dyn std::error::Error>> {
    let server = start_site()?;
    let dir = tempfile::tempdir()?;
    let cfg = config(&server, "", &["/atom.xml"]);
    let mut w = Watcher::open(cfg.clone(), dir.path().join("a.json"), false)?;
    let (report, pages, problems) = poll(&mut w, 1, true);
    assert!(pages.is_empty());
    assert_eq!(report.feeds_failed, 1);
    assert!(
        problems[0].reason.contains("127.0.0.1 (loopback)")
            && problems[0].reason.contains("--allow-private"),
        "{problems:?}"
    );
    assert_eq!(
        server.requests().len(),
        0,
        "a refused address was connected to"
    );

    let mut w = Watcher::open(cfg, dir.path().join("b.json"), true)?;
    let (_, pages, problems) = poll(&mut w, 1, true);
    assert_eq!(urls(&pages), vec!["bridge"], "{problems:?}");
    Ok(())
}

#[test]
fn articles_beyond_the_per_poll_cap_wait_for_the_next_poll()
-> Result<(), Box<dyn std::error::Error>> {
    let server = start_site()?;
    let dir = tempfile::tempdir()?;
    let cfg = Config::parse(&format!(
        "[settings]\nhost_delay = \"0ms\"\nmax_articles_per_poll = 1\nallow_private = true\n\
         [[feed]]\nurl = \"{}\"\n",
        server.url("/sitemap-news.xml")
    ))?;
    let mut w = Watcher::open(cfg, dir.path().join("s.json"), false)?;
    let (report, pages, _) = poll(&mut w, 1, true);
    assert_eq!(
        (report.new_links, urls(&pages)),
        (2, vec!["tolls".to_string()])
    );
    let (report, pages, _) = poll(&mut w, 2, true);
    assert_eq!(
        (report.new_links, urls(&pages)),
        (0, vec!["ferry".to_string()])
    );
    let (_, pages, _) = poll(&mut w, 3, true);
    assert!(pages.is_empty());
    Ok(())
}

/// A feed sent with `Content-Encoding: gzip` is read; a compressed body that inflates past the
/// cap is refused; a page that does not answer in time times out; none of it stops the rest.
#[test]
fn compressed_bodies_are_capped_and_slow_pages_time_out() -> Result<(), Box<dyn std::error::Error>>
{
    let port = Arc::new(Mutex::new(0u16));
    let holder = port.clone();
    let server = Server::start(Box::new(move |req: &Seen, _| {
        let base = format!(
            "http://127.0.0.1:{}",
            holder.lock().map(|p| *p).unwrap_or(0)
        );
        let gzipped = |ct: &str, body: Vec<u8>| Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), ct.into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: gzip(&body),
        };
        match req.path.as_str() {
            "/feed.xml" => gzipped(
                "application/rss+xml",
                format!(
                    "<rss version=\"2.0\"><channel><title>Zipped</title>\
                     <item><link>{base}/a/bomb</link></item><item><link>{base}/a/slow</link></item>\
                     <item><link>{base}/a/fine</link></item></channel></rss>"
                )
                .into_bytes(),
            ),
            // 2 MB of spaces: a few KB on the wire.
            "/a/bomb" => gzipped("text/html", vec![b' '; 2_000_000]),
            "/a/slow" => {
                std::thread::sleep(Duration::from_millis(1500));
                reply(200, "text/html", page("Slow", "Too late."))
            }
            "/a/fine" => reply(200, "text/html", page("Fine", "The fine page.")),
            _ => reply(404, "text/plain", ""),
        }
    }))?;
    if let Ok(mut p) = port.lock() {
        *p = server.port;
    }
    let cfg = Config::parse(&format!(
        "[settings]\nhost_delay = \"0ms\"\ntimeout = \"500ms\"\nmax_body_bytes = 100000\n\
         allow_private = true\n[[feed]]\nurl = \"{}\"\n",
        server.url("/feed.xml")
    ))?;
    let dir = tempfile::tempdir()?;
    let mut w = Watcher::open(cfg, dir.path().join("z.json"), false)?;
    let (report, pages, problems) = poll(&mut w, 1, true);
    assert_eq!(urls(&pages), vec!["fine"], "{problems:?}");
    assert_eq!(report.failed, 2, "{problems:?}");
    let reason = |suffix: &str| {
        problems
            .iter()
            .find(|p| p.url.ends_with(suffix))
            .map(|p| p.reason.clone())
            .unwrap_or_default()
    };
    assert!(
        reason("/a/bomb").contains("larger than the limit"),
        "{problems:?}"
    );
    assert!(reason("/a/slow").contains("timed out"), "{problems:?}");
    Ok(())
}

/// robots.txt: a disallowed page is never asked for, `Crawl-delay` spaces the requests, and an
/// unreachable robots.txt (5xx) holds the pages back for a later try.
#[test]
fn robots_txt_is_obeyed() -> Result<(), Box<dyn std::error::Error>> {
    let port = Arc::new(Mutex::new(0u16));
    let holder = port.clone();
    let robots_up = Arc::new(Mutex::new(true));
    let up = robots_up.clone();
    let server = Server::start(Box::new(move |req: &Seen, _| {
        let base = format!(
            "http://127.0.0.1:{}",
            holder.lock().map(|p| *p).unwrap_or(0)
        );
        match req.path.as_str() {
            "/robots.txt" if up.lock().map(|u| *u).unwrap_or(false) => reply(
                200,
                "text/plain",
                "User-agent: *\nDisallow: /\n\nUser-agent: sitrep\nDisallow: /a/secret\nCrawl-delay: 0.3\n",
            ),
            "/robots.txt" => reply(503, "text/plain", "down"),
            "/feed.xml" => reply(
                200,
                "application/rss+xml",
                format!(
                    "<rss version=\"2.0\"><channel><title>Robots</title>\
                     <item><link>{base}/a/secret</link></item><item><link>{base}/a/one</link></item>\
                     <item><link>{base}/a/two</link></item></channel></rss>"
                ),
            ),
            p if p.starts_with("/a/") => reply(200, "text/html", page("Open", "An open page.")),
            _ => reply(404, "text/plain", ""),
        }
    }))?;
    if let Ok(mut p) = port.lock() {
        *p = server.port;
    }
    let cfg = Config::parse(&format!(
        "[settings]\nhost_delay = \"0ms\"\nallow_private = true\nretry_delay = \"60s\"\n\
         [[feed]]\nurl = \"{}\"\n",
        server.url("/feed.xml")
    ))?;
    let dir = tempfile::tempdir()?;
    let mut w = Watcher::open(cfg.clone(), dir.path().join("r.json"), false)?;
    let (report, pages, problems) = poll(&mut w, 1, true);
    assert_eq!(urls(&pages), vec!["one", "two"], "{problems:?}");
    assert_eq!(report.disallowed, 1);
    assert_eq!(server.count("/a/secret"), 0);
    // Crawl-delay 0.3 s between the requests after robots.txt was read.
    let log = server.requests();
    let after: Vec<&Seen> = log.iter().skip_while(|r| r.path != "/robots.txt").collect();
    assert_eq!(after.len(), 3, "{log:?}");
    for pair in after.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(290), "{gap:?}");
    }

    // robots.txt down: nothing is fetched, the pages wait for a later try.
    if let Ok(mut u) = robots_up.lock() {
        *u = false;
    }
    let cfg = Config::parse(&format!(
        "[settings]\nhost_delay = \"0ms\"\nallow_private = true\nretry_delay = \"60s\"\n\
         [[feed]]\nurl = \"{}\"\n",
        server.url("/feed.xml")
    ))?;
    let mut w = Watcher::open(cfg, dir.path().join("r2.json"), false)?;
    let before = (server.count("/a/one"), server.count("/robots.txt"));
    let (report, pages, problems) = poll(&mut w, 1, true);
    assert!(pages.is_empty());
    assert_eq!(report.failed, 3, "{problems:?}");
    assert!(
        problems.iter().all(|p| p.reason.contains("robots.txt")),
        "{problems:?}"
    );
    // Asked for once in the poll, not once per page.
    assert_eq!(
        (server.count("/a/one"), server.count("/robots.txt")),
        (before.0, before.1 + 1)
    );
    assert_eq!(w.state().pending.len(), 3);
    Ok(())
}

/// Pages of two hosts are fetched in turn, so that one host's delay is spent on the other
/// (`localhost` and `127.0.0.1` are two hosts to the rate limiter).
#[test]
fn hosts_take_turns() -> Result<(), Box<dyn std::error::Error>> {
    let port = Arc::new(Mutex::new(0u16));
    let holder = port.clone();
    let server = Server::start(Box::new(move |req: &Seen, _| {
        let p = holder.lock().map(|p| *p).unwrap_or(0);
        match req.path.as_str() {
            "/feed.xml" => reply(
                200,
                "application/rss+xml",
                format!(
                    "<rss version=\"2.0\"><channel><title>Two hosts</title>\
                     <item><link>http://127.0.0.1:{p}/a/1</link></item>\
                     <item><link>http://127.0.0.1:{p}/a/2</link></item>\
                     <item><link>http://localhost:{p}/a/3</link></item>\
                     <item><link>http://localhost:{p}/a/4</link></item></channel></rss>"
                ),
            ),
            a if a.starts_with("/a/") => reply(200, "text/html", page("Page", a)),
            _ => reply(404, "text/plain", ""),
        }
    }))?;
    if let Ok(mut p) = port.lock() {
        *p = server.port;
    }
    let cfg = Config::parse(&format!(
        "[settings]\nhost_delay = \"200ms\"\nallow_private = true\nrobots = false\n\
         fetch_workers = 1\n[[feed]]\nurl = \"{}\"\n",
        server.url("/feed.xml")
    ))?;
    let dir = tempfile::tempdir()?;
    let mut w = Watcher::open(cfg, dir.path().join("h.json"), false)?;
    let (_, pages, problems) = poll(&mut w, 1, true);
    assert_eq!(pages.len(), 4, "{problems:?}");
    let order: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/a/"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(order, ["/a/1", "/a/3", "/a/2", "/a/4"]);
    Ok(())
}

#[test]
fn a_second_watcher_on_the_same_state_file_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let server = start_site()?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("shared.json");
    let cfg = config(&server, "", &["/atom.xml"]);
    let first = Watcher::open(cfg.clone(), state.clone(), true)?;
    let err = match Watcher::open(cfg.clone(), state.clone(), true) {
        Ok(_) => panic!("two watchers on one state file"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("shared.json") && err.contains("another sitrep watch"),
        "{err}"
    );
    // Another state file is fine; the same one once the first watcher is gone.
    Watcher::open(cfg.clone(), dir.path().join("other.json"), true)?;
    drop(first);
    Watcher::open(cfg, state, true)?;
    Ok(())
}

/// Pages of two hosts are fetched at once (`fetch_workers = 2`), one request at a time per
/// host: the server holds each host's first page until the other host's has arrived too.
/// The two hosts are `127.0.0.1` and `localhost` (both this server).
#[test]
fn pages_of_different_hosts_are_fetched_at_once() -> Result<(), Box<dyn std::error::Error>> {
    #[derive(Default)]
    struct Meeting {
        arrived: usize,
        in_flight: HashMap<String, usize>,
        most_per_host: usize,
    }
    let meeting = Arc::new((Mutex::new(Meeting::default()), std::sync::Condvar::new()));
    let met = Arc::new(Mutex::new(Vec::new()));
    let port = Arc::new(Mutex::new(0u16));
    let (m, got, p) = (meeting.clone(), met.clone(), port.clone());
    let handler: Box<Handler> = Box::new(move |req: &Seen, _nth: usize| {
        let port = p.lock().map(|p| *p).unwrap_or(0);
        if req.path == "/two.xml" {
            let items: String = ["127.0.0.1", "localhost"]
                .iter()
                .flat_map(|h| {
                    (1..=3)
                        .map(move |i| format!("<item><link>http://{h}:{port}/p/{i}</link></item>"))
                })
                .collect();
            return reply(
                200,
                "application/rss+xml",
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Two</title>{items}</channel></rss>"#
                ),
            );
        }
        let host = req.headers.get("host").cloned().unwrap_or_default();
        let (lock, cvar) = &*m;
        let Ok(mut state) = lock.lock() else {
            return reply(500, "text/plain", "");
        };
        *state.in_flight.entry(host.clone()).or_default() += 1;
        let here = state.in_flight[&host];
        state.most_per_host = state.most_per_host.max(here);
        state.arrived += 1;
        cvar.notify_all();
        // Hold the first page of each host until two pages are in: only concurrent fetching
        // gets past this without the timeout.
        if let Ok((s, timeout)) =
            cvar.wait_timeout_while(state, Duration::from_secs(10), |s| s.arrived < 2)
        {
            state = s;
            if let Ok(mut g) = got.lock() {
                g.push(!timeout.timed_out());
            }
        } else {
            return reply(500, "text/plain", "");
        }
        *state.in_flight.entry(host).or_default() -= 1;
        drop(state);
        reply(
            200,
            "text/html",
            page(
                "A page",
                "<p>The ferry council of Ostra met again and agreed on the timetable.</p>",
            ),
        )
    });
    let server = Server::start(handler)?;
    if let Ok(mut p) = port.lock() {
        *p = server.port;
    }
    let dir = tempfile::tempdir()?;
    let cfg = config(
        &server,
        "fetch_workers = 2\nrobots = false\nallow_private = true",
        &["/two.xml"],
    );
    let mut w = Watcher::open(cfg, dir.path().join("two.json"), true)?;
    let (report, pages, problems) = poll(&mut w, 1, true);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!((report.fetched, pages.len()), (6, 6));
    let met = met.lock().map(|m| m.clone()).unwrap_or_default();
    assert_eq!(
        met.first(),
        Some(&true),
        "the two hosts' first pages never met: {met:?}"
    );
    let most = meeting.0.lock().map(|m| m.most_per_host).unwrap_or(99);
    assert_eq!(most, 1, "a host got two requests at once");
    Ok(())
}
