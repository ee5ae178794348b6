//! Integration tests of the PostgreSQL store against a real server (`TempPostgres`):
//! the facade's behaviour suite, migrations under concurrent starts, exact counters and
//! the atomic contract across two nodes, outages, connection errors, TLS, and the
//! store-level contracts of the administration methods.
//!
//! One server is shared by the whole binary, each test on its own database; the outage
//! and TLS tests start servers of their own.

mod behaviour;
mod concurrency;
mod connect_errors;
mod migrations;
mod outage;
mod store;
mod support;
mod tls;
