//! What survives a restart: each feed's validators and last poll, the article URLs already
//! fetched, and those waiting (new, or failed and due again later). One JSON file, written
//! atomically (temp file in the same folder, fsync, rename): a crash leaves the old state or
//! the new one, never half of one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::fetch::Validators;
use crate::parse::ItemMeta;

/// Version of the state file's layout.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    #[serde(flatten)]
    pub validators: Validators,
    /// Unix seconds of the last poll (successful or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// An article URL dealt with: fetched (and handed on), or given up after `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An article URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Discovery order.
    pub seq: u64,
    /// The configured feed that listed it.
    pub feed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(default)]
    pub meta: ItemMeta,
    #[serde(default)]
    pub attempts: u32,
    /// Unix seconds before which it is not tried.
    #[serde(default)]
    pub next_try: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// By feed URL (child sitemaps of an index too).
    #[serde(default)]
    pub feeds: BTreeMap<String, FeedState>,
    #[serde(default)]
    pub seen: BTreeMap<String, Seen>,
    #[serde(default)]
    pub pending: BTreeMap<String, Pending>,
    #[serde(default)]
    pub next_seq: u64,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            feeds: BTreeMap::new(),
            seen: BTreeMap::new(),
            pending: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl State {
    /// Reads the state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, Error> {
        let err = |reason: String| Error::State {
            path: path.display().to_string(),
            reason,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(err(e.to_string())),
        };
        let state: State =
            serde_json::from_slice(&bytes).map_err(|e| err(format!("not a state file: {e}")))?;
        if state.version > STATE_VERSION {
            return Err(err(format!(
                "written by a newer sitrep (version {}, this one reads {STATE_VERSION})",
                state.version
            )));
        }
        Ok(state)
    }

    /// Writes the state atomically: temp file beside it, fsync, rename.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let err = |reason: String| Error::State {
            path: path.display().to_string(),
            reason,
        };
        let tmp = temp_path(path);
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            serde_json::to_writer_pretty(&mut file, self)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            std::fs::remove_file(&tmp).ok();
            err(e.to_string())
        })
    }

    /// True when the URL was fetched, given up or is waiting.
    pub fn knows(&self, url: &str) -> bool {
        self.seen.contains_key(url) || self.pending.contains_key(url)
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("feeds.state.json");
        assert_eq!(State::load(&path)?, State::default());
        let mut state = State::default();
        state.feeds.insert(
            "https://a.example/rss".into(),
            FeedState {
                validators: Validators {
                    etag: Some("\"v1\"".into()),
                    last_modified: None,
                },
                last_polled: Some(1_700_000_000),
                last_error: None,
            },
        );
        state.seen.insert(
            "https://a.example/x".into(),
            Seen {
                at: 1_700_000_001,
                error: None,
            },
        );
        state.save(&path)?;
        assert_eq!(State::load(&path)?, state);
        let leftovers = std::fs::read_dir(dir.path())?.count();
        assert_eq!(leftovers, 1, "temp file left behind");

        std::fs::write(&path, b"{ half")?;
        let e = State::load(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("feeds.state.json") && e.contains("not a state file"),
            "{e}"
        );
        std::fs::write(&path, br#"{"version": 99}"#)?;
        let e = State::load(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("newer"), "{e}");
        Ok(())
    }
}
