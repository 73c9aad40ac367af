//! The `sitrep` command: parses flags, installs logging, wires the stages. Nothing else.
//!
//! Stdout carries data (JSON lines); stderr carries logs, progress and the summary line.
//! Exit status: 0 when every input was processed, 1 when some input failed (everything else was
//! still processed), 2 when the command could not run at all.

mod embed;
mod nlp;
mod pipeline;
mod report;
mod stories;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use sitrep_model::NaiveDate;

#[derive(Parser)]
#[command(
    name = "sitrep",
    version,
    about = "news intelligence: who said and did what, sourced"
)]
struct Cli {
    /// No progress and no summary; only errors on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    /// Shorthand for `--log-format json`.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args, Clone)]
struct InputArgs {
    /// Files or folders (recursive); `-` or nothing reads standard input.
    paths: Vec<PathBuf>,
    /// Publication date (YYYY-MM-DD) for inputs that carry none.
    #[arg(long, value_parser = parse_date)]
    published: Option<NaiveDate>,
    /// The en_core_web_sm model folder (default: the one `scripts/fetch-models` fills).
    #[arg(long, env = "SITREP_MODEL_DIR")]
    model: Option<PathBuf>,
    /// Documents cleaned (and stored) together; one store transaction per batch.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    batch: u16,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse articles without storing them: one JSON object per article on stdout.
    Extract {
        #[command(flatten)]
        inputs: InputArgs,
        /// Pretty-print each object (no longer one per line).
        #[arg(long)]
        pretty: bool,
    },
    /// Analyse articles and store them (idempotent: an article is stored once).
    Ingest {
        #[command(flatten)]
        inputs: InputArgs,
        /// Store: `sqlite://PATH`, a path, or `postgres://USER@HOST:PORT/DB` (default:
        /// sitrep.sqlite in the data folder).
        #[arg(long, env = "SITREP_DB")]
        db: Option<String>,
        /// Recompute every story from all stored articles, not only the stories near the new
        /// articles' publication dates.
        #[arg(long)]
        full_refresh: bool,
        #[command(flatten)]
        embed: EmbedArgs,
    },
    /// Back-fills sentence embeddings: embeds every stored article that has none (ingested
    /// with `--no-embed`, or before the model was installed) as `ingest` would have, then,
    /// once every article has one,
    /// recomputes the stories with them. Re-run after an interruption: it goes on where it
    /// stopped. Model: `SITREP_EMBED_DIR`, else models/minilm (`scripts/fetch-models`).
    Embed {
        /// Store: `sqlite://PATH`, a path, or `postgres://USER@HOST:PORT/DB` (default:
        /// sitrep.sqlite in the data folder).
        #[arg(long, env = "SITREP_DB")]
        db: Option<String>,
        /// Articles embedded together; one store transaction per batch.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
        batch: u16,
        /// Recompute every story even when nothing was embedded (after a run stopped between
        /// its last batch and its story recompute).
        #[arg(long)]
        full_refresh: bool,
    },
    /// Linguistic analysis: tokens, sentences, tags, dependency parse, named entities.
    Nlp {
        #[command(flatten)]
        inputs: InputArgs,
        /// `conll`: one token per line in, `token<TAB>BIO-tag` out (sentences split by blank
        /// lines); `json`: articles in (as `extract`), their analysis out.
        #[arg(long, value_enum, default_value_t = NlpFormat::Json)]
        format: NlpFormat,
    },
    /// Stories: with PATHs, those inputs extracted and grouped in memory; otherwise the
    /// store's articles. One JSON object per story (articles, outlets, entities, merged quotes
    /// and events, disagreements).
    Stories {
        #[command(flatten)]
        inputs: InputArgs,
        /// Store to read when no PATH is given: `sqlite://PATH`, a path, or
        /// `postgres://USER@HOST:PORT/DB`.
        #[arg(long, env = "SITREP_DB")]
        db: Option<String>,
        #[command(flatten)]
        embed: EmbedArgs,
    },
    /// The HTTP API and the web pages over a store (search index in `<db>.index/`; for
    /// PostgreSQL in the temporary folder).
    Serve {
        /// Store: `sqlite://PATH`, a path, or `postgres://USER@HOST:PORT/DB` (default:
        /// sitrep.sqlite in the data folder).
        #[arg(long, env = "SITREP_DB")]
        db: Option<String>,
        /// Address to listen on; only this address is bound.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Rebuild the search index before serving (it is also rebuilt when missing or stale).
        #[arg(long)]
        reindex: bool,
    },
    /// Polls the RSS/Atom feeds and sitemaps of a config file and ingests their new articles
    /// (fetched politely; private and loopback addresses refused unless allowed).
    Watch {
        /// The feeds config (TOML; see examples/feeds.toml).
        #[arg(long)]
        config: PathBuf,
        /// Store: `sqlite://PATH` or a path (default: sitrep.sqlite in the data folder).
        #[arg(long, env = "SITREP_DB")]
        db: Option<String>,
        /// Poll every feed once, fetch and store what is new, then exit.
        #[arg(long)]
        once: bool,
        /// Default time between two polls of a feed (`300s`, `5m`, `1h`).
        #[arg(long, value_parser = sitrep_feeds::parse_duration)]
        interval: Option<std::time::Duration>,
        /// Allow fetching from private, loopback, link-local and other non-public addresses.
        #[arg(long)]
        allow_private: bool,
        /// State file (default: beside the config, `<name>.state.json`).
        #[arg(long)]
        state: Option<PathBuf>,
        /// The en_core_web_sm model folder (default: the one `scripts/fetch-models` fills).
        #[arg(long, env = "SITREP_MODEL_DIR")]
        model: Option<PathBuf>,
        /// Pages analysed and stored together; one store transaction per batch.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
        batch: u16,
        #[command(flatten)]
        embed: EmbedArgs,
    },
}

/// Whether articles get a sentence embedding for the story clustering.
#[derive(clap::Args, Clone)]
struct EmbedArgs {
    /// Sentence embeddings (MiniLM) of each article's title and lead, mixed into the story
    /// clustering once every stored article has one: long articles group better (BENCHMARKS.md,
    /// Stories), at some 4 times the ingest time on 2 cores. `auto` (the default): on when the
    /// model is installed (`SITREP_EMBED_DIR`, else models/minilm, which `scripts/fetch-models`
    /// fills), off with a warning when it is not; `on` (`--embed` alone): a missing model is
    /// an error; `off`: no embeddings (as `--no-embed`).
    #[arg(
        long,
        env = "SITREP_EMBED",
        value_enum,
        default_value_t = EmbedMode::Auto,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "on"
    )]
    embed: EmbedMode,
    /// No embeddings: the same as `--embed=off` (faster; the stories use words, names, places
    /// and figures only).
    #[arg(long)]
    no_embed: bool,
}

impl EmbedArgs {
    fn mode(&self) -> pipeline::EmbedMode {
        match (self.no_embed, self.embed) {
            (true, _) | (false, EmbedMode::Off) => pipeline::EmbedMode::Off,
            (false, EmbedMode::On) => pipeline::EmbedMode::On,
            (false, EmbedMode::Auto) => pipeline::EmbedMode::Auto,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EmbedMode {
    Auto,
    On,
    Off,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NlpFormat {
    Conll,
    Json,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// The data folder: `SITREP_DATA_DIR`, else `$XDG_DATA_HOME/sitrep`, else `~/.local/share/sitrep`.
fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SITREP_DATA_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("sitrep");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/sitrep"),
        None => PathBuf::from(".sitrep"),
    }
}

/// The default store: `sitrep.sqlite` in the data folder.
fn default_db() -> String {
    format!("sqlite://{}", data_dir().join("sitrep.sqlite").display())
}

/// `sitrep serve`: opens the store and its search index, then serves until killed.
fn serve(db: &str, addr: std::net::SocketAddr, reindex: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let spec = db;
    // Shown without a password.
    let db = &sitrep_store::redact(spec);
    let app =
        sitrep_server::App::open(spec, reindex).with_context(|| format!("cannot serve {db}"))?;
    tracing::info!(
        db,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "store and search index ready"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!("sitrep: serving {db} on http://{addr}/");
        sitrep_server::serve(listener, app)
            .await
            .with_context(|| format!("serving on {addr} failed"))
    })
}

fn model_dir(inputs: &InputArgs) -> PathBuf {
    inputs
        .model
        .clone()
        .unwrap_or_else(sitrep_nlp::default_model_dir)
}

/// Reading options with the model loaded for entity and quote extraction.
fn with_analyzer(inputs: InputArgs) -> anyhow::Result<pipeline::Options> {
    let model = model_dir(&inputs);
    let nlp = nlp::load_pipeline(&model)?;
    let mut opts: pipeline::Options = inputs.into();
    let mut analyzer = sitrep_extract::Analyzer::new(nlp);
    // The gazetteer lives beside the language model (`models/geo`, fetched by
    // scripts/fetch-models); without it event places get no coordinates.
    let geo = model
        .parent()
        .map(|p| p.join("geo"))
        .unwrap_or_else(|| PathBuf::from("geo"));
    match sitrep_geo::Gazetteer::load(&geo) {
        Ok(g) => analyzer = analyzer.with_gazetteer(g),
        Err(e) => tracing::warn!("no gazetteer, event places get no coordinates: {e}"),
    }
    opts.analyzer = Some(std::sync::Arc::new(analyzer));
    Ok(opts)
}

/// `opts` with the sentence embedder `mode` asks for ([`pipeline::embedder`]).
fn with_embedder(
    mut opts: pipeline::Options,
    mode: pipeline::EmbedMode,
) -> anyhow::Result<pipeline::Options> {
    opts.embedder = pipeline::embedder(mode)?;
    Ok(opts)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_logs = cli.json || cli.log_format == LogFormat::Json;
    report::install_logging(json_logs);
    let reporter = report::Reporter::new(cli.quiet, json_logs);
    let result = match cli.command {
        Command::Extract { inputs, pretty } => {
            with_analyzer(inputs).and_then(|opts| pipeline::extract(&opts, pretty, &reporter))
        }
        Command::Ingest {
            inputs,
            db,
            full_refresh,
            embed,
        } => {
            let db = db.unwrap_or_else(default_db);
            with_analyzer(inputs)
                .and_then(|opts| with_embedder(opts, embed.mode()))
                .and_then(|opts| pipeline::ingest(&opts, &db, full_refresh, &reporter))
        }
        Command::Embed {
            db,
            batch,
            full_refresh,
        } => embed::command(
            &db.unwrap_or_else(default_db),
            usize::from(batch),
            full_refresh,
            || pipeline::load_embedder(&sitrep_embed::default_model_dir()),
            &reporter,
        ),
        Command::Stories { inputs, db, embed } => {
            stories_command(inputs, db, embed.mode(), &reporter)
        }
        Command::Serve { db, addr, reindex } => {
            serve(&db.unwrap_or_else(default_db), addr, reindex).map(|()| Default::default())
        }
        Command::Watch {
            config,
            db,
            once,
            interval,
            allow_private,
            state,
            model,
            batch,
            embed,
        } => {
            let args = watch::WatchArgs {
                config,
                db: db.unwrap_or_else(default_db),
                once,
                interval,
                allow_private,
                state,
                quiet: cli.quiet,
            };
            let inputs = InputArgs {
                paths: Vec::new(),
                published: None,
                model,
                batch,
            };
            with_analyzer(inputs)
                .and_then(|opts| with_embedder(opts, embed.mode()))
                .and_then(|opts| watch::watch(&args, &opts, &reporter))
        }
        Command::Nlp { inputs, format } => {
            let model = model_dir(&inputs);
            match format {
                NlpFormat::Conll => nlp::conll(&inputs.paths, &model, &reporter),
                NlpFormat::Json => nlp::json(&inputs.into(), &model, &reporter),
            }
        }
    };
    match result {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            reporter.fatal(&e);
            ExitCode::from(2)
        }
    }
}

/// `sitrep stories`: stories of the given inputs, or of the store, as JSON lines.
fn stories_command(
    inputs: InputArgs,
    db: Option<String>,
    embed: pipeline::EmbedMode,
    reporter: &report::Reporter,
) -> anyhow::Result<report::Summary> {
    use std::io::Write;
    let mut summary = report::Summary::default();
    let stories = if inputs.paths.is_empty() {
        let db = db.unwrap_or_else(default_db);
        let store = sitrep_store::Store::open(&db)
            .map_err(anyhow::Error::from)
            .map_err(|e| {
                let db = sitrep_store::redact(&db);
                e.context(format!("cannot open store {db}"))
            })?;
        let records = stories::stored_records(&store)?;
        stories::build_stored(&store, &records)?
    } else {
        let mut opts = with_analyzer(inputs)?;
        opts.embedder = pipeline::embedder(embed)?;
        let mut records = Vec::new();
        pipeline::run(&opts, reporter, &mut summary, |articles, _| {
            records.extend(
                articles
                    .into_iter()
                    .map(|(a, x)| sitrep_model::ArticleRecord::new(a, x)),
            );
            Ok(())
        })?;
        stories::build(&records, opts.embedder.as_deref())?
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for story in stories {
        let written = serde_json::to_writer(&mut out, &story)
            .map_err(anyhow::Error::from)
            .and_then(|()| out.write_all(b"\n").map_err(anyhow::Error::from));
        match written {
            Err(e) if pipeline::is_broken_pipe(&e) => return Ok(summary),
            other => anyhow::Context::context(other, "cannot write to standard output")?,
        }
        summary.written += 1;
    }
    out.flush().ok();
    reporter.finish("stories written", &summary);
    Ok(summary)
}

impl From<InputArgs> for pipeline::Options {
    fn from(a: InputArgs) -> Self {
        pipeline::Options {
            paths: a.paths,
            clean: sitrep_ingest::CleanOptions {
                published: a.published,
            },
            batch: usize::from(a.batch),
            analyzer: None,
            embedder: None,
        }
    }
}
