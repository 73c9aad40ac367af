//! The stages wired together: inputs -> clean (in parallel, order kept) -> output or store.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;
use sitrep_ingest::{CleanOptions, InputError, Inputs, RawDoc, clean};
use sitrep_model::{Article, ArticleRecord, Extraction};
use sitrep_store::Store;

use crate::report::{Reporter, Summary};

/// What to read and how.
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub clean: CleanOptions,
    pub batch: usize,
    /// Entities and quotes are extracted when set (`extract`, `ingest`).
    pub analyzer: Option<std::sync::Arc<sitrep_extract::Analyzer>>,
    /// Each new article's title and lead are embedded and stored with it when set
    /// (`ingest`, `watch`, `stories FILES` when embeddings are on), for the story refresh.
    pub embedder: Option<std::sync::Arc<sitrep_embed::Embedder>>,
}

/// Whether articles are embedded (`--embed`, `--no-embed`, `SITREP_EMBED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedMode {
    /// When the model is installed; without it, a warning and no embeddings.
    Auto,
    /// Always: a missing model is an error.
    On,
    /// Never.
    Off,
}

/// The sentence embedder `mode` asks for, from [`sitrep_embed::default_model_dir`]: `None` for
/// [`EmbedMode::Off`], and for [`EmbedMode::Auto`] when the model folder has no `config.json`
/// (with a warning saying what that costs and how to install it). A model that is there but
/// cannot be loaded is an error in both other modes: the user asked for it, or installed it.
pub fn embedder(mode: EmbedMode) -> anyhow::Result<Option<std::sync::Arc<sitrep_embed::Embedder>>> {
    let dir = sitrep_embed::default_model_dir();
    match mode {
        EmbedMode::Off => Ok(None),
        EmbedMode::Auto if !dir.join("config.json").is_file() => {
            tracing::warn!(
                "no sentence embedding model in {}: stories are grouped without embeddings \
                 (run scripts/fetch-models to install it, or pass --no-embed to say so)",
                dir.display()
            );
            Ok(None)
        }
        EmbedMode::Auto | EmbedMode::On => {
            let embedder = load_embedder(&dir).context("--no-embed goes without embeddings")?;
            Ok(Some(std::sync::Arc::new(embedder)))
        }
    }
}

/// The sentence embedder of `ingest`, `watch`, `stories` and `embed`, from `dir`
/// (`SITREP_EMBED_DIR`, else `models/minilm`, which `scripts/fetch-models` fills); a missing
/// model is an error naming the file.
pub fn load_embedder(dir: &std::path::Path) -> anyhow::Result<sitrep_embed::Embedder> {
    sitrep_embed::Embedder::load(dir).with_context(|| {
        format!(
            "cannot load the sentence embedding model from {}",
            dir.display()
        )
    })
}

/// Reads the inputs in batches and cleans each batch in parallel; `sink` gets the articles of
/// each batch in input order. Input errors are reported and counted, never fatal.
pub fn run<F>(
    opts: &Options,
    reporter: &Reporter,
    summary: &mut Summary,
    mut sink: F,
) -> anyhow::Result<()>
where
    F: FnMut(Vec<(Article, Extraction)>, &mut Summary) -> anyhow::Result<()>,
{
    // A reader thread reads ahead (bounded) while the batch before is cleaned.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<RawDoc, InputError>>(opts.batch * 2);
    let paths = opts.paths.clone();
    let reader = std::thread::Builder::new()
        .name("sitrep-reader".into())
        .spawn(move || {
            for item in Inputs::new(&paths) {
                if tx.send(item).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the reader thread")?;
    let result = clean_batches(opts, reporter, summary, &rx, &mut sink);
    drop(rx);
    if reader.join().is_err() {
        anyhow::bail!("the reader thread panicked");
    }
    result
}

fn clean_batches<F>(
    opts: &Options,
    reporter: &Reporter,
    summary: &mut Summary,
    rx: &std::sync::mpsc::Receiver<Result<RawDoc, InputError>>,
    sink: &mut F,
) -> anyhow::Result<()>
where
    F: FnMut(Vec<(Article, Extraction)>, &mut Summary) -> anyhow::Result<()>,
{
    loop {
        let mut batch: Vec<RawDoc> = Vec::with_capacity(opts.batch);
        for item in rx.iter() {
            match item {
                Ok(doc) => {
                    batch.push(doc);
                    if batch.len() == opts.batch {
                        break;
                    }
                }
                Err(e) => fail(reporter, summary, &e),
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        summary.read += batch.len();
        let cleaned = analyse(opts, batch, |doc| clean(doc, &opts.clean));
        let mut articles = Vec::with_capacity(cleaned.len());
        for result in cleaned {
            match result {
                Ok((article, extraction)) => {
                    for d in &article.diagnostics {
                        tracing::info!(input = %article.input, "{d}");
                    }
                    articles.push((article, extraction));
                }
                Err(e) => {
                    summary.failed += 1;
                    reporter.input_failed(&e.input, &e.reason);
                }
            }
        }
        sink(articles, summary)?;
        reporter.progress(summary);
    }
}

/// Cleans (with `clean_doc`) and analyses documents in parallel; results in input order.
pub fn analyse<T: Send>(
    opts: &Options,
    docs: Vec<T>,
    clean_doc: impl Fn(T) -> Result<Article, InputError> + Sync + Send,
) -> Vec<Result<(Article, Extraction), InputError>> {
    docs.into_par_iter()
        .map(|doc| {
            let article = clean_doc(doc)?;
            let extraction = match &opts.analyzer {
                Some(analyzer) => analyzer.extract_dated(
                    article.title.as_deref(),
                    &article.body,
                    article.published,
                ),
                None => Extraction::default(),
            };
            Ok((article, extraction))
        })
        .collect()
}

fn fail(reporter: &Reporter, summary: &mut Summary, e: &InputError) {
    summary.failed += 1;
    reporter.input_failed(&e.input, &e.reason);
}

/// `sitrep extract`: one JSON object per article on stdout.
pub fn extract(opts: &Options, pretty: bool, reporter: &Reporter) -> anyhow::Result<Summary> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let result = run(opts, reporter, &mut summary, |articles, summary| {
        for (article, extraction) in articles {
            let record = ArticleRecord::new(article, extraction);
            if pretty {
                serde_json::to_writer_pretty(&mut out, &record)?;
            } else {
                serde_json::to_writer(&mut out, &record)?;
            }
            out.write_all(b"\n")?;
            summary.written += 1;
        }
        out.flush()?;
        Ok(())
    });
    match result {
        // A closed pipe (`sitrep extract | head`) ends the run quietly.
        Err(e) if is_broken_pipe(&e) => return Ok(summary),
        other => other.context("cannot write to standard output")?,
    }
    reporter.finish("written", &summary);
    Ok(summary)
}

pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// `sitrep ingest`: clean and store, one transaction per batch, duplicates skipped; then the
/// stories near the new articles are refreshed (all of them with `full_refresh`).
pub fn ingest(
    opts: &Options,
    db: &str,
    full_refresh: bool,
    reporter: &Reporter,
) -> anyhow::Result<Summary> {
    let spec = db;
    // Shown without a password.
    let db = &sitrep_store::redact(spec);
    let mut store = Store::open(spec).with_context(|| format!("cannot open store {db}"))?;
    let mut summary = Summary::default();
    run(opts, reporter, &mut summary, |articles, summary| {
        store_batch(&mut store, db, &articles, opts.embedder.as_deref(), summary)
    })?;
    // Stories follow the store's articles; `--full-refresh` recomputes them even when nothing
    // new was stored.
    if full_refresh {
        refresh_stories(&mut store, db)?;
    } else {
        refresh_after(&mut store, db)?;
    }
    if opts.embedder.is_some() {
        warn_unembedded(&store, db);
    }
    reporter.finish("stored", &summary);
    Ok(summary)
}

/// With embeddings on, says when stored articles still lack one (ingested with `--no-embed`
/// or before the model was installed): until they have one the stories are grouped without
/// embeddings, and `sitrep embed` back-fills them.
pub fn warn_unembedded(store: &Store, db: &str) {
    match store.count_unembedded() {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            "{n} stored articles in {db} have no sentence embedding, so the stories are grouped \
             without embeddings: run `sitrep embed` once to add them"
        ),
        Err(e) => tracing::warn!("cannot count the articles without an embedding in {db}: {e}"),
    }
}

/// Stores one batch in one transaction, counting stored articles and duplicates; with an
/// `embedder`, each article not stored yet is stored with the embedding of its title and lead
/// ([`sitrep_embed::article_lead`], as `sitrep-eval stories` embeds its documents).
pub fn store_batch(
    store: &mut Store,
    db: &str,
    articles: &[(Article, Extraction)],
    embedder: Option<&sitrep_embed::Embedder>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    if articles.is_empty() {
        return Ok(());
    }
    let embeddings = match embedder {
        Some(embedder) => embed_new(store, db, articles, embedder)?,
        None => Vec::new(),
    };
    let outcome = store
        .insert_batch_embedded(articles, &embeddings)
        .with_context(|| format!("cannot write to store {db}"))?;
    summary.written += outcome.stored;
    summary.duplicates += outcome.duplicates;
    Ok(())
}

/// The embeddings of a batch's articles, in order; empty for an article already stored (it is
/// a duplicate, not written again), so a repeated ingest embeds nothing.
fn embed_new(
    store: &Store,
    db: &str,
    articles: &[(Article, Extraction)],
    embedder: &sitrep_embed::Embedder,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut new = Vec::new();
    for (i, (a, _)) in articles.iter().enumerate() {
        if !store
            .contains(&a.id)
            .with_context(|| format!("cannot read store {db}"))?
        {
            new.push(i);
        }
    }
    let vectors = crate::stories::embed_leads(
        embedder,
        new.iter()
            .map(|&i| (articles[i].0.title.as_deref(), articles[i].0.body.as_str())),
    )?;
    let mut out = vec![Vec::new(); articles.len()];
    for (i, v) in new.into_iter().zip(vectors) {
        out[i] = v;
    }
    Ok(out)
}

/// Updates the stories near the articles no story holds yet (all of them when one is undated;
/// nothing when there is none): see [`crate::stories::refresh_after`].
pub fn refresh_after(store: &mut Store, db: &str) -> anyhow::Result<()> {
    let refreshed = crate::stories::refresh_after(store)
        .with_context(|| format!("cannot update the stories in {db}"))?;
    match refreshed {
        crate::stories::Refreshed::Full(n) => {
            tracing::info!(
                stories = n,
                "stories updated (all: undated articles stored)"
            )
        }
        crate::stories::Refreshed::Incremental { replaced, written } => {
            tracing::info!(replaced, written, "stories near the new articles updated")
        }
    }
    Ok(())
}

/// Rebuilds the store's stories from its articles.
pub fn refresh_stories(store: &mut Store, db: &str) -> anyhow::Result<()> {
    let n = crate::stories::refresh(store)
        .with_context(|| format!("cannot update the stories in {db}"))?;
    tracing::info!(stories = n, "stories updated");
    Ok(())
}
