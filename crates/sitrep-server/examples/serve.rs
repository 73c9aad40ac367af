//! The server alone, without the rest of the CLI (for benchmarks: builds much faster than the
//! `sitrep` binary, same code path as `sitrep serve`).
//!
//! ```sh
//! cargo run --release -p sitrep-server --example serve -- /tmp/bench.sqlite 127.0.0.1:18080
//! ```

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .unwrap_or_else(|| "/tmp/sitrep-bench.sqlite".to_string());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18080".to_string());
    let reindex = args.next().is_some_and(|a| a == "--reindex");
    let started = std::time::Instant::now();
    let app = sitrep_server::App::open(&db, reindex)?;
    eprintln!(
        "{db}: store and search index ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("serving on http://{addr}/");
        sitrep_server::serve(listener, app).await
    })?;
    Ok(())
}
