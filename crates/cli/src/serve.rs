//! `shikaku serve`: the screens and the JSON API on the embedded SQLite store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shikaku::Shikaku;
use shikaku_web::ops::{Metrics, MetricsSink};
use shikaku_web::security::CsrfKey;
use tracing_subscriber::EnvFilter;

use crate::args::ServeArgs;
use crate::backend::{Choice, Database, Missing};
use crate::config::{LogFormat, Settings, check_public_origin};

const DEMO_DB: &str = "shikaku-demo.db";
const DEMO_INSTITUTION: &str = "0123456789";
const DEMO_LOGIN_ID: &str = "demo";

/// Logs to stderr (stdout carries what `serve` prints for people: the URL, the demo's
/// settings), as text or JSON lines (`[log] format`), with ANSI colours only when
/// stderr is a terminal — a file or a collector gets plain text. `RUST_LOG` filters
/// (default `info`).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// The file beside a database that says `serve --demo` created it (`<db>.demo`).
pub(crate) fn demo_marker(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".demo");
    PathBuf::from(name)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A demo starts from a clean slate, on a database only a demo created: an existing
/// database (or key file) without the demo marker is refused before anything is touched.
fn prepare_demo_database(db: &Path) -> Result<(), String> {
    let marker = demo_marker(db);
    let key = shikaku_store_sqlite::key_file_path(db);
    let existing: Vec<PathBuf> = [db.to_path_buf(), key.clone(), sidecar(db, "-wal")]
        .into_iter()
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() && !marker.exists() {
        return Err(format!(
            "--demo refuses the database {}: `shikaku serve --demo` did not create it (there \
             is no {} beside it). The demo resets a well-known account, prints its password \
             and recreates its database at every start, so it never runs on a real one. Leave \
             out --db and [database] path (the demo uses {DEMO_DB}), or name a new file.",
            db.display(),
            marker.display()
        ));
    }
    for path in [
        db.to_path_buf(),
        sidecar(db, "-wal"),
        sidecar(db, "-shm"),
        key,
    ] {
        remove_if_present(&path)?;
    }
    std::fs::write(
        &marker,
        "created by `shikaku serve --demo`: this database is recreated at every demo start\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", marker.display()))
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// Everything `serve` decides before it touches a file or a socket: refusals come first,
/// so a refused start changes nothing.
struct Plan {
    bind: SocketAddr,
    db: PathBuf,
    insecure_cookies: bool,
    tls: bool,
    /// `None` only in `--demo` (the web layer then accepts loopback `Host`s only).
    public_origin: Option<String>,
}

fn plan(args: &ServeArgs, settings: &Settings) -> Result<Plan, String> {
    let file = &settings.file;
    let bind: SocketAddr = args
        .bind
        .or(file.server.bind)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let loopback = bind.ip().is_loopback();
    if args.demo && !loopback {
        return Err(format!(
            "--demo listens on loopback only (127.0.0.1 or [::1]), not {bind}: its cookies \
             travel over plain http and it prints the demo password"
        ));
    }
    let insecure_setting = file.server.insecure_cookies.unwrap_or(false);
    if insecure_setting && !loopback {
        return Err(format!(
            "[server] insecure_cookies = true is for plain-http loopback only, not {bind}: \
             behind TLS leave it out (the cookies are then __Host-shikaku; Secure)"
        ));
    }
    let public_origin = args
        .public_origin
        .clone()
        .or_else(|| file.server.public_origin.clone());
    if let Some(origin) = &public_origin {
        check_public_origin(origin)?;
    } else if !args.demo {
        return Err(format!(
            "[server] public_origin is required (or --public-origin): the origin staff \
             browsers use to reach this server, e.g. public_origin = \
             \"https://shikaku.clinic.example\" behind TLS, or \"http://{bind}\" on this \
             machine. Requests whose Host or Origin differ are refused (DNS rebinding). \
             ({})",
            settings.describe_source()
        ));
    }
    let db = match (&args.db, &file.database.path, args.demo) {
        (None, None, true) => PathBuf::from(DEMO_DB),
        _ => settings.database(args.db.as_deref()),
    };
    Ok(Plan {
        bind,
        db,
        insecure_cookies: args.demo || insecure_setting,
        tls: file.server.tls.unwrap_or(false),
        public_origin,
    })
}

pub(crate) fn run(args: &ServeArgs) -> Result<(), String> {
    let settings = Settings::discover(args.config.config.as_deref())?;
    init_logging(settings.file.log.format.unwrap_or_default());
    let Plan {
        bind,
        db,
        insecure_cookies,
        tls,
        public_origin,
    } = plan(args, &settings)?;
    if args.demo {
        prepare_demo_database(&db)?;
    }
    let choice = Choice {
        db: Some(&db),
        database_url: args.store.database_url.as_deref(),
        master_key_file: args.store.master_key_file.as_deref(),
    };
    if args.demo && matches!(settings.choose_database(choice), Database::Postgres(_)) {
        return Err(
            "--demo runs on its own SQLite file, not on PostgreSQL: leave out \
                    --database-url, SHIKAKU_DATABASE_URL and [database] url"
                .into(),
        );
    }
    let (store, keys, database) = settings.open_store(choice, Missing::Create)?;
    // Every node holds the same master key, so every node signs and accepts the same
    // CSRF tokens: a form served by one node may be posted to another (during a key
    // rotation too: the key with the smallest id decides, see MasterKeys::web_csrf_key).
    let csrf_key = CsrfKey::from_bytes(*keys.web_csrf_key());
    let metrics = Arc::new(Metrics::new());
    let metrics_bind = settings.file.metrics.bind;
    let service = Shikaku::builder(Arc::new(store))
        .master_keys(keys)
        .config(settings.config)
        .audit_sink(shikaku::TracingAuditSink)
        .audit_sink(MetricsSink(Arc::clone(&metrics)))
        .build()
        .map_err(|e| format!("{}: {e}", database.describe()))?;

    let demo_settings = if args.demo {
        let key = service
            .config()
            .account_key(DEMO_INSTITUTION, DEMO_LOGIN_ID)
            .map_err(|e| e.to_string())?;
        match service.provision(&key, None) {
            Ok(settings) => Some(settings),
            Err(shikaku::Error::Store(shikaku::StoreError::Conflict)) => {
                Some(service.reset_password(&key).map_err(|e| e.to_string())?)
            }
            Err(e) => return Err(e.to_string()),
        }
    } else {
        None
    };

    // `[server] hashing_threads` became `HashCost::concurrent_calls` (config.rs): the
    // web layer takes its hashing permits from there, so the permits and the hasher's
    // memory pool are one number.
    let options = web_options(insecure_cookies, tls, public_origin.as_deref());
    let options = shikaku_web::WebOptions {
        metrics: Some(Arc::clone(&metrics)),
        csrf_key: Some(csrf_key),
        ..options
    };
    let service = Arc::new(service);
    let mut app = shikaku_web::app(Arc::clone(&service), options).map_err(|e| e.to_string())?;
    // `GET /metrics`: on a listener of its own when `[metrics] bind` says so (off the
    // public one), else beside the screens.
    let metrics_app = shikaku_web::ops::metrics_routes(Arc::clone(&service), metrics);
    let metrics_app = match metrics_bind {
        Some(_) => Some(metrics_app),
        None => {
            app = app.merge(metrics_app);
            None
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        if let (Some(addr), Some(metrics_app)) = (metrics_bind, metrics_app) {
            let metrics_listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr} ([metrics] bind): {e}"))?;
            tracing::info!(%addr, "metrics served on their own listener");
            tokio::spawn(async move {
                if let Err(e) = axum::serve(metrics_listener, metrics_app).await {
                    tracing::warn!(error = %e, "the metrics listener stopped");
                }
            });
        }
        let url = format!("http://{local}/");
        tracing::info!(%url, database = %database.describe(), "shikaku serving");
        if let Some(settings) = &demo_settings {
            println!();
            println!("shikaku demo — オンライン資格確認レセプトコンピューター連携システム");
            println!("  URL:   {url}");
            crate::admin::print_settings(settings, false)?;
            println!("  ブラウザで URL を開き、《システムの利用を始める》から登録してください。");
            println!("  Open the URL, log in, scan the QR code with an Authenticator app (or run");
            println!("  `oathtool --totp -b <setup key>`), and send the 6-digit passcode.");
            println!();
        } else {
            println!("shikaku serving on {url} ({})", database.describe());
        }
        // Housekeeping at the start and every 10 minutes: ended locks' counts, expired
        // tickets, forgettable counters, ended sessions, audit events past [audit]
        // retain_days (Shikaku::housekeeping).
        let housekeeper = Arc::clone(&service);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                let service = Arc::clone(&housekeeper);
                match tokio::task::spawn_blocking(move || service.housekeeping()).await {
                    Ok(Ok(report)) if report.is_empty() => {
                        tracing::debug!("housekeeping: nothing to do");
                    }
                    Ok(Ok(report)) => tracing::info!(
                        refusal_summaries = report.refusal_summaries,
                        tickets_and_counters = report.tickets_and_counters,
                        sessions = report.sessions,
                        audit_events = report.audit_events,
                        "housekeeping"
                    ),
                    Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping task failed"),
                }
            }
        });
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
        tracing::info!("shikaku stopped");
        Ok::<(), String>(())
    })
}

/// The web layer's options. `public_origin`: `Host` and `Origin` must match it; `None`
/// (the demo) accepts loopback `Host`s only.
fn web_options(
    insecure_cookies: bool,
    tls: bool,
    public_origin: Option<&str>,
) -> shikaku_web::WebOptions {
    tracing::info!(
        public_origin = public_origin.unwrap_or("(loopback only)"),
        "origin"
    );
    shikaku_web::WebOptions {
        insecure_cookies,
        tls,
        public_origin: public_origin.map(str::to_owned),
        csrf_key: None,
        metrics: None,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down gracefully");
}
