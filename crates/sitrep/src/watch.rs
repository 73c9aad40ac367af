//! `sitrep watch`: polls the feeds of a config file (sitrep-feeds) and ingests their new
//! article pages exactly as `sitrep ingest` ingests an `.html` file: same cleaning, analysis,
//! store batches and story refresh (see `pipeline`), with `--embed` the same sentence
//! embeddings. Feed item metadata fills what a page lacks.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use sitrep_feeds::{ArticlePage, Config, Watcher};
use sitrep_ingest::{DocKind, RawDoc, clean, input::GivenMeta};
use sitrep_model::{Article, SourceFormat};
use sitrep_store::Store;

use crate::pipeline::{self, Options};
use crate::report::{Reporter, Summary};

/// What `sitrep watch` was asked to do.
pub struct WatchArgs {
    pub config: PathBuf,
    pub db: String,
    pub once: bool,
    pub interval: Option<Duration>,
    pub allow_private: bool,
    pub state: Option<PathBuf>,
    pub quiet: bool,
}

/// The clock of the watch loop (Unix seconds): feed intervals and retry times.
#[allow(clippy::disallowed_methods)] // the CLI owns the clock; sitrep-feeds takes `now` from here
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Polls until killed (or once with `--once`); every poll stores what it fetched.
pub fn watch(args: &WatchArgs, opts: &Options, reporter: &Reporter) -> anyhow::Result<Summary> {
    let mut config = Config::load(&args.config)?;
    if let Some(interval) = args.interval {
        config.settings.interval = interval;
    }
    let state_path = match (&args.state, &config.settings.state) {
        (Some(p), _) => p.clone(),
        // Relative to the config file's folder.
        (None, Some(p)) => args
            .config
            .parent()
            .map(|d| d.join(p))
            .unwrap_or_else(|| PathBuf::from(p)),
        (None, None) => sitrep_feeds::default_state_path(&args.config),
    };
    let db = &args.db;
    let mut store = Store::open(db).with_context(|| format!("cannot open store {db}"))?;
    if opts.embedder.is_some() {
        crate::pipeline::warn_unembedded(&store, db);
    }
    let mut watcher = Watcher::open(config, state_path, args.allow_private)?;
    let mut summary = Summary::default();
    loop {
        let now = unix_now();
        let written_before = summary.written;
        let report = watcher.poll(
            now,
            args.once,
            opts.batch,
            &mut |p| reporter.input_failed(&p.url, &p.reason),
            &mut |pages| ingest_pages(pages, opts, &mut store, db, reporter, &mut summary),
        )?;
        summary.failed += report.feeds_failed + report.failed;
        // Only the stories near the new articles (all of them when one is undated).
        pipeline::refresh_after(&mut store, db)?;
        tracing::info!(
            feeds = report.feeds_polled,
            not_modified = report.not_modified,
            feeds_failed = report.feeds_failed,
            new_links = report.new_links,
            fetched = report.fetched,
            failed = report.failed,
            given_up = report.given_up,
            stored = summary.written - written_before,
            "poll finished"
        );
        if args.once {
            break;
        }
        if !args.quiet && report.feeds_polled + report.fetched > 0 {
            eprintln!(
                "sitrep: polled {} feeds ({} not modified, {} failed), {} new links, {} pages fetched, {} stored, {} failed",
                report.feeds_polled,
                report.not_modified,
                report.feeds_failed,
                report.new_links,
                report.fetched,
                summary.written - written_before,
                report.failed
            );
        }
        let wait = watcher.next_due(unix_now()).max(1) as u64;
        std::thread::sleep(Duration::from_secs(wait));
    }
    reporter.finish("stored", &summary);
    Ok(summary)
}

/// The fetched pages through ingest's HTML path, analysed and stored in one transaction.
fn ingest_pages(
    pages: Vec<ArticlePage>,
    opts: &Options,
    store: &mut Store,
    db: &str,
    reporter: &Reporter,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    summary.read += pages.len();
    let docs: Vec<(RawDoc, ArticlePage)> = pages
        .into_iter()
        .map(|mut page| {
            let doc = RawDoc {
                input: page.url.clone(),
                format: SourceFormat::Html,
                kind: DocKind::Html,
                bytes: std::mem::take(&mut page.bytes),
                charset: page.charset.clone(),
                url: Some(page.final_url.clone()),
                given: GivenMeta::default(),
            };
            (doc, page)
        })
        .collect();
    let cleaned = pipeline::analyse(opts, docs, |(doc, page)| {
        clean(doc, &opts.clean).map(|article| with_feed_meta(article, &page))
    });
    let mut articles = Vec::with_capacity(cleaned.len());
    for result in cleaned {
        match result {
            Ok(pair) => articles.push(pair),
            Err(e) => {
                summary.failed += 1;
                reporter.input_failed(&e.input, &e.reason);
            }
        }
    }
    pipeline::store_batch(store, db, &articles, opts.embedder.as_deref(), summary)?;
    reporter.progress(summary);
    Ok(())
}

/// The feed item's title, date and authors where the page has none; the configured outlet
/// name wins, the feed's own (publication or feed title) only fills a gap.
fn with_feed_meta(mut article: Article, page: &ArticlePage) -> Article {
    let meta = &page.meta;
    if article.title.is_none() {
        article.title = meta.title.clone();
    }
    if article.published.is_none() {
        article.published = meta.published;
    }
    if article.authors.is_empty() {
        article.authors = meta.authors.clone();
    }
    match &page.outlet {
        Some(outlet) => article.outlet = Some(outlet.clone()),
        None if article.outlet.is_none() => article.outlet = meta.outlet.clone(),
        None => {}
    }
    article
}
