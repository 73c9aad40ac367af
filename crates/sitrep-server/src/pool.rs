//! A bounded pool of store connections: each request takes one, uses it on a blocking thread
//! and gives it back. Connections are opened on demand up to [`MAX_OPEN`]; past that a request
//! waits for one to come back (on its blocking thread, never on the async workers).

use std::sync::{Condvar, Mutex};

use sitrep_store::Store;

use crate::ServerError;

/// Connections open at most. SQLite in WAL mode reads concurrently and the store maps the file
/// (pages shared by all connections), but each connection still keeps its own statement cache
/// and a small page cache for what lies past the map; on a small machine more connections
/// than the blocking threads that use them only add memory. PostgreSQL: one server process per
/// connection.
const MAX_OPEN: usize = 8;

pub(crate) struct Pool {
    spec: String,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Store>,
    open: usize,
}

impl Pool {
    /// Opens the first connection (creating and migrating the store if needed).
    pub(crate) fn open(spec: &str) -> Result<Pool, ServerError> {
        let first = Store::open(spec)?;
        Ok(Pool {
            spec: spec.to_string(),
            state: Mutex::new(State {
                idle: vec![first],
                open: 1,
            }),
            returned: Condvar::new(),
        })
    }

    fn take(&self) -> Result<Store, ServerError> {
        let poisoned = || ServerError::Internal("store pool lock poisoned".to_string());
        let mut state = self.state.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(store) = state.idle.pop() {
                return Ok(store);
            }
            if state.open < MAX_OPEN {
                state.open += 1;
                drop(state);
                return Store::open(&self.spec).map_err(|e| {
                    if let Ok(mut s) = self.state.lock() {
                        s.open -= 1;
                    }
                    e.into()
                });
            }
            state = self.returned.wait(state).map_err(|_| poisoned())?;
        }
    }

    fn give_back(&self, store: Store) {
        if let Ok(mut state) = self.state.lock() {
            state.idle.push(store);
        }
        self.returned.notify_one();
    }

    /// Runs `f` with a connection (blocking: call from a blocking thread). The connection goes
    /// back to the pool even if `f` panics.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Result<T, ServerError> {
        let mut lease = Lease {
            pool: self,
            store: Some(self.take()?),
        };
        match lease.store.as_mut() {
            Some(store) => Ok(f(store)),
            None => Err(ServerError::Internal("store lease is empty".to_string())),
        }
    }
}

/// A connection taken from the pool, given back when dropped.
struct Lease<'a> {
    pool: &'a Pool,
    store: Option<Store>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            self.pool.give_back(store);
        }
    }
}
