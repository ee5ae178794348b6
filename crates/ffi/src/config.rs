//! The TOML configuration file of `shikaku serve --config` (README, "Configuration
//! reference"), read the same way: every section and key optional, unknown keys refused,
//! the manual's values as defaults. One file serves both: the `[server]` section is the
//! server's (its keys are not checked here, so new server keys never break a library
//! host), and only its `hashing_threads` is used (it sizes the argon2 memory pool).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use shikaku::lockout::{IdleTimeout, LockoutPolicy};
use shikaku::password::Policy;
use shikaku::totp::Verifier;
use shikaku::{Config, HashCost};
use time::Duration;

use crate::failure::Failure;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    password: PasswordSection,
    #[serde(default)]
    argon2: Argon2Section,
    #[serde(default)]
    lockout: LockoutSection,
    #[serde(default)]
    session: SessionSection,
    #[serde(default)]
    totp: TotpSection,
    #[serde(default)]
    institution: InstitutionSection,
    /// The server's own sections (`[log]`, `[metrics]`, and `[audit]`, whose retention
    /// the server's housekeeping applies): ignored here.
    #[serde(default)]
    log: Option<toml::Table>,
    #[serde(default)]
    metrics: Option<toml::Table>,
    #[serde(default)]
    audit: Option<toml::Table>,
    /// `[keys] master_key_file`: not read by this library yet, so refused when set.
    #[serde(default)]
    keys: Option<toml::Table>,
}

/// The server's section: every other key (`bind`, `public_origin`, …) is the server's
/// business and ignored here.
#[derive(Debug, Default, Deserialize)]
struct ServerSection {
    hashing_threads: Option<usize>,
}

/// `path` is the library's; `url` (PostgreSQL) is refused — this library opens SQLite —
/// and the server's pool keys are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    path: Option<String>,
    url: Option<String>,
    pool_size: Option<u32>,
    connect_timeout_seconds: Option<u64>,
    pool_timeout_seconds: Option<u64>,
    statement_timeout_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordSection {
    min_length: Option<usize>,
    max_length: Option<usize>,
    history_depth: Option<usize>,
    history_applies_below: Option<usize>,
    prefix_length: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Argon2Section {
    m_cost_kib: Option<u32>,
    t_cost: Option<u32>,
    p_cost: Option<u32>,
    workers: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockoutSection {
    password_threshold: Option<u32>,
    password_lock_seconds: Option<i64>,
    passcode_threshold: Option<u32>,
    passcode_lock_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSection {
    idle_timeout_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TotpSection {
    window: Option<u8>,
    issuer: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionSection {
    code_digits: Option<usize>,
}

/// What a configuration file says: the facade's configuration and the database.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) config: Config,
    /// The database path (relative ones resolved against the file's directory) or URL.
    pub(crate) database: String,
}

/// How many calls may hash at once by default: the cores, as `shikaku serve`.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// Reads and validates a configuration file.
pub(crate) fn load(path: &Path) -> Result<Loaded, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Config(format!("cannot read the file {}: {e}", path.display())))?;
    parse(&text, path.parent().unwrap_or(Path::new("")))
        .map_err(|why| Failure::Config(format!("{}: {why}", path.display())))
}

fn parse(text: &str, base: &Path) -> Result<Loaded, String> {
    let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.database.url.is_some() {
        return Err(
            "[database] url: shikaku-ffi opens the SQLite file of [database] path; \
                    a PostgreSQL deployment is reached over the JSON API"
                .to_owned(),
        );
    }
    if file
        .keys
        .as_ref()
        .is_some_and(|k| k.contains_key("master_key_file"))
    {
        return Err(
            "[keys] master_key_file: shikaku-ffi uses the key file beside the \
                    database (<db>.key)"
                .to_owned(),
        );
    }
    let d = &file.database;
    let _ignored = (
        &file.log,
        &file.metrics,
        &file.audit,
        d.pool_size,
        d.connect_timeout_seconds,
        d.pool_timeout_seconds,
        d.statement_timeout_seconds,
    );
    let database = match file.database.path.as_deref() {
        Some(url) if url.contains("://") && !url.starts_with("sqlite://") => url.to_owned(),
        Some(path) => resolve(base, path.strip_prefix("sqlite://").unwrap_or(path)),
        None => resolve(base, "shikaku.db"),
    };
    Ok(Loaded {
        config: config(&file)?,
        database,
    })
}

fn resolve(base: &Path, path: &str) -> String {
    let path = Path::new(path);
    let full: PathBuf = if path.is_absolute() {
        path.to_owned()
    } else {
        base.join(path)
    };
    full.to_string_lossy().into_owned()
}

fn seconds(value: i64, what: &str) -> Result<Duration, String> {
    if value <= 0 {
        return Err(format!("{what} must be a positive number of seconds"));
    }
    Ok(Duration::seconds(value))
}

fn config(file: &FileConfig) -> Result<Config, String> {
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
        concurrent_calls: file.server.hashing_threads.unwrap_or_else(cores),
    };

    let l = &file.lockout;
    let lock = |threshold: Option<u32>, secs: Option<i64>, default: &LockoutPolicy, what: &str| {
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
        audit_retention: defaults.audit_retention,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_manual_beside_the_file() {
        let loaded = parse("", Path::new("/etc/shikaku")).unwrap();
        assert_eq!(loaded.database, "/etc/shikaku/shikaku.db");
        assert_eq!(loaded.config.password_lockout.threshold(), 3);
        assert_eq!(loaded.config.idle_timeout.duration(), Duration::minutes(30));
        assert_eq!(loaded.config.institution_code_digits, 10);
    }

    #[test]
    fn the_readmes_reference_file_is_accepted() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("```toml\n[server]")
            .expect("the README's configuration reference");
        let body = &readme[start + "```toml\n".len()..];
        let toml = &body[..body.find("```").unwrap()];
        let loaded = parse(toml, Path::new("/srv")).unwrap();
        assert_eq!(loaded.database, "/srv/shikaku.db");
        assert_eq!(loaded.config.hash_cost.concurrent_calls, 2);
    }

    #[test]
    fn server_keys_are_the_servers() {
        let text = "[server]\npublic_origin = \"https://x.example\"\nfuture_key = 1\nhashing_threads = 3\n";
        let loaded = parse(text, Path::new("/srv")).unwrap();
        assert_eq!(loaded.config.hash_cost.concurrent_calls, 3);
        assert!(parse("[database]\nfuture_key = 1\n", Path::new("/srv")).is_err());
    }

    #[test]
    fn paths_and_urls() {
        let at = |text: &str| parse(text, Path::new("/srv")).unwrap().database;
        assert_eq!(
            at("[database]\npath = \"/var/lib/s.db\"\n"),
            "/var/lib/s.db"
        );
        assert_eq!(at("[database]\npath = \"data/s.db\"\n"), "/srv/data/s.db");
        assert_eq!(at("[database]\npath = \"sqlite://s.db\"\n"), "/srv/s.db");
        assert_eq!(
            at("[database]\npath = \"postgres://db/shikaku\"\n"),
            "postgres://db/shikaku"
        );
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = |text: &str| parse(text, Path::new("/srv")).unwrap_err();
        assert!(err("[session]\nidle_minutes = 3\n").contains("idle_minutes"));
        assert!(err("[session]\nidle_timeout_seconds = 0\n").contains("idle_timeout_seconds"));
        assert!(err("[password]\nmin_length = 30\nmax_length = 20\n").starts_with("[password]"));
    }
}
