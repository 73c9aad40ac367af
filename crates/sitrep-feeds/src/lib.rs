//! Feeds: RSS, Atom and XML sitemaps (sitemap indexes, news sitemaps, gzipped files) polled
//! politely, their new article pages fetched and handed on for ingest.
//!
//! Input: a [`Config`] (feeds and settings, from TOML) and a state file. Output: batches of
//! [`ArticlePage`]s (the page bytes with the URL and the feed item's metadata) given to a sink,
//! and [`Problem`]s (a feed or page that failed: its URL and why) given to a reporter.
//!
//! Invariants:
//! - every request goes through [`fetch::Fetcher`]: http(s) only, host names resolved once and
//!   non-public addresses refused unless allowed ([`guard`]), each redirect hop checked again,
//!   a minimum delay between two requests to one host, connect and total timeouts, a body cap;
//! - one bad feed or page never stops the others; a failed page is tried again later with
//!   exponential backoff, then given up;
//! - a URL is marked seen only after the sink accepted its batch, and the state file is written
//!   atomically after each batch: a crash re-fetches at most one batch;
//! - the clock is the caller's: [`Watcher::poll`] takes `now` (Unix seconds).
//!
//! ```no_run
//! use sitrep_feeds::{Config, Watcher};
//! let config = Config::parse("[[feed]]\nurl = \"https://news.example/rss.xml\"\n").unwrap();
//! let mut watcher = Watcher::open(config, "feeds.state.json".into(), false).unwrap();
//! let report = watcher
//!     .poll(1_750_000_000, true, 16, &mut |p| eprintln!("{}: {}", p.url, p.reason), &mut |pages| {
//!         for page in pages {
//!             println!("{} ({} bytes)", page.url, page.bytes.len());
//!         }
//!         Ok::<(), sitrep_feeds::Error>(())
//!     })
//!     .unwrap();
//! println!("{} pages fetched", report.fetched);
//! ```

pub mod config;
pub mod fetch;
pub mod guard;
pub mod parse;
pub mod robots;
pub mod state;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use config::{Config, FeedConfig, FeedKind, Settings, parse_duration};
pub use fetch::{FetchError, Fetched, Fetcher, Validators};
pub use parse::{Item, ItemMeta, Parsed};
pub use state::State;

/// Errors that stop a watch (a feed or page failing does not: see [`Problem`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("config {path}: {reason}")]
    Config { path: String, reason: String },
    #[error("state file {path}: {reason}")]
    State { path: String, reason: String },
}

/// A feed or page that failed; the others go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub url: String,
    pub reason: String,
}

/// A fetched article page.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    /// The URL as the feed listed it.
    pub url: String,
    /// Where the page came from after redirects.
    pub final_url: String,
    pub bytes: Vec<u8>,
    /// The charset the server declared.
    pub charset: Option<String>,
    /// The configured feed that listed it.
    pub feed: String,
    /// The feed's configured outlet name.
    pub outlet: Option<String>,
    /// Metadata from the feed item.
    pub meta: ItemMeta,
}

/// Counts of one poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Feed documents requested (child sitemaps included).
    pub feeds_polled: usize,
    /// Of which answered `304 Not Modified`.
    pub not_modified: usize,
    /// Feeds or child sitemaps that failed.
    pub feeds_failed: usize,
    /// Article URLs seen for the first time.
    pub new_links: usize,
    /// Pages fetched and handed on.
    pub fetched: usize,
    /// Pages that failed (to be tried again, or given up).
    pub failed: usize,
    /// Pages given up after too many failures.
    pub given_up: usize,
    /// Pages not fetched because robots.txt disallows them (given up at once).
    pub disallowed: usize,
}

/// Polls the configured feeds and fetches their new articles.
pub struct Watcher {
    config: Config,
    fetcher: Fetcher,
    state: State,
    state_path: PathBuf,
    /// robots.txt by origin, with when it was read (kept a day, as RFC 9309 allows).
    robots: HashMap<String, (Instant, robots::Robots)>,
    /// Origins whose robots.txt could not be read in this poll, with why.
    robots_down: HashMap<String, String>,
    /// The exclusive lock on `<state>.lock`, held while the watcher lives: two watchers on one
    /// state file would each overwrite the other's record of what was fetched.
    _lock: std::fs::File,
}

/// robots.txt is read again after this long.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);

/// Takes the exclusive lock on `<state>.lock` (created beside the state file), or says which
/// state file another watcher is using.
fn lock_state(state_path: &Path) -> Result<std::fs::File, Error> {
    let mut name = state_path.as_os_str().to_os_string();
    name.push(".lock");
    let path = PathBuf::from(name);
    let err = |reason: String| Error::State {
        path: state_path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| err(format!("cannot create folder {}: {e}", dir.display())))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| err(format!("cannot open lock file {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(err(
            "another sitrep watch is using it (its lock file is held); stop that one or give this one its own --state".to_string(),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(err(format!("cannot lock {}: {e}", path.display())))
        }
    }
}

/// The default state file of a config file: `feeds.toml` -> `feeds.state.json` beside it.
pub fn default_state_path(config_path: &Path) -> PathBuf {
    let stem = config_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "feeds".into());
    config_path.with_file_name(format!("{stem}.state.json"))
}

impl Watcher {
    /// Loads the state; `allow_private` (or the config's setting) lets fetches reach
    /// non-public addresses.
    pub fn open(
        config: Config,
        state_path: PathBuf,
        allow_private: bool,
    ) -> Result<Watcher, Error> {
        let lock = lock_state(&state_path)?;
        let state = State::load(&state_path)?;
        let allow = allow_private || config.settings.allow_private;
        let fetcher = Fetcher::new(&config.settings, allow);
        Ok(Watcher {
            config,
            fetcher,
            state,
            state_path,
            robots: HashMap::new(),
            robots_down: HashMap::new(),
            _lock: lock,
        })
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.fetcher.requests()
    }

    fn interval(&self, feed: &FeedConfig) -> i64 {
        feed.interval
            .unwrap_or(self.config.settings.interval)
            .as_secs()
            .max(1) as i64
    }

    /// Seconds from `now` until a feed or a waiting page is due (0 when one is due now).
    pub fn next_due(&self, now: i64) -> i64 {
        let feeds = self.config.feeds.iter().map(|f| {
            self.state
                .feeds
                .get(&f.url)
                .and_then(|s| s.last_polled)
                .map_or(now, |t| t + self.interval(f))
        });
        let pages = self.state.pending.values().map(|p| p.next_try);
        feeds
            .chain(pages)
            .min()
            .map_or(self.config.settings.interval.as_secs() as i64, |t| {
                (t - now).max(0)
            })
    }

    /// One round: every due feed (all of them with `force`) is polled, then due pages are
    /// fetched (at most `max_articles_per_poll` per feed) and given to `sink` in batches of
    /// `batch`. Problems go to `on_problem`; an error from `sink` or from writing the state
    /// stops the round.
    pub fn poll<E: From<Error>>(
        &mut self,
        now: i64,
        force: bool,
        batch: usize,
        on_problem: &mut dyn FnMut(&Problem),
        sink: &mut dyn FnMut(Vec<ArticlePage>) -> Result<(), E>,
    ) -> Result<PollReport, E> {
        let mut report = PollReport::default();
        let feeds = self.config.feeds.clone();
        for feed in &feeds {
            let due = self
                .state
                .feeds
                .get(&feed.url)
                .and_then(|s| s.last_polled)
                .is_none_or(|t| t + self.interval(feed) <= now);
            if force || due {
                self.poll_feed(feed, now, &mut report, on_problem);
            }
        }
        self.state.save(&self.state_path)?;
        self.fetch_pages(now, batch.max(1), &mut report, on_problem, sink)?;
        self.state.save(&self.state_path)?;
        Ok(report)
    }

    fn poll_feed(
        &mut self,
        feed: &FeedConfig,
        now: i64,
        report: &mut PollReport,
        on_problem: &mut dyn FnMut(&Problem),
    ) {
        let parsed = self.fetch_feed(&feed.url, feed.kind, now, report, on_problem);
        let items = match parsed {
            Some(Parsed::Items { items, .. }) => items,
            Some(Parsed::Index(mut refs)) => {
                // Newest first (ISO 8601 dates sort as text); undated ones keep their order
                // after the dated ones.
                refs.sort_by(|a, b| {
                    b.lastmod
                        .is_some()
                        .cmp(&a.lastmod.is_some())
                        .then_with(|| b.lastmod.cmp(&a.lastmod))
                });
                let mut items = Vec::new();
                for child in refs
                    .into_iter()
                    .take(self.config.settings.max_sitemaps_per_index)
                {
                    match self.fetch_feed(&child.url, FeedKind::Sitemap, now, report, on_problem) {
                        Some(Parsed::Items { items: more, .. }) => items.extend(more),
                        Some(Parsed::Index(_)) | None => {}
                    }
                }
                items
            }
            None => return,
        };
        for item in items {
            if self.state.knows(&item.url) {
                continue;
            }
            report.new_links += 1;
            let seq = self.state.next_seq;
            self.state.next_seq += 1;
            self.state.pending.insert(
                item.url,
                state::Pending {
                    seq,
                    feed: feed.url.clone(),
                    outlet: feed.outlet.clone(),
                    meta: item.meta,
                    attempts: 0,
                    next_try: now,
                    last_error: None,
                },
            );
        }
    }

    /// Fetches and parses one feed document conditionally; None when unchanged or failed.
    fn fetch_feed(
        &mut self,
        url: &str,
        kind: FeedKind,
        now: i64,
        report: &mut PollReport,
        on_problem: &mut dyn FnMut(&Problem),
    ) -> Option<Parsed> {
        report.feeds_polled += 1;
        let entry = self.state.feeds.entry(url.to_string()).or_default();
        entry.last_polled = Some(now);
        let validators = entry.validators.clone();
        let result = self
            .fetcher
            .get(url, &validators)
            .map_err(|e| e.to_string())
            .and_then(|fetched| match fetched {
                Fetched::NotModified => Ok(None),
                Fetched::Body(body) => {
                    let base = url::Url::parse(&body.url).map_err(|e| e.to_string())?;
                    parse::parse(&body.bytes, kind, &base).map(|p| Some((p, body.validators)))
                }
            });
        let entry = self.state.feeds.entry(url.to_string()).or_default();
        match result {
            Ok(None) => {
                report.not_modified += 1;
                entry.last_error = None;
                None
            }
            Ok(Some((parsed, validators))) => {
                entry.validators = validators;
                entry.last_error = None;
                Some(parsed)
            }
            Err(reason) => {
                report.feeds_failed += 1;
                entry.last_error = Some(reason.clone());
                on_problem(&Problem {
                    url: url.to_string(),
                    reason,
                });
                None
            }
        }
    }

    fn fetch_pages<E: From<Error>>(
        &mut self,
        now: i64,
        batch: usize,
        report: &mut PollReport,
        on_problem: &mut dyn FnMut(&Problem),
        sink: &mut dyn FnMut(Vec<ArticlePage>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.robots_down.clear();
        let mut due: Vec<(u64, String)> = self
            .state
            .pending
            .iter()
            .filter(|(_, p)| p.next_try <= now)
            .map(|(url, p)| (p.seq, url.clone()))
            .collect();
        due.sort();
        let due = interleave_hosts(due);
        let cap = self.config.settings.max_articles_per_poll;
        let mut per_feed: BTreeMap<String, usize> = BTreeMap::new();
        // First, one by one: the per-feed cap and robots.txt (read once per origin).
        let mut jobs: Vec<(String, state::Pending)> = Vec::new();
        for (_, url) in due {
            let Some(pending) = self.state.pending.get(&url).cloned() else {
                continue;
            };
            let taken = per_feed.entry(pending.feed.clone()).or_default();
            if *taken >= cap {
                continue;
            }
            *taken += 1;
            match self.robots_allow(&url) {
                Ok(true) => jobs.push((url, pending)),
                Ok(false) => {
                    tracing::warn!(url = %url, "disallowed by robots.txt, not fetched");
                    report.disallowed += 1;
                    self.state.pending.remove(&url);
                    let seen = state::Seen {
                        at: now,
                        error: Some("disallowed by robots.txt".into()),
                    };
                    self.state.seen.insert(url, seen);
                }
                Err(reason) => {
                    report.failed += 1;
                    on_problem(&Problem {
                        url: url.clone(),
                        reason: reason.clone(),
                    });
                    self.failed(&url, reason, now, report);
                }
            }
        }
        // Then the pages, several hosts at once: each host goes to one worker, which takes its
        // hosts in turn (so one host's delay is spent on the others); results come back here
        // as they arrive and go to the sink in batches while the workers go on.
        let workers = self.config.settings.fetch_workers.max(1);
        let mut lanes: Vec<Vec<(String, state::Pending)>> = vec![Vec::new(); workers];
        let mut host_lane: HashMap<String, usize> = HashMap::new();
        for job in jobs {
            let host = url::Url::parse(&job.0)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .unwrap_or_default();
            let next = host_lane.len() % workers;
            let lane = *host_lane.entry(host).or_insert(next);
            lanes[lane].push(job);
        }
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (tx, rx) = std::sync::mpsc::channel();
        let mut outcome = Ok(());
        std::thread::scope(|scope| {
            for lane in lanes.into_iter().filter(|l| !l.is_empty()) {
                let (fetcher, tx, stop) = (self.fetcher.clone(), tx.clone(), &stop);
                scope.spawn(move || {
                    for (url, pending) in lane {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            return;
                        }
                        let result = fetch_page(&fetcher, &url);
                        if tx.send((url, pending, result)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let mut pages = Vec::new();
            for (url, pending, result) in rx {
                if outcome.is_err() {
                    // The sink failed: the rest stays pending for the next poll.
                    continue;
                }
                match result {
                    Ok(body) => {
                        report.fetched += 1;
                        pages.push(ArticlePage {
                            url,
                            final_url: body.url,
                            bytes: body.bytes,
                            charset: body.charset,
                            feed: pending.feed,
                            outlet: pending.outlet,
                            meta: pending.meta,
                        });
                        if pages.len() >= batch {
                            outcome = self.hand_on(std::mem::take(&mut pages), now, sink);
                            if outcome.is_err() {
                                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                    Err(reason) => {
                        report.failed += 1;
                        on_problem(&Problem {
                            url: url.clone(),
                            reason: reason.clone(),
                        });
                        self.failed(&url, reason, now, report);
                    }
                }
            }
            if outcome.is_ok() && !pages.is_empty() {
                outcome = self.hand_on(pages, now, sink);
            }
        });
        outcome
    }

    /// Whether robots.txt lets us fetch the URL (read once a day per origin). A missing
    /// robots.txt (4xx) allows everything; an unreachable one (5xx, network) allows nothing
    /// for now, as RFC 9309 asks, and the page is tried again later.
    fn robots_allow(&mut self, url: &str) -> Result<bool, String> {
        if !self.config.settings.robots {
            return Ok(true);
        }
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let origin = parsed.origin().ascii_serialization();
        if let Some(reason) = self.robots_down.get(&origin) {
            return Err(reason.clone());
        }
        let fresh = self
            .robots
            .get(&origin)
            .is_some_and(|(at, _)| at.elapsed() < ROBOTS_TTL);
        if !fresh {
            let rules = match self
                .fetcher
                .get(&format!("{origin}/robots.txt"), &Validators::default())
            {
                Ok(Fetched::Body(body)) => {
                    robots::Robots::parse(&String::from_utf8_lossy(&body.bytes), "sitrep")
                }
                Ok(Fetched::NotModified) => robots::Robots::allow_all(),
                Err(FetchError::Status(s)) if (400..500).contains(&s) => {
                    robots::Robots::allow_all()
                }
                Err(e) => {
                    let reason = format!("robots.txt of {origin} unreachable: {e}");
                    self.robots_down.insert(origin, reason.clone());
                    return Err(reason);
                }
            };
            if let (Some(delay), Some(host)) = (rules.crawl_delay, parsed.host_str()) {
                self.fetcher.set_host_delay(host, delay);
            }
            self.robots.insert(origin.clone(), (Instant::now(), rules));
        }
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        Ok(self
            .robots
            .get(&origin)
            .is_none_or(|(_, rules)| rules.allowed(&path)))
    }

    /// A failed page waits twice as long as the time before, then is given up.
    fn failed(&mut self, url: &str, reason: String, now: i64, report: &mut PollReport) {
        let settings = &self.config.settings;
        let Some(p) = self.state.pending.get_mut(url) else {
            return;
        };
        p.attempts += 1;
        if p.attempts >= settings.max_attempts {
            report.given_up += 1;
            self.state.pending.remove(url);
            self.state.seen.insert(
                url.to_string(),
                state::Seen {
                    at: now,
                    error: Some(reason),
                },
            );
            return;
        }
        let wait = settings
            .retry_delay
            .as_secs()
            .saturating_mul(1u64 << (p.attempts - 1).min(20));
        p.next_try = now.saturating_add(wait.min(i64::MAX as u64) as i64);
        p.last_error = Some(reason);
    }

    /// Gives a batch to the sink; once it accepted them, the pages are seen and the state is
    /// written.
    fn hand_on<E: From<Error>>(
        &mut self,
        pages: Vec<ArticlePage>,
        now: i64,
        sink: &mut dyn FnMut(Vec<ArticlePage>) -> Result<(), E>,
    ) -> Result<(), E> {
        let urls: Vec<(String, String)> = pages
            .iter()
            .map(|p| (p.url.clone(), p.final_url.clone()))
            .collect();
        sink(pages)?;
        for (url, final_url) in urls {
            self.state.pending.remove(&url);
            self.state.pending.remove(&final_url);
            let seen = state::Seen {
                at: now,
                error: None,
            };
            self.state.seen.insert(final_url, seen.clone());
            self.state.seen.insert(url, seen);
        }
        self.state.save(&self.state_path)?;
        Ok(())
    }
}

fn fetch_page(fetcher: &Fetcher, url: &str) -> Result<fetch::Body, String> {
    match fetcher.get(url, &Validators::default()) {
        Ok(Fetched::Body(body)) => {
            let html = body.content_type.as_deref().is_none_or(|ct| {
                matches!(ct, "text/html" | "application/xhtml+xml" | "text/plain")
            });
            if html {
                Ok(body)
            } else {
                Err(format!(
                    "not an HTML page (content-type {})",
                    body.content_type.unwrap_or_default()
                ))
            }
        }
        // No validators were sent; a 304 here is a broken server.
        Ok(Fetched::NotModified) => Err("unexpected 304 without a conditional request".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Due pages in discovery order, hosts taken in turn (first come first), so that one host's
/// delay is spent fetching from the others.
fn interleave_hosts(due: Vec<(u64, String)>) -> Vec<(u64, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_host: HashMap<String, std::collections::VecDeque<(u64, String)>> = HashMap::new();
    for item in due {
        let host = url::Url::parse(&item.1)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        if !by_host.contains_key(&host) {
            order.push(host.clone());
        }
        by_host.entry(host).or_default().push_back(item);
    }
    let mut out = Vec::new();
    loop {
        let before = out.len();
        for host in &order {
            if let Some(item) = by_host.get_mut(host).and_then(|q| q.pop_front()) {
                out.push(item);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hosts_take_turns_in_discovery_order() {
        let due = [
            "https://a.example/1",
            "https://a.example/2",
            "https://a.example/3",
            "https://b.example/1",
            "https://c.example/1",
            "https://b.example/2",
        ]
        .iter()
        .enumerate()
        .map(|(i, u)| (i as u64, u.to_string()))
        .collect();
        let got: Vec<String> = super::interleave_hosts(due)
            .into_iter()
            .map(|(_, u)| u.replace("https://", "").replace(".example", ""))
            .collect();
        assert_eq!(got, ["a/1", "b/1", "c/1", "a/2", "b/2", "a/3"]);
    }
}
