//! From [`PostgresOptions`] to a client configuration: the URL parsed (our `sslmode`
//! and `sslrootcert` taken out first, since the client knows neither `verify-ca` nor
//! `verify-full`), the pool's timeouts and the per-connection server settings added,
//! and the target named without its password for error messages.

use std::str::FromStr;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use postgres::config::Host;

use crate::error::{Error, describe};
use crate::options::PostgresOptions;
use crate::tls::{RootSource, SslMode, Tls};

/// Everything needed to open connections.
pub(crate) struct Target {
    /// The client's configuration (holds the password; never printed).
    pub(crate) config: postgres::Config,
    /// How TLS is negotiated and verified.
    pub(crate) tls: Tls,
    /// `postgres://user@host:port/dbname`, for messages.
    pub(crate) display: String,
}

/// Parses `options.url` and applies the options.
pub(crate) fn target(options: &PostgresOptions) -> Result<Target, Error> {
    let url = options.url.trim();
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return Err(Error::InvalidUrl {
            reason: "it must start with postgres:// or postgresql://".to_owned(),
        });
    };
    let (base, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    let mut ssl_mode = SslMode::Prefer;
    let mut roots = RootSource::System;
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value, key)?;
        match decode(key, "a parameter name")?.as_str() {
            "sslmode" => ssl_mode = SslMode::parse(&value)?,
            "sslrootcert" if value == "system" => roots = RootSource::System,
            "sslrootcert" => roots = RootSource::File(value.into()),
            "sslcert" | "sslkey" | "sslpassword" => {
                return Err(Error::InvalidUrl {
                    reason: format!(
                        "`{key}`: client certificates are not supported; authenticate with a \
                         password (SCRAM) over sslmode=verify-full"
                    ),
                });
            }
            _ => kept.push(pair),
        }
    }
    let client_url = if kept.is_empty() {
        format!("postgres://{base}")
    } else {
        format!("postgres://{base}?{}", kept.join("&"))
    };
    let mut config = postgres::Config::from_str(&client_url).map_err(|e| Error::InvalidUrl {
        reason: describe(&e),
    })?;
    if config.get_hosts().is_empty() {
        return Err(Error::InvalidUrl {
            reason: "it names no host".to_owned(),
        });
    }
    apply(&mut config, options);
    config.ssl_mode(ssl_mode.client_mode());
    let display = display(&config);
    let tls = Tls::new(ssl_mode, &roots)?;
    Ok(Target {
        config,
        tls,
        display,
    })
}

fn decode(text: &str, what: &str) -> Result<String, Error> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::InvalidUrl {
            reason: format!("{what} is not UTF-8 once percent-decoded"),
        })
}

/// The pool's timeouts and the per-connection server settings.
fn apply(config: &mut postgres::Config, options: &PostgresOptions) {
    config
        .connect_timeout(options.connect_timeout)
        .keepalives(true)
        .keepalives_idle(options.connect_timeout.max(Duration::from_secs(1)))
        .keepalives_interval(Duration::from_secs(1))
        .keepalives_retries(3)
        .tcp_user_timeout(options.connect_timeout.max(Duration::from_secs(1)));
    if config.get_application_name().is_none() {
        config.application_name(&options.application_name);
    }
    // Server settings travel in the startup packet: no extra round trip per connection.
    // Our transactions never wait idle (the closures only compute), so an idle open
    // transaction means a stuck or vanished node holding row locks: end it as soon as
    // a statement would have been.
    // The migrations' `IF NOT EXISTS` notices are not news: only warnings reach the log.
    let millis = options.statement_timeout.as_millis().max(1);
    let ours = format!(
        "-c statement_timeout={millis} -c idle_in_transaction_session_timeout={millis} \
         -c client_min_messages=warning"
    );
    let all = match config.get_options() {
        Some(theirs) if !theirs.trim().is_empty() => format!("{theirs} {ours}"),
        _ => ours,
    };
    config.options(&all);
}

/// `postgres://user@host:port/dbname`: no password, whatever the URL held.
fn display(config: &postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config
                .get_ports()
                .get(i)
                .or_else(|| config.get_ports().first())
                .copied()
                .unwrap_or(5432);
            match host {
                Host::Tcp(name) if name.contains(':') => format!("[{name}]:{port}"),
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(dir) => format!("{} (Unix socket, port {port})", dir.display()),
            }
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().or(config.get_user()).unwrap_or("");
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Target, Error> {
        target(&PostgresOptions::new(url))
    }

    #[test]
    fn the_target_is_named_without_the_password() {
        let t = parse("postgres://shikaku:pa%2Fss@db.example:6543/logins?sslmode=disable").unwrap();
        assert_eq!(t.display, "postgres://shikaku@db.example:6543/logins");
        assert_eq!(t.config.get_password(), Some(&b"pa/ss"[..]));
        let t = parse("postgresql://u@%2Ftmp%2Fpg/d?sslmode=disable").unwrap();
        assert_eq!(t.display, "postgres://u@/tmp/pg (Unix socket, port 5432)/d");
    }

    #[test]
    fn our_settings_join_the_urls_options() {
        let t = parse("postgres://u@h/d?options=-c%20search_path%3Dauth&sslmode=disable").unwrap();
        let options = t.config.get_options().unwrap();
        assert!(
            options.starts_with("-c search_path=auth -c statement_timeout=10000"),
            "{options}"
        );
        assert_eq!(t.config.get_application_name(), Some("shikaku"));
        let t = parse("postgres://u@h/d?application_name=node-a&sslmode=disable").unwrap();
        assert_eq!(t.config.get_application_name(), Some("node-a"));
    }

    #[test]
    fn every_sslmode_of_libpq_but_allow_is_understood() {
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert!(
                parse(&format!("postgres://u@h/d?sslmode={mode}")).is_ok(),
                "{mode}"
            );
        }
        let err = parse("postgres://u:pw@h/d?sslmode=sometimes")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sslmode") && !err.contains("pw"), "{err}");
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_the_password() {
        for url in [
            "mysql://u:hunter2@h/d",
            "postgres://u:hunter2@h:notaport/d",
            "postgres://u:hunter2@h/d?sslcert=/x",
            "postgres://u:hunter2@h/d?frobnicate=1",
        ] {
            let err = parse(url).err().unwrap().to_string();
            assert!(err.starts_with("invalid PostgreSQL URL: "), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
