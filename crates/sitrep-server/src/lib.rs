//! `sitrep serve`: the HTTP API (JSON), the web pages (server-rendered HTML) and full-text
//! search over a sitrep store. The only crate of sitrep that speaks HTTP.
//!
//! Inputs: a store (SQLite file or PostgreSQL database) and an address to listen on. Outputs:
//! HTTP responses.
//!
//! - JSON API under `/api/`: stories, threads and articles (cursor pagination), search,
//!   entities, quotes by speaker and by story, events with filters, disagreements, streamed
//!   exports (JSON lines, CSV, GDELT-like TSV), and the OpenAPI document describing them
//!   (`/api/openapi.json`).
//! - Pages: `/` (current stories, recent articles), `/stories/{id}`, `/threads`,
//!   `/threads/{id}`, `/articles/{id}`, `/entities/{name}`, `/search?q=`.
//! - Search: a tantivy index of article titles and bodies and of quotes, in the folder
//!   `<db>.index/` beside the database (PostgreSQL: `<temp>/sitrep-index/<url>/`); rebuilt
//!   when missing or stale (its article count differs from the store's), or on request;
//!   articles stored while serving are added in the background and on
//!   `POST /api/admin/reindex` (loopback only).
//!
//! Invariants:
//! - every piece of text that comes from an article is HTML-escaped before it reaches a page: a
//!   `<script>` in an article is shown, never run;
//! - bad input (unknown ids, bad parameters, huge limits, bad cursors) is an error response
//!   (JSON on `/api/`, a page otherwise) with a 4xx status, never a panic; internal errors are
//!   logged and answered with a 500 that names no internals;
//! - the store is read through a small pool of connections, each used by one blocking task at a
//!   time (rusqlite connections are not `Sync`).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let app = sitrep_server::App::open("sqlite:///tmp/news.sqlite", false)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! sitrep_server::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod api;
mod error;
mod export;
mod html;
mod pages;
mod pool;
mod search;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;

pub use error::ServerError;
pub use search::{IndexStats, RefreshOutcome, SearchIndex};

use pool::Pool;

/// The most rows one API page returns, whatever `limit` asks for.
pub const MAX_LIMIT: usize = 200;
/// Rows of an API page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 20;

/// What the handlers share: the store's connection pool and the search index.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
    refresh: Option<std::time::Duration>,
}

struct Inner {
    pool: Pool,
    search: Option<SearchIndex>,
    threads: api::ThreadCache,
}

impl App {
    /// Opens the store named by `db` (`sqlite://PATH` or a path) and its search index in
    /// `<PATH>.index/`, building the index when it is missing or stale, or when `reindex`.
    pub fn open(db: &str, reindex: bool) -> Result<App, ServerError> {
        let pool = Pool::open(db)?;
        let index_dir = pool.with(|store| index_dir(store))?;
        let search = match index_dir {
            Some(dir) => {
                Some(pool.with(|store| SearchIndex::open_or_build(&dir, store, reindex))??)
            }
            None => None,
        };
        Ok(App {
            inner: Arc::new(Inner {
                pool,
                search,
                threads: Default::default(),
            }),
            refresh: search::refresh_from_env(),
        })
    }

    /// How often [`serve`] adds newly stored articles to the search index (`None`: never; the
    /// default is `SITREP_INDEX_REFRESH` seconds, 30 when unset, 0 for never).
    pub fn refresh_every(mut self, every: Option<std::time::Duration>) -> App {
        self.refresh = every;
        self
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub(crate) fn search(&self) -> Option<&SearchIndex> {
        self.inner.search.as_ref()
    }

    pub(crate) fn threads(&self) -> &api::ThreadCache {
        &self.inner.threads
    }

    /// Runs `f` with a pooled store connection on tokio's blocking threads.
    pub(crate) async fn store<T, F>(&self, f: F) -> Result<T, ServerError>
    where
        T: Send + 'static,
        F: FnOnce(&mut sitrep_store::Store) -> Result<T, ServerError> + Send + 'static,
    {
        let app = self.clone();
        tokio::task::spawn_blocking(move || app.pool().with(f)?)
            .await
            .map_err(|e| ServerError::Internal(format!("blocking task failed: {e}")))?
    }
}

/// Where the search index of `store` lives: `<file>.index/` beside a SQLite file; for a
/// PostgreSQL store, a folder named after its URL (without password) in
/// `<temp>/sitrep-index/`, local to the machine that serves; none for `:memory:`.
fn index_dir(store: &sitrep_store::Store) -> Option<PathBuf> {
    if let Some(file) = store.file() {
        let mut name = file.as_os_str().to_os_string();
        name.push(".index");
        return Some(PathBuf::from(name));
    }
    if store.is_postgres() {
        let name: String = store
            .path()
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        return Some(std::env::temp_dir().join("sitrep-index").join(name));
    }
    None
}

/// The routes: API, pages and the fallback 404.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(app)
}

/// Serves `app` on `listener` until the process ends, refreshing the search index in the
/// background (see [`App::refresh_every`]).
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    if let Some(every) = app.refresh {
        tokio::spawn(search::refresh_every(app.clone(), every));
    }
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).await
}
