//! The watch configuration: a TOML file with global `[settings]` and one `[[feed]]` table per
//! feed (see `examples/feeds.toml`).

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::Error;

/// What a feed URL serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedKind {
    /// Recognised by the document's root element.
    #[default]
    Auto,
    Rss,
    Atom,
    Sitemap,
    SitemapIndex,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Auto => "auto",
            FeedKind::Rss => "rss",
            FeedKind::Atom => "atom",
            FeedKind::Sitemap => "sitemap",
            FeedKind::SitemapIndex => "sitemap-index",
        }
    }
}

/// One `[[feed]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub url: String,
    #[serde(default)]
    pub kind: FeedKind,
    /// How often this feed is polled (default: `settings.interval`).
    #[serde(default, deserialize_with = "opt_duration")]
    pub interval: Option<Duration>,
    /// Outlet name given to its articles (wins over the host name).
    #[serde(default)]
    pub outlet: Option<String>,
}

/// The `[settings]` table; every field has a default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// `User-Agent` of every request.
    pub user_agent: String,
    /// How often a feed is polled unless it says otherwise.
    #[serde(deserialize_with = "duration")]
    pub interval: Duration,
    /// Minimum time between two requests to one host.
    #[serde(deserialize_with = "duration")]
    pub host_delay: Duration,
    /// Time to open a connection.
    #[serde(deserialize_with = "duration")]
    pub connect_timeout: Duration,
    /// Time for a whole request, body included (each redirect hop gets its own).
    #[serde(deserialize_with = "duration")]
    pub timeout: Duration,
    /// Bodies longer than this (after decompression) are refused.
    pub max_body_bytes: u64,
    /// New article pages fetched per feed and poll; the rest wait for the next poll.
    pub max_articles_per_poll: usize,
    /// Article pages fetched at once, each from a different host (a host never gets two
    /// requests at once, and `host_delay` apart).
    pub fetch_workers: usize,
    /// Redirects followed, each hop checked again.
    pub max_redirects: u32,
    /// Child sitemaps of a sitemap index read per poll (the most recently modified).
    pub max_sitemaps_per_index: usize,
    /// First wait before a failed article URL is tried again; doubles with each failure.
    #[serde(deserialize_with = "duration")]
    pub retry_delay: Duration,
    /// Failures after which an article URL is given up.
    pub max_attempts: u32,
    /// Obey robots.txt (RFC 9309, product token `sitrep`) for article pages; its
    /// `Crawl-delay` raises `host_delay` (up to 60 s).
    pub robots: bool,
    /// Fetch from private, loopback and other non-public addresses (like `--allow-private`).
    pub allow_private: bool,
    /// Non-public addresses allowed one by one (e.g. a known internal feed server).
    pub allow_addresses: Vec<std::net::IpAddr>,
    /// State file (default: the config file's name with `.state.json`).
    pub state: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user_agent: concat!("sitrep/", env!("CARGO_PKG_VERSION"), " (news feed reader)").into(),
            interval: Duration::from_secs(300),
            host_delay: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_articles_per_poll: 50,
            fetch_workers: 4,
            max_redirects: 5,
            max_sitemaps_per_index: 5,
            retry_delay: Duration::from_secs(600),
            max_attempts: 6,
            robots: true,
            allow_private: false,
            allow_addresses: Vec::new(),
            state: None,
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<FeedConfig>,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Config::parse(&text).map_err(|reason| Error::Config {
            path: path.display().to_string(),
            reason,
        })
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        if config.feeds.is_empty() {
            return Err("no [[feed]] given".into());
        }
        for (i, feed) in config.feeds.iter().enumerate() {
            let url = url::Url::parse(&feed.url)
                .map_err(|e| format!("feed {}: url {:?}: {e}", i + 1, feed.url))?;
            crate::guard::check_scheme(&url)
                .map_err(|e| format!("feed {}: url {:?}: {e}", i + 1, feed.url))?;
            if feed.interval.is_some_and(|d| d.is_zero()) {
                return Err(format!("feed {}: interval must be more than 0", i + 1));
            }
        }
        let s = &config.settings;
        if s.max_body_bytes == 0 || s.max_articles_per_poll == 0 || s.interval.is_zero() {
            return Err(
                "max_body_bytes, max_articles_per_poll and interval must be more than 0".into(),
            );
        }
        if !(1..=64).contains(&s.fetch_workers) {
            return Err(format!(
                "fetch_workers must be 1 to 64, not {}",
                s.fetch_workers
            ));
        }
        if s.timeout.is_zero() || s.connect_timeout.is_zero() {
            return Err("timeout and connect_timeout must be more than 0".into());
        }
        Ok(config)
    }
}

/// Parses `300s`, `5m`, `1h`, `750ms`, `1d` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("duration {text:?}: expected a number and a unit (ms, s, m, h, d)"))?;
    let scale = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        other => {
            return Err(format!(
                "duration {text:?}: unknown unit {other:?} (ms, s, m, h, d)"
            ));
        }
    };
    let secs = n * scale;
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(format!("duration {text:?} out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).map_err(serde::de::Error::custom)
}

fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300s"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("750ms"), Ok(Duration::from_millis(750)));
        assert_eq!(parse_duration("12"), Ok(Duration::from_secs(12)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert!(parse_duration("-3s").is_err());
    }

    #[test]
    fn config_with_defaults_and_overrides() {
        let c = Config::parse(
            r#"
            [settings]
            host_delay = "500ms"
            max_articles_per_poll = 10

            [[feed]]
            url = "https://news.example/rss.xml"
            kind = "rss"
            outlet = "Example News"

            [[feed]]
            url = "https://news.example/sitemap_index.xml"
            kind = "sitemap-index"
            interval = "1h"
            "#,
        );
        let c = match c {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(c.settings.host_delay, Duration::from_millis(500));
        assert_eq!(c.settings.max_articles_per_poll, 10);
        assert_eq!(c.settings.timeout, Duration::from_secs(30));
        assert_eq!(c.feeds.len(), 2);
        assert_eq!(c.feeds[0].kind, FeedKind::Rss);
        assert_eq!(c.feeds[0].outlet.as_deref(), Some("Example News"));
        assert_eq!(c.feeds[1].kind, FeedKind::SitemapIndex);
        assert_eq!(c.feeds[1].interval, Some(Duration::from_secs(3600)));
    }

    /// The example file documents every setting with its default value.
    #[test]
    fn example_config_shows_the_defaults() {
        let text = include_str!("../../../examples/feeds.toml");
        let c = Config::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let expected = Settings {
            user_agent: c.settings.user_agent.clone(),
            ..Settings::default()
        };
        assert_eq!(c.settings, expected);
        assert!(c.settings.user_agent.starts_with("sitrep/"));
        let kinds: Vec<FeedKind> = c.feeds.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [FeedKind::Rss, FeedKind::Atom, FeedKind::SitemapIndex]
        );
    }

    #[test]
    fn bad_configs_say_why() {
        for (text, needle) in [
            ("", "no [[feed]]"),
            (
                "[[feed]]\nurl = \"file:///etc/passwd\"\n",
                "scheme \"file\" refused",
            ),
            ("[[feed]]\nurl = \"not a url\"\n", "feed 1: url"),
            (
                "[[feed]]\nurl = \"https://a.example/\"\nkind = \"podcast\"\n",
                "podcast",
            ),
            (
                "[[feed]]\nurl = \"https://a.example/\"\ninterval = \"soon\"\n",
                "soon",
            ),
            (
                "[settings]\ncolour = 1\n[[feed]]\nurl = \"https://a.example/\"\n",
                "colour",
            ),
        ] {
            match Config::parse(text) {
                Ok(_) => panic!("accepted {text:?}"),
                Err(e) => assert!(e.contains(needle), "{text:?}: {e}"),
            }
        }
    }
}
