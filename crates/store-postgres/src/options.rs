//! [`PostgresOptions`]: the URL and the pool's numbers, with defaults for a node of a
//! login service; `Debug` never shows the password.

use std::fmt;
use std::time::Duration;

/// How to reach the database and how the pool behaves.
///
/// Build with [`PostgresOptions::new`] and change the fields you need:
///
/// ```
/// use std::time::Duration;
/// use shikaku_store_postgres::PostgresOptions;
///
/// let mut options = PostgresOptions::new("postgres://shikaku:secret@db.internal/shikaku?sslmode=verify-full");
/// options.pool_size = 16;
/// options.statement_timeout = Duration::from_secs(5);
/// assert!(!format!("{options:?}").contains("secret"));
/// ```
///
/// When the database is down, every store call fails with
/// [`StoreError::Unavailable`](shikaku::StoreError::Unavailable) after at most
/// `pool_timeout` + `connect_timeout` (waiting for a connection, then checking an idle
/// one), and a call that already holds a connection fails within `statement_timeout`
/// (a server that is up but stuck) or about 2 × `connect_timeout` (a server whose host
/// or network vanished: TCP keepalives and `TCP_USER_TIMEOUT`).
#[derive(Clone)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// `postgres://user:password@host:port/dbname?sslmode=…` (or `postgresql://`).
    /// Besides the client's parameters (`application_name`, `options`,
    /// `target_session_attrs`, …) it takes `sslmode` (`disable`, `prefer` — the
    /// default —, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM
    /// file of trusted CA certificates, or `system`); see the crate docs. A host
    /// starting with `/` (percent-encoded: `%2Fvar%2Frun%2Fpostgresql`) is a Unix
    /// socket directory.
    pub url: String,
    /// Most connections this node keeps open. Default 8.
    pub pool_size: u32,
    /// Idle connections kept ready. Default 1.
    pub min_idle: u32,
    /// Longest wait for the server to accept a new connection (TCP, TLS and login).
    /// Default 5 s. Also the bound on the liveness check of an idle connection, the
    /// TCP keepalive idle time and `TCP_USER_TIMEOUT`.
    pub connect_timeout: Duration,
    /// Longest wait for a connection from the pool (all in use, or the server down).
    /// Default 5 s.
    pub pool_timeout: Duration,
    /// The server-side `statement_timeout` (and `idle_in_transaction_session_timeout`)
    /// of every connection: a statement — including a wait for a row lock held by
    /// another node — that takes longer is cancelled. Default 10 s.
    pub statement_timeout: Duration,
    /// How many times a transaction is run again after a serialization failure
    /// (SQLSTATE 40001) or a deadlock (40P01). Default 8.
    pub max_retries: u32,
    /// `application_name` shown in `pg_stat_activity`, unless the URL sets one.
    /// Default `"shikaku"`.
    pub application_name: String,
}

impl PostgresOptions {
    /// Default pool size.
    pub const DEFAULT_POOL_SIZE: u32 = 8;
    /// Default idle connections kept.
    pub const DEFAULT_MIN_IDLE: u32 = 1;
    /// Default connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default pool checkout timeout.
    pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default statement timeout.
    pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default retries of a transaction after a serialization failure or deadlock.
    pub const DEFAULT_MAX_RETRIES: u32 = 8;

    /// The defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_size: Self::DEFAULT_POOL_SIZE,
            min_idle: Self::DEFAULT_MIN_IDLE,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            pool_timeout: Self::DEFAULT_POOL_TIMEOUT,
            statement_timeout: Self::DEFAULT_STATEMENT_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            application_name: "shikaku".to_owned(),
        }
    }

    /// The URL with its password (in the user info or a `password=` parameter)
    /// replaced by `***`: safe for logs.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}

impl fmt::Debug for PostgresOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresOptions")
            .field("url", &self.redacted_url())
            .field("pool_size", &self.pool_size)
            .field("min_idle", &self.min_idle)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_timeout", &self.pool_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("max_retries", &self.max_retries)
            .field("application_name", &self.application_name)
            .finish()
    }
}

/// Replaces the password of a `scheme://user:password@host/…?password=…` URL with
/// `***`. Works on any text (a malformed URL included): whatever lies between the
/// first `:` of the user info and its last `@`, and every `password=` value.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let (before_query, query) = match rest.find('?') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::from(scheme);
    match before_query.rfind('@') {
        Some(at) => {
            let userinfo = &before_query[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&before_query[at..]);
        }
        None => out.push_str(before_query),
    }
    if let Some(params) = query.strip_prefix('?') {
        out.push('?');
        let redacted: Vec<String> = params
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&redacted.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        for (url, want) in [
            (
                "postgres://shikaku:s3cr%40t@db:5432/shikaku?sslmode=require",
                "postgres://shikaku:***@db:5432/shikaku?sslmode=require",
            ),
            (
                "postgres://shikaku@db/shikaku?password=hunter2&sslmode=disable",
                "postgres://shikaku@db/shikaku?password=***&sslmode=disable",
            ),
            ("postgres://db/shikaku", "postgres://db/shikaku"),
            ("postgres://a:b@c@d/e", "postgres://a:***@d/e"),
            ("not a url :pw@x", "not a url :***@x"),
        ] {
            assert_eq!(redact_url(url), want);
        }
        let options = PostgresOptions::new("postgres://u:topsecret@h/d?password=alsosecret");
        let debug = format!("{options:?}");
        assert!(
            !debug.contains("topsecret") && !debug.contains("alsosecret"),
            "{debug}"
        );
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let o = PostgresOptions::new("postgres://h/d");
        assert_eq!(o.pool_size, 8);
        assert_eq!(o.min_idle, 1);
        assert_eq!(o.connect_timeout, Duration::from_secs(5));
        assert_eq!(o.pool_timeout, Duration::from_secs(5));
        assert_eq!(o.statement_timeout, Duration::from_secs(10));
        assert_eq!(o.max_retries, 8);
        assert_eq!(o.application_name, "shikaku");
    }
}
