//! The connection pool: r2d2 over the synchronous `postgres` client.
//!
//! * A pooled connection is a [`Conn`]: the client and the statements it has prepared
//!   ([`Statements`]), which live and die with it.
//! * A connection the server last answered on more than [`ALIVE_BYPASS_WINDOW`]
//!   (500 ms) ago is checked (`SELECT` of nothing, bounded by `connect_timeout`) when it
//!   leaves the pool, so connections broken while idle — the server restarted (the
//!   connection holds a pending `57P01`), a failover, a firewall that dropped the flow —
//!   are discarded and replaced instead of failing the caller's first statement.
//! * A connection the server answered on within the window is handed out without that
//!   round trip: under load each connection goes out and back many times a second, and
//!   a check per store call was 9 of the 29 round trips of a right-password login. The
//!   price: a connection the server ends within 500 ms of its last use fails its next
//!   call once (`Unavailable`), as a call in flight at that moment would anyway.
//! * A connection whose socket closed during use is discarded when it comes back.
//! * New connections are opened in r2d2's background threads; a caller waits at most
//!   `pool_timeout` for one, then gets
//!   [`StoreError::Unavailable`](shikaku::StoreError::Unavailable) with the last
//!   reason a connection could not be opened. When the server is back, the next
//!   checkout opens a fresh connection: the store itself never needs replacing.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use postgres::Client;
use r2d2::{HandleError, ManageConnection, PooledConnection};
use shikaku::StoreError;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::connect::Target;
use crate::error::describe;
use crate::options::PostgresOptions;
use crate::sql::Statements;

/// How long after the server last answered on a connection a checkout trusts it
/// without a ping. HikariCP's `aliveBypassWindowMs` (500 ms by default) is the
/// precedent: a connection that has just answered is very likely still alive, and if it
/// died in between, the call fails as it would have had the connection died right after
/// the ping. A connection idle longer, as across a restart, is still checked.
pub(crate) const ALIVE_BYPASS_WINDOW: Duration = Duration::from_millis(500);

/// A pooled connection: the client, the statements prepared on it, and when the
/// server last answered on it.
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) statements: Statements,
    answered_at: Instant,
    /// Checkouts that pinged this connection.
    #[cfg(test)]
    pub(crate) pings: u64,
}

impl Conn {
    fn new(client: Client) -> Self {
        Self {
            client,
            statements: Statements::default(),
            answered_at: now(),
            #[cfg(test)]
            pings: 0,
        }
    }

    /// Records that the server has just answered on this connection.
    pub(crate) fn answered(&mut self) {
        if !self.client.is_closed() {
            self.answered_at = now();
        }
    }
}

/// The time now, for the connections' idleness.
fn now() -> Instant {
    // An adapter timing how long its connections sat idle (not a domain clock).
    #[allow(clippy::disallowed_methods)]
    Instant::now()
}

/// Opens, checks and discards connections for r2d2.
pub(crate) struct Manager {
    config: postgres::Config,
    tls: MakeRustlsConnect,
    check_timeout: Duration,
    /// Why the newest background connect failed; cleared when one succeeds.
    last_error: Arc<Mutex<Option<String>>>,
}

impl Manager {
    pub(crate) fn new(target: &Target, options: &PostgresOptions) -> Self {
        Self {
            config: target.config.clone(),
            tls: target.tls.connector.clone(),
            check_timeout: options.connect_timeout,
            last_error: Arc::new(Mutex::new(None)),
        }
    }

    /// One connection, outside the pool (migrations, the first check at connect).
    pub(crate) fn open(&self) -> Result<Client, postgres::Error> {
        self.config.connect(self.tls.clone())
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        let result = self.open();
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = result.as_ref().err().map(describe);
        result.map(Conn::new)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        let idle = now().saturating_duration_since(conn.answered_at);
        if idle < ALIVE_BYPASS_WINDOW && !conn.client.is_closed() {
            return Ok(());
        }
        #[cfg(test)]
        {
            conn.pings += 1;
        }
        conn.client.is_valid(self.check_timeout)?;
        conn.answered();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// Logs why a background connect failed (naming the target without the URL).
#[derive(Debug)]
struct LogError {
    target: String,
}

impl HandleError<postgres::Error> for LogError {
    fn handle_error(&self, error: postgres::Error) {
        let reason = describe(&error);
        tracing::warn!(target = %self.target, %reason, "PostgreSQL connection failed");
    }
}

/// The pool and what a caller needs to explain a timeout.
pub(crate) struct Pool {
    inner: r2d2::Pool<Manager>,
    timeout: Duration,
    last_error: Arc<Mutex<Option<String>>>,
}

impl Pool {
    /// Builds the pool without waiting for its connections (the caller has just
    /// proved the server reachable).
    pub(crate) fn new(target: &Target, options: &PostgresOptions) -> Self {
        let manager = Manager::new(target, options);
        let last_error = Arc::clone(&manager.last_error);
        let size = options.pool_size.max(1);
        let inner = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(options.min_idle.min(size)))
            .connection_timeout(options.pool_timeout)
            .test_on_check_out(true)
            .error_handler(Box::new(LogError {
                target: target.display.clone(),
            }))
            .build_unchecked(manager);
        Self {
            inner,
            timeout: options.pool_timeout,
            last_error,
        }
    }

    /// A connection, or `Unavailable` after at most `pool_timeout` (plus one
    /// connection check).
    pub(crate) fn get(&self, op: &str) -> Result<PooledConnection<Manager>, StoreError> {
        self.inner.get().map_err(|_| {
            let last = self
                .last_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            StoreError::Unavailable(match last {
                Some(reason) => format!(
                    "{op}: no PostgreSQL connection within {:?}; the last attempt failed: \
                     {reason}",
                    self.timeout
                ),
                None => format!(
                    "{op}: no PostgreSQL connection within {:?} (every connection is busy)",
                    self.timeout
                ),
            })
        })
    }

    /// Connections open and idle.
    pub(crate) fn state(&self) -> (u32, u32) {
        let state = self.inner.state();
        (state.connections, state.idle_connections)
    }
}
