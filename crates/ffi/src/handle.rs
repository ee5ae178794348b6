//! The service handle: open a service over an SQLite database (from its path or from a
//! configuration file), set its language, close it.

use std::ffi::c_char;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use shikaku::{Config, HashCost, Shikaku};
use shikaku_store_sqlite::SqliteStore;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot, Out, shield};
use crate::messages::{self, Lang};
use crate::objects::shikaku_error;
use crate::types::{shikaku_lang, shikaku_status};

/// Marks a live handle ("shikaku" in ASCII); cleared by `shikaku_close`.
const OPEN: u64 = 0x0073_6869_6b61_6b75;

/// A shikaku service: the manual's flows over one SQLite database. Opaque.
///
/// Made by `shikaku_open_database` or `shikaku_open_config`, freed by
/// `shikaku_close`. Safe to use from several threads at once.
pub struct shikaku_service {
    tag: AtomicU64,
    lang: AtomicU32,
    service: Shikaku<SqliteStore>,
}

impl shikaku_service {
    pub(crate) fn is_open(&self) -> bool {
        self.tag.load(Ordering::Acquire) == OPEN
    }

    pub(crate) fn lang(&self) -> Lang {
        Lang::from_c(self.lang.load(Ordering::Relaxed)).unwrap_or(Lang::Ja)
    }

    pub(crate) fn facade(&self) -> &Shikaku<SqliteStore> {
        &self.service
    }
}

fn lang_arg(lang: shikaku_lang) -> Result<Lang, Failure> {
    Lang::from_c(lang).ok_or(Failure::InvalidArgument {
        name: "lang",
        why: messages::Text {
            ja: "SHIKAKU_LANG_JA (0) 又は SHIKAKU_LANG_EN (1) を指定してください。",
            en: "use SHIKAKU_LANG_JA (0) or SHIKAKU_LANG_EN (1).",
        },
    })
}

/// The database argument: a file path, or `sqlite://` and a path.
fn database_path(text: &str) -> Result<&Path, Failure> {
    let lower = text.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Err(Failure::PostgresUnsupported);
    }
    let path = text.strip_prefix("sqlite://").unwrap_or(text);
    if path.is_empty() {
        return Err(Failure::InvalidArgument {
            name: "database",
            why: messages::Text {
                ja: "データベースファイルのパスが空です。",
                en: "the database path is empty.",
            },
        });
    }
    Ok(Path::new(path))
}

/// The manual's configuration, with the argon2 memory pool sized for as many concurrent
/// calls as there are cores (as `shikaku serve` does by default).
pub(crate) fn default_config() -> Config {
    Config {
        hash_cost: HashCost {
            concurrent_calls: crate::config::cores(),
            ..HashCost::default()
        },
        ..Config::default()
    }
}

fn open(database: &Path, config: Config, lang: Lang) -> Result<*mut shikaku_service, Failure> {
    let (store, keys) = shikaku_store_sqlite::open_or_create(database)?;
    let service = Shikaku::builder(Arc::new(store))
        .master_keys(keys)
        .config(config)
        .build()?;
    let handle = Arc::new(shikaku_service {
        tag: AtomicU64::new(OPEN),
        lang: AtomicU32::new(lang.to_c()),
        service,
    });
    Ok(Arc::into_raw(handle).cast_mut())
}

/// Opens (creating on first use) the SQLite database at `database` with the manual's
/// settings, and its master key file `<database>.key` beside it (mode 0600).
///
/// `database` is a file path (UTF-8), or `sqlite://` followed by one; a `postgres://`
/// URL is `SHIKAKU_STATUS_UNSUPPORTED` in this version. `lang` is the language of the
/// errors of this service (`SHIKAKU_LANG_JA` or `SHIKAKU_LANG_EN`).
///
/// On success `*out` is a new service handle, owned by the caller: close it with
/// `shikaku_close`. On failure `*out` is `NULL`.
///
/// # Safety
///
/// `database` is a NUL-terminated string; `out` is valid for writing a pointer; `error`
/// is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_open_database(
    database: *const c_char,
    lang: shikaku_lang,
    out: *mut *mut shikaku_service,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::required(out, "out", std::ptr::null_mut()) }?;
        context.lang = lang_arg(lang)?;
        // SAFETY: `database` per this function's contract.
        let database = database_path(unsafe { guard::text(database, "database") }?)?;
        out.set(open(database, default_config(), context.lang)?);
        Ok(())
    })
}

/// Opens a service from a TOML configuration file: the format of `shikaku serve
/// --config` (README, "Configuration reference"), `[server]` keys accepted and ignored
/// except `hashing_threads` (how many calls may hash passwords at once; default: cores).
///
/// The database is `[database] path`, else `shikaku.db`; a relative path is taken
/// relative to the configuration file's directory (not the process's working directory,
/// which a desktop program does not control). It is created with its key file on first
/// use, as by `shikaku_open_database`.
///
/// On success `*out` is a new service handle, owned by the caller: close it with
/// `shikaku_close`. A file that cannot be read or has an unknown key or a bad value is
/// `SHIKAKU_STATUS_CONFIG`, with the file and the key in the message.
///
/// # Safety
///
/// As `shikaku_open_database`, with `config_path` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_open_config(
    config_path: *const c_char,
    lang: shikaku_lang,
    out: *mut *mut shikaku_service,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::required(out, "out", std::ptr::null_mut()) }?;
        context.lang = lang_arg(lang)?;
        // SAFETY: `config_path` per this function's contract.
        let path = unsafe { guard::text(config_path, "config_path") }?;
        let loaded = crate::config::load(Path::new(path))?;
        let database = database_path(&loaded.database)?;
        context.idle = loaded.config.idle_timeout.duration();
        out.set(open(database, loaded.config, context.lang)?);
        Ok(())
    })
}

/// Sets the language of the errors this service returns from now on
/// (`SHIKAKU_LANG_JA` or `SHIKAKU_LANG_EN`). Thread-safe.
///
/// # Safety
///
/// `service` is a live handle (or `NULL`); `error` is `NULL` or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_set_language(
    service: *const shikaku_service,
    lang: shikaku_lang,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let lang = lang_arg(lang)?;
        handle.lang.store(lang.to_c(), Ordering::Relaxed);
        context.lang = lang;
        Ok(())
    })
}

/// Closes a service: the database is closed and the keys wiped once no call is still
/// running on it. `NULL` is ignored; a handle already closed (and still allocated
/// because a call holds it) is left alone.
///
/// No call may start on `service` after this. Calls already running finish normally.
///
/// # Safety
///
/// `service` is `NULL` or a handle from `shikaku_open_*` not closed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_close(service: *mut shikaku_service) {
    shield((), || {
        if service.is_null() {
            return;
        }
        // SAFETY: a live handle by this function's contract.
        let handle = unsafe { &*service };
        // Only the first close of a handle gives back the reference `shikaku_open_*` made.
        if handle
            .tag
            .compare_exchange(OPEN, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            // SAFETY: `service` came from `Arc::into_raw`; the tag swap above makes this
            // the one release of that reference.
            drop(unsafe { Arc::from_raw(service.cast_const()) });
        }
    });
}
