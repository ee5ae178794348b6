//! The TOML configuration file: every policy number, so an operator (or a test) can change
//! them — e.g. shorten the 30-minute timings.
//!
//! The file's shape is its own type ([`FileConfig`]); [`TryFrom`] turns it into the
//! facade's validated [`shikaku::Config`].
//!
//! Every command finds the file the same way ([`Settings::discover`]): `--config`, else
//! `SHIKAKU_CONFIG`, else none. The database likewise: `--db`, else `[database] path`,
//! else `shikaku.db`. So `shikaku user add` hashes with the server's `[argon2]` settings
//! and writes to the server's database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shikaku::lockout::{IdleTimeout, LockoutPolicy};
use shikaku::password::Policy;
use shikaku::totp::Verifier;
use shikaku::{Config, HashCost};
use time::Duration;

mod audit;

use audit::AuditSection;

/// The whole file. Every section and key is optional; absent means the manual's value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    #[serde(default)]
    pub(crate) server: ServerSection,
    #[serde(default)]
    pub(crate) database: DatabaseSection,
    #[serde(default)]
    pub(crate) password: PasswordSection,
    #[serde(default)]
    pub(crate) argon2: Argon2Section,
    #[serde(default)]
    pub(crate) lockout: LockoutSection,
    #[serde(default)]
    pub(crate) session: SessionSection,
    #[serde(default)]
    pub(crate) totp: TotpSection,
    #[serde(default)]
    pub(crate) institution: InstitutionSection,
    #[serde(default)]
    pub(crate) keys: KeysSection,
    #[serde(default)]
    pub(crate) log: LogSection,
    #[serde(default)]
    pub(crate) metrics: MetricsSection,
    #[serde(default)]
    pub(crate) audit: AuditSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerSection {
    /// Address to listen on (default 127.0.0.1:8080).
    pub(crate) bind: Option<SocketAddr>,
    /// Plain-http localhost demo: drop `Secure` and the `__Host-` cookie prefix.
    pub(crate) insecure_cookies: Option<bool>,
    /// Served behind TLS (adds HSTS).
    pub(crate) tls: Option<bool>,
    /// At most this many argon2 computations at once (default: cores).
    pub(crate) hashing_threads: Option<usize>,
    /// The origin browsers use (`https://host[:port]`): `Host` and `Origin` must match it.
    /// Required outside `--demo`.
    pub(crate) public_origin: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatabaseSection {
    /// The SQLite file (the default store).
    pub(crate) path: Option<PathBuf>,
    /// `postgres://…`: PostgreSQL instead of SQLite (several nodes, one database).
    pub(crate) url: Option<String>,
    /// PostgreSQL connections per node.
    pub(crate) pool_size: Option<u32>,
    /// How long to wait for a new PostgreSQL connection.
    pub(crate) connect_timeout_seconds: Option<u64>,
    /// How long a request waits for a pooled connection before answering 503.
    pub(crate) pool_timeout_seconds: Option<u64>,
    /// The longest one PostgreSQL statement may run.
    pub(crate) statement_timeout_seconds: Option<u64>,
}

/// How the server logs: always to stderr; `text` (the default) for people, `json` (one
/// object per line) for a collector. Colours only when stderr is a terminal.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogSection {
    pub(crate) format: Option<LogFormat>,
}

/// `[metrics] bind`: serve `GET /metrics` on this address instead of beside the
/// screens (e.g. `127.0.0.1:9090`, reachable by Prometheus only).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetricsSection {
    pub(crate) bind: Option<SocketAddr>,
}

/// `[log] format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The URL may hold a password: `Debug` shows it redacted.
impl std::fmt::Debug for DatabaseSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSection")
            .field("path", &self.path)
            .field("url", &self.url.as_deref().map(crate::backend::redact_url))
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeysSection {
    /// The master key file (64 hex digits, mode 0600); required with PostgreSQL, where
    /// every node must hold the same key. SQLite's default: `<db>.key`.
    pub(crate) master_key_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordSection {
    pub(crate) min_length: Option<usize>,
    pub(crate) max_length: Option<usize>,
    pub(crate) history_depth: Option<usize>,
    pub(crate) history_applies_below: Option<usize>,
    pub(crate) prefix_length: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Argon2Section {
    pub(crate) m_cost_kib: Option<u32>,
    pub(crate) t_cost: Option<u32>,
    pub(crate) p_cost: Option<u32>,
    pub(crate) workers: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LockoutSection {
    pub(crate) password_threshold: Option<u32>,
    pub(crate) password_lock_seconds: Option<i64>,
    pub(crate) passcode_threshold: Option<u32>,
    pub(crate) passcode_lock_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionSection {
    pub(crate) idle_timeout_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TotpSection {
    pub(crate) window: Option<u8>,
    pub(crate) issuer: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstitutionSection {
    pub(crate) code_digits: Option<usize>,
}

impl FileConfig {
    /// Reads and parses a config file.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }
}

/// The environment variable naming the configuration file when `--config` is absent.
pub(crate) const CONFIG_ENV: &str = "SHIKAKU_CONFIG";
/// The database when neither `--db` nor `[database] path` names one.
pub(crate) const DEFAULT_DB: &str = "shikaku.db";

/// What every command starts from: the file (if any), where it came from, and the
/// facade's configuration built from it.
pub(crate) struct Settings {
    pub(crate) file: FileConfig,
    /// The file read, `None` when no `--config` / `SHIKAKU_CONFIG` named one.
    pub(crate) source: Option<PathBuf>,
    pub(crate) config: Config,
}

impl Settings {
    /// Reads the file `--config` names (clap fills it from `SHIKAKU_CONFIG` when the flag
    /// is absent); none: the manual's defaults.
    pub(crate) fn discover(config: Option<&Path>) -> Result<Self, String> {
        let file = match config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        let config_value = Config::try_from(&file)?;
        Ok(Self {
            file,
            source: config.map(Path::to_path_buf),
            config: config_value,
        })
    }

    /// The database: `--db`, else `[database] path`, else [`DEFAULT_DB`].
    pub(crate) fn database(&self, arg: Option<&Path>) -> PathBuf {
        arg.map(Path::to_path_buf)
            .or_else(|| self.file.database.path.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
    }

    /// Where the configuration came from, for messages.
    pub(crate) fn describe_source(&self) -> String {
        match &self.source {
            Some(path) => format!("configuration {}", path.display()),
            None => format!("no configuration file (neither --config nor {CONFIG_ENV})"),
        }
    }
}

/// Checks a public origin: `http(s)://host[:port]`, nothing after it, no user info.
pub(crate) fn check_public_origin(origin: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "[server] public_origin {origin:?} is not an origin: write the scheme, host and \
             port browsers use, e.g. \"https://shikaku.clinic.example\" or \
             \"http://127.0.0.1:8080\" (no path, query or user name)"
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    // One trailing slash is how browsers' address bars show an origin.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let host_ok = !rest.is_empty()
        && !rest.starts_with(':')
        && !rest.contains(['/', '?', '#', '@', ' ', '\\'])
        && rest.is_ascii();
    if !host_ok {
        return Err(bad());
    }
    // host, then an optional `:port` (an IPv6 literal is bracketed).
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (inside, after) = v6.split_once(']').ok_or_else(bad)?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(bad)?),
            };
            (inside, port)
        }
        None => match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    if host.is_empty() || port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return Err(bad());
    }
    Ok(())
}

fn seconds(value: i64, what: &str) -> Result<Duration, String> {
    if value <= 0 {
        return Err(format!("{what} must be a positive number of seconds"));
    }
    Ok(Duration::seconds(value))
}

impl TryFrom<&FileConfig> for Config {
    type Error = String;

    fn try_from(file: &FileConfig) -> Result<Self, String> {
        let defaults = Config::default();
        let p = &file.password;
        let mut policy = Policy::builder();
        if let Some(v) = p.min_length {
            policy = policy.min_length(v);
        }
        if let Some(v) = p.max_length {
            policy = policy.max_length(v);
        }
        if let Some(v) = p.history_depth {
            policy = policy.history_depth(v);
        }
        if let Some(v) = p.history_applies_below {
            policy = policy.history_applies_below(v);
        }
        if let Some(v) = p.prefix_length {
            policy = policy.prefix_length(v);
        }
        let password_policy = policy.build().map_err(|e| format!("[password] {e}"))?;

        let a = &file.argon2;
        let d = HashCost::default();
        let hash_cost = HashCost {
            m_cost: a.m_cost_kib.unwrap_or(d.m_cost),
            t_cost: a.t_cost.unwrap_or(d.t_cost),
            p_cost: a.p_cost.unwrap_or(d.p_cost),
            workers: a.workers.unwrap_or(d.workers),
            // The server lets this many logins hash at once; the hasher's memory pool
            // is sized for it (see `HashCost::concurrent_calls`).
            concurrent_calls: file.server.hashing_threads.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
            }),
        };

        let l = &file.lockout;
        let lock =
            |threshold: Option<u32>, secs: Option<i64>, default: &LockoutPolicy, what: &str| {
                let duration = match secs {
                    Some(s) => seconds(s, what)?,
                    None => default.duration(),
                };
                LockoutPolicy::new(threshold.unwrap_or(default.threshold()), duration)
                    .map_err(|e| format!("[lockout] {e}"))
            };
        let password_lockout = lock(
            l.password_threshold,
            l.password_lock_seconds,
            &defaults.password_lockout,
            "password_lock_seconds",
        )?;
        let passcode_lockout = lock(
            l.passcode_threshold,
            l.passcode_lock_seconds,
            &defaults.passcode_lockout,
            "passcode_lock_seconds",
        )?;

        let idle_timeout = match file.session.idle_timeout_seconds {
            Some(s) => IdleTimeout::new(seconds(s, "idle_timeout_seconds")?)
                .map_err(|e| format!("[session] {e}"))?,
            None => defaults.idle_timeout,
        };
        let verifier = match file.totp.window {
            Some(w) => Verifier::builder()
                .window(w)
                .build()
                .map_err(|e| format!("[totp] {e}"))?,
            None => defaults.verifier,
        };
        Ok(Config {
            password_policy,
            hash_cost,
            password_lockout,
            passcode_lockout,
            idle_timeout,
            verifier,
            issuer: file.totp.issuer.clone().unwrap_or(defaults.issuer),
            institution_code_digits: file
                .institution
                .code_digits
                .unwrap_or(defaults.institution_code_digits),
            audit_retention: file.audit.retention(defaults.audit_retention)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_manual() {
        let file: FileConfig = toml::from_str("").unwrap();
        let config = Config::try_from(&file).unwrap();
        assert_eq!(config.password_lockout.threshold(), 3);
        assert_eq!(config.password_lockout.duration(), Duration::minutes(30));
        assert_eq!(config.idle_timeout.duration(), Duration::minutes(30));
        assert_eq!(config.password_policy.min_length(), 8);
        assert_eq!(config.institution_code_digits, 10);
    }

    #[test]
    fn timings_can_be_shortened() {
        let file: FileConfig = toml::from_str(
            "[lockout]\npassword_lock_seconds = 5\npasscode_threshold = 2\n[session]\nidle_timeout_seconds = 3\n",
        )
        .unwrap();
        let config = Config::try_from(&file).unwrap();
        assert_eq!(config.password_lockout.duration(), Duration::seconds(5));
        assert_eq!(config.passcode_lockout.threshold(), 2);
        assert_eq!(config.idle_timeout.duration(), Duration::seconds(3));
    }

    #[test]
    fn bad_values_are_clear_errors() {
        assert!(
            toml::from_str::<FileConfig>("[session]\nidle_minutes = 3\n").is_err(),
            "unknown key"
        );
        let file: FileConfig = toml::from_str("[session]\nidle_timeout_seconds = 0\n").unwrap();
        assert!(
            Config::try_from(&file)
                .unwrap_err()
                .contains("idle_timeout_seconds")
        );
        let file: FileConfig =
            toml::from_str("[password]\nmin_length = 30\nmax_length = 20\n").unwrap();
        assert!(
            Config::try_from(&file)
                .unwrap_err()
                .starts_with("[password]")
        );
    }

    #[test]
    fn public_origins() {
        for good in [
            "https://shikaku.clinic.example",
            "https://shikaku.clinic.example/",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://[::1]",
        ] {
            assert_eq!(check_public_origin(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "shikaku.clinic.example",
            "127.0.0.1:8080",
            "ftp://clinic.example",
            "https://",
            "https://:443",
            "https://clinic.example/login",
            "https://clinic.example//",
            "https://clinic.example?x",
            "https://clinic.example#x",
            "https://user@clinic.example",
            "https://clinic.example:0",
            "https://clinic.example:99999",
            "https://clinic.example:https",
            "https://[::1",
            "https://[::1]x",
            "https://診療所.example",
        ] {
            let e = check_public_origin(bad).unwrap_err();
            assert!(e.contains("public_origin"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_database_is_the_flag_then_the_file_then_the_default() {
        let mut settings = Settings::discover(None).unwrap();
        assert_eq!(settings.database(None), PathBuf::from(DEFAULT_DB));
        settings.file.database.path = Some(PathBuf::from("/srv/shikaku/prod.db"));
        assert_eq!(
            settings.database(None),
            PathBuf::from("/srv/shikaku/prod.db")
        );
        assert_eq!(
            settings.database(Some(Path::new("other.db"))),
            PathBuf::from("other.db")
        );
        let file: FileConfig = toml::from_str(
            "[server]
public_origin = \"https://a.example\"\n",
        )
        .unwrap();
        assert_eq!(
            file.server.public_origin.as_deref(),
            Some("https://a.example")
        );
    }
}
