//! What the user sees on stderr: per-input errors, progress, the summary line.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tracing_subscriber::EnvFilter;

/// Installs the tracing subscriber: human-readable or JSON lines on stderr.
pub fn install_logging(json: bool) {
    let filter = EnvFilter::try_from_env("SITREP_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init();
    } else {
        builder.with_target(false).without_time().init();
    }
}

/// Counts of one run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub read: usize,
    pub written: usize,
    pub duplicates: usize,
    pub failed: usize,
}

/// Reports errors, progress and the final summary on stderr.
pub struct Reporter {
    quiet: bool,
    json: bool,
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Reporter {
    pub fn new(quiet: bool, json: bool) -> Self {
        let show = !quiet && !json && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed} {pos} documents ({per_sec}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Reporter {
            quiet,
            json,
            bar,
            started: Instant::now(),
        }
    }

    /// One input (or record) failed: a single line naming it and the reason.
    pub fn input_failed(&self, input: &str, reason: &str) {
        let line = || {
            if self.json {
                tracing::error!(input = %input, reason = %reason, "input failed");
            } else {
                eprintln!("sitrep: error: {input}: {reason}");
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(line),
            None => line(),
        }
    }

    /// A line for the user (`sitrep: LINE`), unless quiet.
    pub fn say(&self, line: &str) {
        if self.quiet {
            return;
        }
        let say = || {
            if self.json {
                tracing::warn!("{line}");
            } else {
                eprintln!("sitrep: {line}");
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(say),
            None => say(),
        }
    }

    pub fn progress(&self, summary: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_position(summary.read as u64);
            bar.set_message(format!("{} failed", summary.failed));
        }
    }

    /// The summary line at the end of a run over articles.
    pub fn finish(&self, verb: &str, summary: &Summary) {
        self.finish_items("articles", verb, summary);
    }

    /// The summary line at the end of a run over `noun` ("articles", "documents", ...).
    pub fn finish_items(&self, noun: &str, verb: &str, summary: &Summary) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        if self.json {
            tracing::info!(
                read = summary.read,
                written = summary.written,
                duplicates = summary.duplicates,
                failed = summary.failed,
                seconds = secs,
                "{verb} finished"
            );
            // The summary is always shown, even when the log filter hides info events.
            let line = serde_json::json!({
                "summary": verb,
                "read": summary.read,
                verb: summary.written,
                "duplicates": summary.duplicates,
                "failed": summary.failed,
                "seconds": (secs * 1000.0).round() / 1000.0,
            });
            eprintln!("{line}");
        } else {
            eprintln!(
                "sitrep: {} {noun} read, {} {verb}, {} duplicates, {} failed ({secs:.2} s)",
                summary.read, summary.written, summary.duplicates, summary.failed
            );
        }
    }

    /// The command could not run at all.
    pub fn fatal(&self, error: &anyhow::Error) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.json {
            tracing::error!(error = %format!("{error:#}"), "sitrep failed");
        } else {
            eprintln!("sitrep: error: {error:#}");
        }
    }
}
