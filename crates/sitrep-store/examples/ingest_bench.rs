//! Ingest throughput of the store layer with several worker processes sharing one store.
//!
//! ```text
//! cargo run --release -p sitrep-store --example ingest_bench -- \
//!     [--db SPEC] [--workers N] [--articles N] [--batch N] [--overlap PERCENT]
//! ```
//!
//! Stores ARTICLES synthetic articles (about 5 KB of body, 11 KB of HTML source, entities,
//! quotes and events each; see `support/synthetic.rs`) with WORKERS processes at once, each
//! taking every WORKERS-th article and storing it in batches of BATCH (default 100), as
//! `sitrep ingest` workers on several machines would. With `--overlap P`, each worker also
//! offers P% of the next worker's articles, so that workers race to store the same articles
//! (the store must count each once). The store starts empty:
//!
//! - `--db postgres://...`: a fresh schema `sitrep_bench_<pid>` in that database, dropped
//!   afterwards;
//! - `--db PATH` or `sqlite://PATH`: that file, which must not exist yet (kept afterwards);
//! - no `--db`: a SQLite file in a temporary folder.
//!
//! Prints on stdout one line per worker and the total: articles stored per second of wall time,
//! from the first worker's first batch to the last worker's last (generating the articles is
//! not timed). Checks that the store holds every article once.

use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sitrep_store::Store;

#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{Rng, article};

#[derive(Debug, Clone)]
struct Options {
    db: Option<String>,
    workers: usize,
    articles: usize,
    batch: usize,
    overlap: usize,
    /// Set in the worker processes: which worker this is.
    worker: Option<usize>,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        db: None,
        workers: 1,
        articles: 10_000,
        batch: 100,
        overlap: 0,
        worker: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<usize>()
                .map_err(|e| format!("{flag}: bad number {v:?}: {e}"))
        };
        match flag.as_str() {
            "--db" => o.db = Some(value()?),
            "--workers" => o.workers = number(value()?)?.max(1),
            "--articles" => o.articles = number(value()?)?,
            "--batch" => o.batch = number(value()?)?.max(1),
            "--overlap" => o.overlap = number(value()?)?.min(100),
            "--worker" => o.worker = Some(number(value()?)?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

/// The articles worker `w` offers: its own share, then `overlap`% of the next worker's.
fn share(o: &Options, w: usize) -> Vec<usize> {
    let own = |w: usize| (w..o.articles).step_by(o.workers);
    let mut ids: Vec<usize> = own(w).collect();
    if o.workers > 1 && o.overlap > 0 {
        let next: Vec<usize> = own((w + 1) % o.workers).collect();
        ids.extend(next.iter().take(next.len() * o.overlap / 100));
    }
    ids
}

/// Wall-clock time, comparable across the worker processes (an `Instant` is not): the
/// benchmark measures time, so it reads the clock.
#[allow(clippy::disallowed_methods)]
fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// One worker process: generate its articles, then store them; prints
/// `START_NS END_NS STORED DUPLICATES` on stdout.
fn worker(o: &Options, w: usize, db: &str) -> Result<(), Box<dyn std::error::Error>> {
    let items: Vec<_> = share(o, w)
        .into_iter()
        .map(|n| {
            let seed =
                0x9E37_79B9_7F4A_7C15_u64 ^ (n as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D);
            article(n, &mut Rng(seed | 1))
        })
        .collect();
    let mut store = Store::open(db)?;
    let start = unix_nanos();
    let (mut stored, mut duplicates) = (0, 0);
    for chunk in items.chunks(o.batch) {
        let outcome = store.insert_batch(chunk)?;
        stored += outcome.stored;
        duplicates += outcome.duplicates;
    }
    let end = unix_nanos();
    println!("{start} {end} {stored} {duplicates}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = parse()?;
    if let Some(w) = o.worker {
        let db = o.db.clone().ok_or("a worker needs --db")?;
        return worker(&o, w, &db);
    }

    // The store, empty.
    let dir = tempfile::tempdir()?;
    let (db, schema) = match o.db.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let schema = format!("sitrep_bench_{}", std::process::id());
            let mut admin = postgres::Client::connect(url, postgres::NoTls)?;
            admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
            let sep = if url.contains('?') { '&' } else { '?' };
            (
                format!("{url}{sep}options=-csearch_path%3D{schema}"),
                Some((url.to_string(), schema)),
            )
        }
        Some(path) => {
            let file = path.strip_prefix("sqlite://").unwrap_or(path);
            if std::path::Path::new(file).exists() {
                return Err(format!("{file} exists: the benchmark needs a new store").into());
            }
            (path.to_string(), None)
        }
        None => (dir.path().join("bench.db").display().to_string(), None),
    };
    // Created and migrated once, before the clock starts.
    drop(Store::open(&db)?);

    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let children = (0..o.workers)
        .map(|w| {
            Command::new(&exe)
                .args(["--db", &db, "--worker", &w.to_string()])
                .args(["--workers", &o.workers.to_string()])
                .args(["--articles", &o.articles.to_string()])
                .args(["--batch", &o.batch.to_string()])
                .args(["--overlap", &o.overlap.to_string()])
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut reports = Vec::new();
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(format!("worker {w} failed ({})", out.status).into());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<u128> = text
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        let [start, end, stored, duplicates] = fields[..] else {
            return Err(format!("worker {w} reported {text:?}").into());
        };
        reports.push((start, end, stored, duplicates));
    }
    let elapsed = started.elapsed().as_secs_f64();

    let first = reports.iter().map(|r| r.0).min().unwrap_or(0);
    let last = reports.iter().map(|r| r.1).max().unwrap_or(0);
    let wall = (last.saturating_sub(first)) as f64 / 1e9;
    for (w, (start, end, stored, duplicates)) in reports.iter().enumerate() {
        let secs = (end - start) as f64 / 1e9;
        println!(
            "worker {w}: {stored} stored, {duplicates} duplicates in {secs:.2} s: {:.0} articles/s",
            (*stored + *duplicates) as f64 / secs
        );
    }
    let stored: u128 = reports.iter().map(|r| r.2).sum();
    let duplicates: u128 = reports.iter().map(|r| r.3).sum();
    println!(
        "total: {} workers, {stored} stored, {duplicates} duplicates in {wall:.2} s: {:.0} articles/s ({elapsed:.1} s with generating)",
        o.workers,
        stored as f64 / wall
    );

    let store = Store::open(&db)?;
    let count = store.count_articles()?;
    drop(store);
    if let Some((url, schema)) = schema {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
        admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    }
    if stored != o.articles as u128 || count != o.articles as u64 {
        return Err(format!(
            "expected {} articles stored once, got {stored} stored and {count} in the store",
            o.articles
        )
        .into());
    }
    Ok(())
}
