//! Polite HTTP: one client for feeds and pages, with a minimum delay between two requests to
//! one host, conditional requests, connect and total timeouts, a size cap, and redirects
//! followed by hand so that every hop is checked again (scheme here, addresses by the guarded
//! resolver).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::unversioned::transport::DefaultConnector;

use crate::config::Settings;
use crate::guard::{GuardedResolver, REFUSED, check_scheme};

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("invalid url: {0}")]
    BadUrl(String),
    #[error("{0}")]
    Refused(String),
    #[error("http status {0}")]
    Status(u16),
    #[error("body larger than the limit of {limit} bytes{}", .length.map(|n| format!(" (content-length {n})")).unwrap_or_default())]
    TooLarge { limit: u64, length: Option<u64> },
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    #[error("redirect without a location")]
    BadRedirect,
    #[error("timed out ({0})")]
    Timeout(String),
    #[error("{0}")]
    Network(String),
}

/// Validators kept from an earlier response, sent back as `If-None-Match` /
/// `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// A response body that was read whole.
#[derive(Debug, Clone)]
pub struct Body {
    /// Where the body came from after redirects.
    pub url: String,
    pub bytes: Vec<u8>,
    /// The media type without parameters, lowercased.
    pub content_type: Option<String>,
    /// The `charset` parameter of `Content-Type`.
    pub charset: Option<String>,
    pub validators: Validators,
}

/// One thread's turn at a host: while held, no other request to the host starts; dropping it
/// records when the request ended.
struct Turn<'a> {
    clock: &'a Mutex<HostClock>,
    host: String,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        clock.busy.remove(&self.host);
        clock
            .last_request
            .insert(std::mem::take(&mut self.host), Instant::now());
    }
}

/// What a fetch gave.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// `304 Not Modified` to a conditional request.
    NotModified,
    Body(Body),
}

/// The HTTP client with its per-host clock. Clones share the connection pool, the clock and
/// the request count, so several threads may fetch at once: the clock lets one request per
/// host run at a time and keeps the host's delay between them, whichever thread asks.
#[derive(Clone)]
pub struct Fetcher {
    agent: Agent,
    host_delay: Duration,
    max_body: u64,
    max_redirects: u32,
    clock: Arc<Mutex<HostClock>>,
    requests: Arc<AtomicU64>,
}

#[derive(Default)]
struct HostClock {
    /// When each host's last request ended.
    last_request: HashMap<String, Instant>,
    /// Longer delays asked for by a host (robots.txt `Crawl-delay`).
    host_delays: HashMap<String, Duration>,
    /// Hosts with a request in flight.
    busy: HashSet<String>,
}

impl Fetcher {
    pub fn new(settings: &Settings, allow_private: bool) -> Fetcher {
        let config = Agent::config_builder()
            .user_agent(settings.user_agent.as_str())
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.timeout))
            .build();
        let agent = Agent::with_parts(
            config,
            DefaultConnector::default(),
            GuardedResolver::new(allow_private, settings.allow_addresses.clone()),
        );
        Fetcher {
            agent,
            host_delay: settings.host_delay,
            max_body: settings.max_body_bytes,
            max_redirects: settings.max_redirects,
            clock: Arc::default(),
            requests: Arc::default(),
        }
    }

    /// Requests sent so far (redirect hops included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// GETs a URL, following redirects by hand; `validators` make the request conditional.
    pub fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut current = url::Url::parse(url).map_err(|e| FetchError::BadUrl(e.to_string()))?;
        for _hop in 0..=self.max_redirects {
            check_scheme(&current).map_err(FetchError::Refused)?;
            let host = current
                .host_str()
                .ok_or_else(|| FetchError::BadUrl(format!("{current} has no host")))?
                .to_ascii_lowercase();
            let turn = self.wait_for(&host);
            let mut request = self.agent.get(current.as_str());
            if let Some(etag) = &validators.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(lm) = &validators.last_modified {
                request = request.header("If-Modified-Since", lm);
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let result = request.call();
            let result = result.map_err(map_error).and_then(|response| {
                let status = response.status().as_u16();
                if (300..400).contains(&status) && status != 304 {
                    let location = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .ok_or(FetchError::BadRedirect)?;
                    let next = current.join(location).map_err(|e| {
                        FetchError::BadUrl(format!("redirect to {location:?}: {e}"))
                    })?;
                    return Ok(Err(next));
                }
                if status == 304 {
                    return Ok(Ok(Fetched::NotModified));
                }
                if !(200..300).contains(&status) {
                    return Err(FetchError::Status(status));
                }
                self.read_body(current.as_str(), response)
                    .map(|b| Ok(Fetched::Body(b)))
            });
            drop(turn);
            match result? {
                Ok(fetched) => return Ok(fetched),
                Err(next) => {
                    tracing::debug!(from = %current, to = %next, "redirect");
                    current = next;
                }
            }
        }
        Err(FetchError::TooManyRedirects(self.max_redirects))
    }

    /// A host asked for a longer delay than the configured one (never shortens it).
    pub fn set_host_delay(&self, host: &str, delay: Duration) {
        if let Ok(mut clock) = self.clock.lock() {
            clock.host_delays.insert(host.to_ascii_lowercase(), delay);
        }
    }

    /// Sleeps until the host's minimum delay has passed since its last request.
    fn wait_for(&self, host: &str) -> Turn<'_> {
        loop {
            let wait = {
                // A poisoned clock only means another fetch panicked: its data is still good.
                let mut clock = self.clock.lock().unwrap_or_else(|e| e.into_inner());
                let delay = clock
                    .host_delays
                    .get(host)
                    .map_or(self.host_delay, |d| (*d).max(self.host_delay));
                let now = Instant::now();
                let ready = clock
                    .last_request
                    .get(host)
                    .map_or(now, |last| *last + delay);
                if clock.busy.contains(host) {
                    // Another thread's request to this host: wait for it (and the delay).
                    delay
                        .max(Duration::from_millis(10))
                        .min(Duration::from_millis(50))
                } else if ready > now {
                    ready - now
                } else {
                    clock.busy.insert(host.to_string());
                    return Turn {
                        clock: &self.clock,
                        host: host.to_string(),
                    };
                }
            };
            std::thread::sleep(wait);
        }
    }

    fn read_body(
        &self,
        url: &str,
        mut response: ureq::http::Response<ureq::Body>,
    ) -> Result<Body, FetchError> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let (content_type, charset) = match header("content-type") {
            Some(ct) => {
                let mut parts = ct.split(';');
                let media = parts.next().map(|m| m.trim().to_ascii_lowercase());
                let charset = parts.find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    (k.trim().eq_ignore_ascii_case("charset"))
                        .then(|| v.trim().trim_matches('"').to_string())
                });
                (media.filter(|m| !m.is_empty()), charset)
            }
            None => (None, None),
        };
        let length: Option<u64> = header("content-length").and_then(|l| l.trim().parse().ok());
        let too_large = |length| FetchError::TooLarge {
            limit: self.max_body,
            length,
        };
        // Content-Length is of the encoded body; with gzip the decoded body may be larger and
        // is capped while reading.
        if length.is_some_and(|n| n > self.max_body) {
            return Err(too_large(length));
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => too_large(length),
                other => map_error(other),
            })?;
        let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
            gunzip(&bytes, self.max_body).map_err(|e| match e {
                GunzipError::TooLarge => too_large(None),
                GunzipError::Broken(e) => FetchError::Network(format!("broken gzip body: {e}")),
            })?
        } else {
            bytes
        };
        Ok(Body {
            url: url.to_string(),
            bytes,
            content_type,
            charset,
            validators,
        })
    }
}

enum GunzipError {
    TooLarge,
    Broken(std::io::Error),
}

/// A gzip file served as is (`sitemap.xml.gz`), decompressed up to `limit` bytes.
fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, GunzipError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(GunzipError::Broken)?;
    if out.len() as u64 > limit {
        return Err(GunzipError::TooLarge);
    }
    Ok(out)
}

fn map_error(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Io(io) if io.to_string().starts_with(REFUSED) => {
            FetchError::Refused(io.to_string())
        }
        ureq::Error::Timeout(t) => FetchError::Timeout(format!("{t:?}").to_lowercase()),
        ureq::Error::TooManyRedirects => FetchError::TooManyRedirects(0),
        ureq::Error::BadUri(u) => FetchError::BadUrl(u),
        ureq::Error::HostNotFound => FetchError::Network("host not found".into()),
        other => FetchError::Network(other.to_string()),
    }
}
