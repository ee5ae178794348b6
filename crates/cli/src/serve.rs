//! `shikaku serve`: the screens and the JSON API on the embedded SQLite store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shikaku::Shikaku;
use tracing_subscriber::EnvFilter;

use crate::args::ServeArgs;
use crate::config::FileConfig;

const DEMO_DB: &str = "shikaku-demo.db";
const DEMO_INSTITUTION: &str = "0123456789";
const DEMO_LOGIN_ID: &str = "demo";

fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .try_init();
}

fn remove_demo_files(db: &Path) -> Result<(), String> {
    let key = shikaku_store_sqlite::key_file_path(db);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        remove_if_present(Path::new(&name))?;
    }
    remove_if_present(&key)
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

pub(crate) fn run(args: &ServeArgs) -> Result<(), String> {
    init_logging();
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let config = shikaku::Config::try_from(&file)?;
    let bind: SocketAddr = args
        .bind
        .or(file.server.bind)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let db: PathBuf = match (&args.db, &file.database.path, args.demo) {
        (Some(db), _, _) => db.clone(),
        (None, Some(db), _) => db.clone(),
        (None, None, true) => {
            // A demo starts from a clean slate every time.
            remove_demo_files(Path::new(DEMO_DB))?;
            PathBuf::from(DEMO_DB)
        }
        (None, None, false) => PathBuf::from("shikaku.db"),
    };
    let (store, key) = shikaku_store_sqlite::open_or_create(&db)
        .map_err(|e| format!("cannot open database {}: {e}", db.display()))?;
    let service = Shikaku::builder(Arc::new(store))
        .master_key(key)
        .config(config)
        .audit_sink(shikaku::TracingAuditSink)
        .build()
        .map_err(|e| e.to_string())?;

    let insecure_cookies = args.demo || file.server.insecure_cookies.unwrap_or(false);
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
    let options = shikaku_web::WebOptions {
        insecure_cookies,
        tls: file.server.tls.unwrap_or(false),
    };
    let service = Arc::new(service);
    let app = shikaku_web::app(Arc::clone(&service), options).map_err(|e| e.to_string())?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let url = format!("http://{local}/");
        tracing::info!(%url, db = %db.display(), "shikaku serving");
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
            println!("shikaku serving on {url} (database {})", db.display());
        }
        // Expired login tickets and emptied lock counters are removed every 10 minutes.
        let pruner = Arc::clone(&service);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                let service = Arc::clone(&pruner);
                match tokio::task::spawn_blocking(move || service.prune()).await {
                    Ok(Ok(removed)) => tracing::debug!(removed, "pruned expired records"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "pruning failed"),
                    Err(e) => tracing::warn!(error = %e, "pruning task failed"),
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
