//! The connections behind a [`SqliteStore`]: one writer behind a mutex, whose every
//! write is one `BEGIN IMMEDIATE` transaction, and a small pool of read-only readers.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use shikaku::StoreError;

use super::SqliteStore;
use crate::error::{Error, sql};
use crate::schema::{self, Access};

/// Idle reader connections kept for reuse; more are opened under load and closed after.
const MAX_IDLE_READERS: usize = 4;

/// Creates an empty database file readable by its owner only, unless one exists.
///
/// On Windows the file takes the access rules (ACL) of its folder: keep the database in
/// a folder only the service's account can read.
pub(super) fn create_private(path: &Path) -> Result<(), Error> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            action: "create the database",
            source,
        }),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a transaction rolled it back when the `Transaction` dropped, so
    // the connection behind a poisoned lock is still in a clean state.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteStore {
    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer connection and commits
    /// if it returns `Ok`; any error rolls everything back.
    pub(super) fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(op))?;
        let out = f(&tx)?;
        tx.commit().map_err(sql(op))?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection from the pool (one statement is one snapshot).
    pub(super) fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let idle = lock(&self.readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => schema::connect(&self.path, Access::ReadOnly)?,
        };
        let out = f(&conn).map_err(sql(op));
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// Reads one row and decodes it.
    pub(super) fn read_one<R, T>(
        &self,
        op: &'static str,
        query: &str,
        param: impl rusqlite::ToSql,
        from_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<T>, StoreError>
    where
        T: TryFrom<R, Error = StoreError>,
    {
        let row = self.read(op, |conn| {
            conn.prepare_cached(query)?
                .query_row([param], from_row)
                .optional()
        })?;
        row.map(T::try_from).transpose()
    }
}
