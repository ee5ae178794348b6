//! Integration tests of the SQLite store: the facade's behaviour suite, store-level
//! contracts, online backups, concurrency, a SIGKILL crash test, persistence and
//! migrations, the key file, and read-only faults.

mod backup;
mod behaviour;
mod concurrency;
mod crash;
mod faults;
mod keyfile;
mod migrations;
mod persistence;
mod store;
mod support;
