//! Feed polling throughput against a local server (127.0.0.1, started here): an RSS feed of
//! `--pages` fictional article pages, each page distinct.
//!
//! ```text
//! cargo run --release -p sitrep-feeds --example bench -- --pages 200 --delay 0ms
//! cargo run --release -p sitrep-feeds --example bench -- --pages 200 --serve 300s --config /tmp/bench-feeds.toml
//! ```
//!
//! The first form polls the feed with the watcher and prints pages/s (fetching only). The
//! second writes a config for `sitrep watch --once --allow-private --config FILE` and serves
//! for the given time (at most), so that the whole watch + ingest path can be timed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Instant;

const PLACES: [&str; 8] = [
    "Brackwater",
    "Carvel",
    "Ostrand",
    "Melk Harbour",
    "Tessin Ford",
    "Ulmary",
    "Varro",
    "Quellin",
];
const PEOPLE: [&str; 8] = [
    "Ines Vollan",
    "Oona Lisk",
    "Tamsin Orlo",
    "Piet Marrow",
    "Hale Okonji",
    "Sera Danvik",
    "Jory Anfeld",
    "Mina Castell",
];
const TOPICS: [&str; 6] = [
    "the quay repairs",
    "the ferry timetable",
    "the new toll on the coast road",
    "the flood barrier",
    "the fishing quotas",
    "the school rebuilding",
];

fn page(i: usize) -> String {
    let place = PLACES[i % PLACES.len()];
    let person = PEOPLE[(i / 8) % PEOPLE.len()];
    let topic = TOPICS[(i / 64) % TOPICS.len()];
    let other = PLACES[(i + 3) % PLACES.len()];
    format!(
        "<!doctype html><html><head><title>{place} council meets on {topic} ({i})</title></head>\
         <body><article><h1>{place} council meets on {topic} ({i})</h1>\
         <p>The council of {place} met on Tuesday to discuss {topic}, mayor {person} said, \
         adding that {i} residents had written to the harbour office.</p>\
         <p>\"We will not wait for {other} to decide for us,\" {person} told reporters after \
         the meeting, which ran for {} hours.</p>\
         <p>Officials in {other} said they had sent {} engineers to help with {topic} and \
         expected the work to end before the winter storms.</p></article></body></html>",
        i % 5 + 1,
        i % 40 + 2
    )
}

fn feed(base: &str, pages: usize) -> String {
    let mut s = String::from("<rss version=\"2.0\"><channel><title>Bench Herald</title>");
    for i in 0..pages {
        s.push_str(&format!(
            "<item><title>Story {i}</title><link>{base}/a/{i}</link></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let pages: usize = arg(&args, "--pages").unwrap_or("200".into()).parse()?;
    let delay = sitrep_feeds::parse_duration(&arg(&args, "--delay").unwrap_or("0ms".into()))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let rss = feed(&base, pages);
    let deadline = arg(&args, "--serve")
        .map(|s| sitrep_feeds::parse_duration(&s))
        .transpose()?;
    let started = Instant::now();
    let server = std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let Ok(clone) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(clone);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let (ct, body) = match path.strip_prefix("/a/").and_then(|n| n.parse().ok()) {
                Some(i) => ("text/html", page(i)),
                None if path == "/rss.xml" => ("application/rss+xml", rss.clone()),
                None => ("text/plain", String::new()),
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            if deadline.is_some_and(|d| started.elapsed() > d) {
                break;
            }
        }
    });
    let config_text = format!(
        "[settings]\nhost_delay = \"{}ms\"\nmax_articles_per_poll = {pages}\n\n[[feed]]\nurl = \"{base}/rss.xml\"\n",
        delay.as_millis()
    );
    if let Some(deadline) = deadline {
        let path = arg(&args, "--config").unwrap_or("bench-feeds.toml".into());
        std::fs::write(&path, &config_text)?;
        println!("{path}: serving {pages} pages on {base} for at most {deadline:?}");
        // The accept loop ends at the first request after the deadline; this ends the process
        // at the deadline in any case.
        std::thread::sleep(deadline);
        drop(server);
        return Ok(());
    }
    let dir = std::env::temp_dir().join(format!("sitrep-feeds-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = sitrep_feeds::Config::parse(&config_text)?;
    let mut watcher = sitrep_feeds::Watcher::open(config, dir.join("state.json"), true)?;
    let t = Instant::now();
    let mut fetched = 0usize;
    let mut bytes = 0usize;
    let report = watcher.poll(
        0,
        true,
        64,
        &mut |p| eprintln!("{}: {}", p.url, p.reason),
        &mut |batch| {
            fetched += batch.len();
            bytes += batch.iter().map(|p| p.bytes.len()).sum::<usize>();
            Ok::<(), sitrep_feeds::Error>(())
        },
    )?;
    let secs = t.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "{fetched} pages ({} KB) in {secs:.2} s: {:.0} pages/s with host_delay {delay:?}; {} requests, {} failed",
        bytes / 1024,
        fetched as f64 / secs,
        watcher.requests(),
        report.failed
    );
    Ok(())
}
