//! [`SqliteStore::backup_to`]: a consistent copy of the database while it is in use.
//!
//! SQLite's `VACUUM INTO` reads the whole database inside one read transaction — in WAL
//! mode a snapshot that writers (this process's or another's: `shikaku serve` while
//! `shikaku backup` runs) neither wait for nor disturb — and writes it compacted to a
//! new file. The copy is a complete database on its own (no `-wal` beside it), with the
//! same schema version and application id, so [`SqliteStore::open`] serves from it.
//!
//! The master key is not in the database (it lives in `<db>.key`), so it is never in
//! the copy: a backup alone cannot open the TOTP secrets or check a password. Keep the
//! key file apart from the backups and restore the two together.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use super::SqliteStore;
use crate::error::Error;

impl SqliteStore {
    /// Writes a consistent copy of the database to `dest`, a new file (never an existing
    /// one: [`Error::Io`] with `AlreadyExists`) created readable by its owner only (mode
    /// 0600 on Unix), while other connections go on reading and writing. The copy and
    /// its directory are synced to disk before this returns; on failure the partial file
    /// is removed.
    ///
    /// The key file is not copied (see the module docs): back it up separately.
    pub fn backup_to(&self, dest: impl AsRef<Path>) -> Result<(), Error> {
        let dest = dest.as_ref();
        let Some(name) = dest.to_str() else {
            return Err(Error::Io {
                path: dest.to_owned(),
                action: "name the backup file",
                source: io::Error::new(io::ErrorKind::InvalidInput, "the path is not UTF-8"),
            });
        };
        let io_error = |action, source| Error::Io {
            path: dest.to_owned(),
            action,
            source,
        };
        create_private(dest).map_err(|e| io_error("create the backup file", e))?;
        let copied = self
            .read("back up the database", |conn| {
                conn.execute("VACUUM INTO ?1", [name])
            })
            .map_err(Error::from)
            .and_then(|_| sync(dest).map_err(|e| io_error("sync the backup file", e)));
        if copied.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        copied
    }
}

/// An empty file only its owner may read, created here (so `VACUUM INTO`, which
/// accepts an existing empty file, writes into a file with this mode), never over an
/// existing one.
fn create_private(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Flushes the copy, then its directory entry, to disk.
fn sync(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_copy_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("shikaku.db")).unwrap();
        // A directory that does not exist: the file cannot even be created.
        let missing = dir.path().join("no/such/dir/copy.db");
        assert!(matches!(
            store.backup_to(&missing),
            Err(Error::Io { ref source, .. }) if source.kind() == io::ErrorKind::NotFound
        ));
        assert!(!missing.exists());
    }
}
