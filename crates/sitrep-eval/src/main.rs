//! Evaluation and benchmark commands. Every figure in BENCHMARKS.md comes from one of these.
//!
//! Data is read from `../shared/data` (override with `--data` or `SITREP_DATA`); a missing data
//! folder is reported and the command exits without a score.

mod dates;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sitrep-eval", about = "measure sitrep against public evaluation data")]
struct Cli {
    /// Folder holding the public evaluation data.
    #[arg(long, env = "SITREP_DATA", default_value = "../shared/data", global = true)]
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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if !cli.data.is_dir() {
        eprintln!("sitrep-eval: data folder {} not found; nothing measured", cli.data.display());
        std::process::exit(2);
    }
    match cli.command {
        Command::Dates => dates::run(&cli.data, cli.verbose),
    }
}
