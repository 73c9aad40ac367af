//! How fast `Store::insert_batch` stores articles.
//!
//! ```text
//! cargo run --release -p sitrep-store --example insert_bench -- [ARTICLES] [BATCH] [DB_PATH]
//! ```
//!
//! Generates ARTICLES (default 20000) synthetic articles of about 5 KB of body text (an HTML
//! source about twice that size, an offset map of one segment per paragraph, a few entities,
//! quotes and events), stores them in batches of BATCH (default 100) into a new file database
//! (DB_PATH, default a temporary folder), then stores them all again (all duplicates). Prints
//! articles per second for both passes on stdout.

use std::time::Instant;

use sitrep_store::Store;

#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{Rng, article};

/// CPU time of this (single-threaded) process so far, from Linux's `/proc/self/schedstat`, to
/// tell the store's own cost from time spent waiting for the disk or for other processes.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let batch_size: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100)
        .max(1);
    let dir = tempfile::tempdir()?;
    let path = args
        .next()
        .map_or_else(|| dir.path().join("bench.db"), Into::into);

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let items: Vec<_> = (0..total).map(|n| article(n, &mut rng)).collect();
    let body_bytes: usize = items.iter().map(|(a, _)| a.body.len()).sum();
    let source_bytes: usize = items.iter().map(|(a, _)| a.source.len()).sum();
    eprintln!(
        "{total} articles, body {:.1} KB and source {:.1} KB on average, batches of {batch_size}, into {}",
        body_bytes as f64 / total as f64 / 1000.0,
        source_bytes as f64 / total as f64 / 1000.0,
        path.display()
    );

    let mut store = Store::open_path(&path)?;
    for (pass, expect_new) in [("new", true), ("duplicates", false)] {
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let (mut stored, mut duplicates) = (0, 0);
        for chunk in items.chunks(batch_size) {
            let outcome = store.insert_batch(chunk)?;
            stored += outcome.stored;
            duplicates += outcome.duplicates;
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu_start).map(|(end, start)| end - start);
        assert_eq!(stored, if expect_new { total } else { 0 });
        println!(
            "{pass}: {stored} stored, {duplicates} duplicates in {secs:.2} s: {:.0} articles/s{}",
            total as f64 / secs,
            cpu.map(|c| format!(
                " ({c:.2} s on the cpu: {:.0} articles per cpu second)",
                total as f64 / c
            ))
            .unwrap_or_default()
        );
    }
    drop(store);
    let size = std::fs::metadata(&path)?.len()
        + std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len());
    println!(
        "database: {:.1} MB ({:.1} KB per article)",
        size as f64 / 1e6,
        size as f64 / total as f64 / 1000.0
    );
    Ok(())
}
