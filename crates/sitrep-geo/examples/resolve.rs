//! Loads the gazetteer, says how long it took and how much memory it holds, then resolves the
//! team's list of place names in context and counts the right answers.
//!
//! ```sh
//! cargo run --release -p sitrep-geo --example resolve [-- MODELS_GEO_DIR [LIST.tsv]] [-v]
//! ```
//! Defaults: `models/geo` and `crates/sitrep-geo/tests/data/resolve.tsv` (run from the
//! workspace root). `-v` prints every case, not only the misses.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sitrep_geo::{Context, Gazetteer};

/// Resident memory of this process in KiB (Linux), 0 elsewhere.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Great-circle-free distance check: both coordinates within `tol` degrees.
fn near(lat: f64, lon: f64, elat: f64, elon: f64, tol: f64) -> bool {
    (lat - elat).abs() <= tol && (lon - elon).abs() <= tol
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let mut paths = args.iter().filter(|a| *a != "-v");
    let dir = PathBuf::from(paths.next().map_or("models/geo", |s| s.as_str()));
    let list = PathBuf::from(
        paths
            .next()
            .map_or("crates/sitrep-geo/tests/data/resolve.tsv", |s| s.as_str()),
    );

    let before = rss_kib();
    let start = Instant::now();
    let gaz = match Gazetteer::load(&dir) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("resolve: error: {e}");
            return ExitCode::from(2);
        }
    };
    let load = start.elapsed();
    let after = rss_kib();
    println!(
        "loaded {} places under {} names from {} in {:.0} ms, {:.1} MiB resident (+{:.1} MiB)",
        gaz.len(),
        gaz.names(),
        dir.display(),
        load.as_secs_f64() * 1000.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0
    );

    let text = match std::fs::read_to_string(&list) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("resolve: error: {}: {e}", list.display());
            return ExitCode::from(2);
        }
    };
    let (mut total, mut right) = (0, 0);
    let start = Instant::now();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, ctx, country, lat, lon] = cols[..] else {
            eprintln!("resolve: error: {}: bad line {line:?}", list.display());
            return ExitCode::from(2);
        };
        let ctx = Context {
            countries: ctx
                .split(',')
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect(),
        };
        let (elat, elon) = (lat.parse().unwrap_or(0.0), lon.parse().unwrap_or(0.0));
        let got = gaz.resolve(name, &ctx);
        let ok = match &got {
            None => country == "-",
            Some(p) => p.country == country && near(p.lat, p.lon, elat, elon, 1.5),
        };
        total += 1;
        right += usize::from(ok);
        if verbose || !ok {
            let got = got.map_or("nothing".to_string(), |p| {
                format!(
                    "{} {} {} ({:.2}, {:.2}) {:?}",
                    p.name, p.country, p.admin1, p.lat, p.lon, p.kind
                )
            });
            let mark = if ok { "ok  " } else { "MISS" };
            println!(
                "{mark} {name:?} {:?} -> {got}; expected {country} ({lat}, {lon})",
                ctx.countries
            );
        }
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / total.max(1) as f64;
    println!(
        "accuracy {right}/{total} = {:.3} ({per:.1} µs per name)",
        right as f64 / total.max(1) as f64
    );
    ExitCode::SUCCESS
}
