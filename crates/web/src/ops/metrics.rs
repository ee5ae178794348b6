//! Prometheus metrics (`prometheus-client`): what an operator alerts on.
//!
//! | metric | labels | from |
//! |---|---|---|
//! | `shikaku_password_logins_total` | `outcome` = success, invalid, locked, disabled | the audit events of \[ログイン\] |
//! | `shikaku_passcodes_total` | `outcome` = success, invalid, replayed, locked | the audit events of the passcode step |
//! | `shikaku_authentications_total` | `outcome` = success, invalid, replayed, locked, disabled | the receipt computer's one-call authentication |
//! | `shikaku_locks_engaged_total` | `factor` = password, passcode | a third wrong password / passcode |
//! | `shikaku_sessions_started_total` | – | |
//! | `shikaku_sessions_ended_total` | `reason` = logout, idle, superseded | |
//! | `shikaku_argon2_duration_seconds` | – (histogram) | the facade's hashing gate: one observation per hashing step (a verification with its timing dummies, a hash, a history check) |
//! | `shikaku_hashing_in_use`, `shikaku_hashing_waiting`, `shikaku_hashing_permits` | – (gauges) | the facade's hashing gate, read at each scrape |
//! | `shikaku_admission_waiting` | – (gauge) | password calls waiting for the web layer's admission ([`AppState::run`](crate::state::AppState::run)) |
//! | `shikaku_http_requests_total` | `route` (template), `method`, `status` | every request ([`super::http`]) |
//! | `shikaku_http_request_duration_seconds` | `route`, `method` (histogram) | every request |
//! | `shikaku_store_unavailable_total` | `route` (template) | requests answered `503` because the store could not answer ([`super::http`]) |
//!
//! No label holds an identifier or anything a user typed: outcomes, factors and reasons
//! are fixed words, routes are templates (`/api/v1/admin/accounts/{institution_code}/{login_id}`),
//! statuses are numbers.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use shikaku::{Argon2Timings, AuditEvent, AuditKind, AuditSink, Channel, HashingLoad};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Factor {
    factor: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Reason {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct Request {
    pub(super) route: String,
    pub(super) method: String,
    pub(super) status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct Route {
    pub(super) route: String,
    pub(super) method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct Unanswered {
    pub(super) route: String,
}

/// Every metric of one server. Share it (`Arc`) between the facade (as an
/// [`AuditSink`]) and the web app ([`super::track`], [`super::metrics_routes`]).
pub struct Metrics {
    registry: Mutex<Registry>,
    logins: Family<Outcome, Counter>,
    passcodes: Family<Outcome, Counter>,
    authentications: Family<Outcome, Counter>,
    locks: Family<Factor, Counter>,
    sessions_started: Counter,
    admission_waiting: Gauge,
    sessions_ended: Family<Reason, Counter>,
    pub(super) requests: Family<Request, Counter>,
    pub(super) durations: Family<Route, Histogram>,
    pub(super) store_unavailable: Family<Unanswered, Counter>,
    /// When a request was last answered 503 (readiness).
    last_unavailable: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn request_histogram() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

impl Metrics {
    /// The gauge of password calls waiting for admission, for
    /// [`AppState::counting_admission`](crate::state::AppState::counting_admission).
    pub fn admission_waiting(&self) -> Gauge {
        self.admission_waiting.clone()
    }

    /// All metrics at zero.
    pub fn new() -> Self {
        let metrics = Self {
            registry: Mutex::new(Registry::default()),
            logins: Family::default(),
            passcodes: Family::default(),
            authentications: Family::default(),
            locks: Family::default(),
            sessions_started: Counter::default(),
            admission_waiting: Gauge::default(),
            sessions_ended: Family::default(),
            requests: Family::default(),
            durations: Family::new_with_constructor(request_histogram),
            store_unavailable: Family::default(),
            last_unavailable: Mutex::new(None),
        };
        {
            let mut r = metrics
                .registry
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            r.register(
                "shikaku_password_logins",
                "Password steps of the login screen and API, by outcome",
                metrics.logins.clone(),
            );
            r.register(
                "shikaku_passcodes",
                "Passcode steps, by outcome",
                metrics.passcodes.clone(),
            );
            r.register(
                "shikaku_authentications",
                "One-call receipt-computer authentications, by outcome",
                metrics.authentications.clone(),
            );
            r.register(
                "shikaku_locks_engaged",
                "Locks engaged by a third wrong password or passcode",
                metrics.locks.clone(),
            );
            r.register(
                "shikaku_sessions_started",
                "Sessions started",
                metrics.sessions_started.clone(),
            );
            r.register(
                "shikaku_admission_waiting",
                "Password calls waiting to be admitted, before the hashing gate (the web layer admits 4 per hashing permit)",
                metrics.admission_waiting.clone(),
            );
            r.register(
                "shikaku_sessions_ended",
                "Sessions ended, by reason",
                metrics.sessions_ended.clone(),
            );
            r.register(
                "shikaku_http_requests",
                "HTTP requests by route template, method and status",
                metrics.requests.clone(),
            );
            r.register(
                "shikaku_http_request_duration_seconds",
                "HTTP request latency by route template and method",
                metrics.durations.clone(),
            );
            r.register(
                "shikaku_store_unavailable",
                "Requests answered 503 because the store could not answer, by route template",
                metrics.store_unavailable.clone(),
            );
        }
        metrics
    }

    /// How long readiness stays false after a request was answered 503.
    pub const FAILURE_MEMORY: Duration = Duration::from_secs(10);

    /// Notes a request the store could not answer (readiness).
    pub(super) fn store_failed(&self) {
        // An adapter's own timing of failures, not a rule's clock.
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        *self
            .last_unavailable
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(now);
    }

    /// Whether a request was answered 503 within [`Self::FAILURE_MEMORY`].
    pub(super) fn store_failed_recently(&self) -> bool {
        self.last_unavailable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < Self::FAILURE_MEMORY)
    }

    /// The text exposition (`text/plain; version=0.0.4`-compatible OpenMetrics text),
    /// with the hashing gate's state read now.
    pub fn render(&self, load: HashingLoad, timings: &Argon2Timings) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        if encode(&mut out, &registry).is_err() {
            out.clear();
        }
        drop(registry);
        // `encode` ends with `# EOF`; the gate's figures go before it.
        let eof = out.rfind("# EOF").unwrap_or(out.len());
        let mut gate = String::new();
        let _ = write_gate(&mut gate, load, timings);
        out.insert_str(eof, &gate);
        out
    }
}

fn write_gate(out: &mut String, load: HashingLoad, t: &Argon2Timings) -> std::fmt::Result {
    for (name, help, value) in [
        (
            "shikaku_hashing_in_use",
            "argon2 computations running",
            load.in_use,
        ),
        (
            "shikaku_hashing_waiting",
            "password calls waiting for a hashing permit",
            load.waiting,
        ),
        (
            "shikaku_hashing_permits",
            "argon2 computations allowed at once",
            load.permits,
        ),
    ] {
        writeln!(out, "# HELP {name} {help}.")?;
        writeln!(out, "# TYPE {name} gauge")?;
        writeln!(out, "{name} {value}")?;
    }
    let name = "shikaku_argon2_duration_seconds";
    writeln!(
        out,
        "# HELP {name} How long one hashing step took: the argon2 runs of one verification (with its timing dummies), one hash, or one history check."
    )?;
    writeln!(out, "# TYPE {name} histogram")?;
    for (bound, count) in Argon2Timings::BUCKETS.iter().zip(t.cumulative) {
        writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}")?;
    }
    writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", t.count)?;
    writeln!(out, "{name}_sum {}", t.sum_seconds)?;
    writeln!(out, "{name}_count {}", t.count)
}

/// How many refusals an audit event stands for: one, or the `count=N` of a lock
/// period's summary (its first refusal was counted when it happened).
fn refusals(event: &AuditEvent) -> u64 {
    event
        .detail
        .as_deref()
        .and_then(|d| d.split_whitespace().find_map(|w| w.strip_prefix("count=")))
        .and_then(|n| n.parse::<u64>().ok())
        .map_or(1, |n| n.saturating_sub(1))
}

impl AuditSink for Metrics {
    fn record(&self, event: &AuditEvent) {
        let one_call = event.channel == Channel::ReceiptComputer;
        let outcome = |family: &Family<Outcome, Counter>, outcome: &'static str, by: u64| {
            family.get_or_create(&Outcome { outcome }).inc_by(by);
        };
        let (step, by) = match event.kind {
            AuditKind::PasswordAccepted => (Some((&self.logins, "success")), 1),
            AuditKind::PasswordFailed | AuditKind::PasscodeFailed => {
                let family = match (one_call, event.kind) {
                    (true, _) => &self.authentications,
                    (false, AuditKind::PasswordFailed) => &self.logins,
                    (false, _) => &self.passcodes,
                };
                (Some((family, "invalid")), 1)
            }
            AuditKind::PasswordAttemptWhileLocked | AuditKind::PasscodeAttemptWhileLocked => {
                let family = match (one_call, event.kind) {
                    (true, _) => &self.authentications,
                    (false, AuditKind::PasswordAttemptWhileLocked) => &self.logins,
                    (false, _) => &self.passcodes,
                };
                (Some((family, "locked")), refusals(event))
            }
            AuditKind::DisabledLoginRefused => {
                let family = if one_call {
                    &self.authentications
                } else {
                    &self.logins
                };
                (Some((family, "disabled")), 1)
            }
            AuditKind::ReplayRefused => {
                let family = if one_call {
                    &self.authentications
                } else {
                    &self.passcodes
                };
                (Some((family, "replayed")), 1)
            }
            AuditKind::Authenticated => (Some((&self.authentications, "success")), 1),
            AuditKind::SessionStarted => {
                self.sessions_started.inc();
                // The screens' and the login API's passcode step; the one-call
                // authentication counts its own success.
                (Some((&self.passcodes, "success")).filter(|_| !one_call), 1)
            }
            AuditKind::PasswordLocked => {
                self.locks
                    .get_or_create(&Factor { factor: "password" })
                    .inc();
                (None, 0)
            }
            AuditKind::PasscodeLocked => {
                self.locks
                    .get_or_create(&Factor { factor: "passcode" })
                    .inc();
                (None, 0)
            }
            AuditKind::SessionSuperseded | AuditKind::SessionExpired | AuditKind::LoggedOut => {
                let reason = match event.kind {
                    AuditKind::SessionSuperseded => "superseded",
                    AuditKind::SessionExpired => "idle",
                    _ => "logout",
                };
                self.sessions_ended.get_or_create(&Reason { reason }).inc();
                (None, 0)
            }
            _ => (None, 0),
        };
        if let Some((family, name)) = step
            && by > 0
        {
            outcome(family, name, by);
        }
    }
}

/// A shared [`Metrics`] as the facade's audit sink (`Builder::audit_sink`), while the
/// web app keeps its own handle for the requests and the scrape.
#[derive(Clone, Debug)]
pub struct MetricsSink(pub std::sync::Arc<Metrics>);

impl AuditSink for MetricsSink {
    fn record(&self, event: &AuditEvent) {
        self.0.record(event);
    }
}
