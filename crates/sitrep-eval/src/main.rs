//! Evaluation and benchmark commands. Every figure in BENCHMARKS.md comes from one of these.
//!
//! Data is read from `../shared/data` (override with `--data` or `SITREP_DATA`); a missing data
//! folder is reported and the command exits without a score.

mod coref;
mod dates;
mod event_links;
mod events;
mod extraction;
mod fnc_stories;
mod nlp;
mod polnear;
mod stories;
mod synth;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sitrep-eval",
    about = "measure sitrep against public evaluation data"
)]
struct Cli {
    /// Folder holding the public evaluation data.
    #[arg(
        long,
        env = "SITREP_DATA",
        default_value = "../shared/data",
        global = true
    )]
    data: PathBuf,
    /// Print one line per failed item.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Publication-date accuracy on htmldate's evaluation set.
    Dates,
    /// Body F1 on the ScrapingHub benchmark pages, beside dom_smoothie's raw text.
    Body,
    /// Title, author and body-snippet accuracy on trafilatura's evaluation set.
    Meta,
    /// Cleaning throughput (HTML pages/s, plain-text MB/s) and peak memory.
    Throughput {
        /// Passes over the page set.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// The two seed articles: outlet, title, leftover boilerplate.
    Seeds,
    /// Everything above, in one run.
    Extraction,
    /// Write a synthetic WARC file of about `--gb` gigabytes (for memory and speed at scale).
    GenWarc {
        out: PathBuf,
        #[arg(long, default_value_t = 1.0)]
        gb: f64,
        /// Skipped image records per HTML page.
        #[arg(long, default_value_t = 0)]
        filler: u64,
    },
    /// NER P/R/F1 per CoNLL type against CoNLL-2003, a column per `token<TAB>BIO` prediction file.
    ConllNer {
        /// Prediction file (`token<TAB>BIO`, OntoNotes or CoNLL types); repeat for more columns.
        #[arg(long, required = true)]
        pred: Vec<PathBuf>,
        /// Gold CoNLL file [default: <data>/nlp/conll2003/test.txt].
        #[arg(long)]
        gold: Option<PathBuf>,
    },
    /// Write the documents of the sentence-splitting benchmark as `{"corpus","doc","text"}` lines.
    SentenceTexts {
        #[arg(long)]
        out: PathBuf,
        /// GUM's dependency release (`dep/*.conllu`): sentence breaks and spacing for GUM.
        #[arg(long)]
        gum_conllu: Option<PathBuf>,
    },
    /// Person-chain MUC and B-cubed on GUM's news documents, beside a name-only baseline.
    Coref,
    /// Event coding: ConfliBERT's 5-way class and actor spans, PLOVER gold-standard types.
    Events {
        /// Also train and measure the learned class model (logistic regression over the rules'
        /// output and the words) beside the rules.
        #[arg(long)]
        learned: bool,
        /// Train the learned class model on the tuning fifths and write its weights here
        /// (`crates/sitrep-extract/data/event-class-weights.tsv`).
        #[arg(long)]
        train_out: Option<PathBuf>,
    },
    /// Quote detection and speaker accuracy on PolNeAR (train and/or dev).
    #[command(alias = "quotes")]
    Polnear {
        /// `dev`, `train` or `both`.
        #[arg(long, default_value = "dev")]
        split: String,
        /// Only the first N articles of each split.
        #[arg(long)]
        limit: Option<usize>,
        /// The rules alone, without the learned attribution filter.
        #[arg(long)]
        rules_only: bool,
    },
    /// Fit the attribution filter on PolNeAR train and write its weights
    /// (`crates/sitrep-extract/data/attribution-weights.tsv`).
    PolnearFit {
        #[arg(long)]
        out: PathBuf,
        /// Only the first N train articles.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Story clustering BCubed on ECB+ (train, dev) and NewsWCL50, beside a TF-IDF baseline.
    Stories {
        /// Tune the weights and thresholds on the training sets first (else the crate's
        /// defaults).
        #[arg(long)]
        tune: bool,
        /// Training sets of `--tune`: `ecb` (ECB+ train), `mixed` (the mean over ECB+ train
        /// and FNC-1), `mixed-min` (the smaller of the two) or `mixed-worst` (the mean of each
        /// set's worst order).
        #[arg(long, default_value = "mixed")]
        tune_on: stories::TuneOn,
        /// Seed of the first of the three document orders.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// ECB+ cross-document event coreference with gold mentions: MUC, B-cubed, CEAF-e and
    /// CoNLL F1 of the lemma baseline and the learned pairwise scorer (fitted on train), within
    /// gold subtopics and within sitrep-stories' stories.
    EventLinks {
        /// Seed of the document order for sitrep-stories' clusters.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Sentence-boundary P/R/F1 per corpus, a column per `{"corpus","doc","starts"}` file.
    Sentences {
        #[arg(long, required = true)]
        pred: Vec<PathBuf>,
        /// GUM's dependency release (`dep/*.conllu`): sentence breaks and spacing for GUM.
        #[arg(long)]
        gum_conllu: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if !cli.data.is_dir() && !matches!(cli.command, Command::GenWarc { .. }) {
        eprintln!(
            "sitrep-eval: data folder {} not found; nothing measured",
            cli.data.display()
        );
        std::process::exit(2);
    }
    match cli.command {
        Command::Dates => dates::run(&cli.data, cli.verbose),
        Command::Body => extraction::body(&cli.data, cli.verbose).map(print_json),
        Command::Meta => extraction::meta(&cli.data, cli.verbose).map(print_json),
        Command::Throughput { rounds } => extraction::throughput(&cli.data, rounds).map(print_json),
        Command::Seeds => extraction::seeds(&seeds_dir(&cli.data)).map(print_json),
        Command::GenWarc { out, gb, filler } => {
            synth::warc(&out, (gb * 1e9) as u64, filler).map(print_json)
        }
        Command::ConllNer { pred, gold } => nlp::conll_ner(&cli.data, &pred, gold.as_deref()),
        Command::SentenceTexts { out, gum_conllu } => {
            nlp::sentence_texts(&cli.data, gum_conllu.as_deref(), &out)
        }
        Command::Sentences { pred, gum_conllu } => {
            nlp::sentences(&cli.data, gum_conllu.as_deref(), &pred)
        }
        Command::Events { learned, train_out } => {
            events::run(&cli.data, cli.verbose, learned, train_out.as_deref()).map(print_json)
        }
        Command::Coref => coref::run(&cli.data, cli.verbose).map(print_json),
        Command::EventLinks { seed } => event_links::run(&cli.data, seed).map(print_json),
        Command::Stories {
            tune,
            tune_on,
            seed,
        } => stories::run(&cli.data, tune.then_some(tune_on), seed).map(print_json),
        Command::PolnearFit { out, limit } => polnear::fit(&cli.data, &out, limit).map(print_json),
        Command::Polnear {
            split,
            limit,
            rules_only,
        } => {
            let splits: &[&str] = match split.as_str() {
                "both" => &["train", "dev"],
                "train" => &["train"],
                _ => &["dev"],
            };
            polnear::run(&cli.data, splits, limit, cli.verbose, rules_only).map(print_json)
        }
        Command::Extraction => {
            dates::run(&cli.data, false)?;
            let body = extraction::body(&cli.data, cli.verbose)?;
            let meta = extraction::meta(&cli.data, false)?;
            let seeds = extraction::seeds(&seeds_dir(&cli.data))?;
            let speed = extraction::throughput(&cli.data, 3)?;
            print_json(
                serde_json::json!({"body": body, "meta": meta, "seeds": seeds, "throughput": speed}),
            );
            Ok(())
        }
    }
}

/// The seeds live beside the data folder: `<data>/../examples/seeds`.
fn seeds_dir(data: &std::path::Path) -> PathBuf {
    data.parent().unwrap_or(data).join("examples/seeds")
}

fn print_json(v: serde_json::Value) {
    use std::io::Write;
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout(), "{v}");
}
