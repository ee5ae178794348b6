//! The master key file beside the database: `<db>.key`, 64 hex digits, mode 0600.
//!
//! * **Never overwritten.** A new key is written to a private temporary file (created
//!   with `O_EXCL`, mode 0600), flushed to disk, then *hard-linked* to the key path:
//!   `link(2)` fails if the path exists, so a concurrent first start keeps the key the
//!   other process made, and a crash leaves either no key file or a complete one.
//! * **Never loosened.** An existing key file readable by group or others is refused
//!   (it may have leaked; the operator decides), as is anything but a regular file
//!   holding one key.
//! * **Never replaced behind the data's back.** If the database already holds accounts
//!   and the key file is missing, opening fails: a fresh key could open none of the
//!   sealed TOTP secrets nor verify any peppered password.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use shikaku::{MasterKey, SharedRng};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::store::SqliteStore;

/// A key file is 64 hex digits and a newline; anything much longer is not one.
const MAX_KEY_FILE_BYTES: u64 = 256;

/// Where [`open_or_create`] keeps the key of the database at `db_path`: the same path
/// with `.key` appended (`shikaku.db` → `shikaku.db.key`).
pub fn key_file_path(db_path: impl AsRef<Path>) -> PathBuf {
    let mut name = OsString::from(db_path.as_ref().as_os_str());
    name.push(".key");
    PathBuf::from(name)
}

/// Opens the database at `db_path` and its master key, creating both on first run.
///
/// * Neither exists: a key is generated from the OS CSPRNG and written to
///   [`key_file_path`] (mode 0600, never overwriting), then the database is created.
/// * Both exist: the key is read (refused if group/world-readable or malformed) and
///   the database opened and migrated.
/// * The key file is missing but the database holds accounts: [`Error::KeyFileMissing`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let db = dir.path().join("shikaku.db");
/// let (_store, key) = shikaku_store_sqlite::open_or_create(&db)?;
/// let (_again, same) = shikaku_store_sqlite::open_or_create(&db)?;
/// assert_eq!(key.to_hex(), same.to_hex(), "the key is reused, never replaced");
/// # Ok(())
/// # }
/// ```
pub fn open_or_create(db_path: impl AsRef<Path>) -> Result<(SqliteStore, MasterKey), Error> {
    let db_path = db_path.as_ref();
    let key_path = key_file_path(db_path);
    let key = match read_key_file(&key_path)? {
        Some(key) => key,
        None => {
            if db_path.exists() && SqliteStore::open(db_path)?.has_accounts()? {
                return Err(Error::KeyFileMissing { path: key_path });
            }
            create_key_file(&key_path, &SharedRng::system())?
        }
    };
    Ok((SqliteStore::open(db_path)?, key))
}

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Io {
        path,
        action,
        source,
    }
}

/// Reads an existing key file; `None` if there is none.
pub fn read_key_file(path: &Path) -> Result<Option<MasterKey>, Error> {
    // Look at the path itself first: a symlink could point anywhere.
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(Error::KeyFileMalformed {
                path: path.to_owned(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, "inspect the key file")(e)),
    }
    let file = File::open(path).map_err(io_error(path, "open the key file"))?;
    // Judge the file we opened, not whatever the path names by now.
    let meta = file
        .metadata()
        .map_err(io_error(path, "inspect the key file"))?;
    if !meta.file_type().is_file() || meta.len() > MAX_KEY_FILE_BYTES {
        return Err(Error::KeyFileMalformed {
            path: path.to_owned(),
        });
    }
    // Unix: mode bits. Windows has no mode bits; the file takes its folder's ACL.
    #[cfg(unix)]
    if meta.mode() & 0o077 != 0 {
        return Err(Error::KeyFileExposed {
            path: path.to_owned(),
            mode: meta.mode(),
        });
    }
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|_| Error::KeyFileMalformed {
            path: path.to_owned(),
        })?;
    MasterKey::from_hex(&text)
        .map(Some)
        .map_err(|_| Error::KeyFileMalformed {
            path: path.to_owned(),
        })
}

/// Writes a fresh key to `path` without ever replacing an existing file, and returns the
/// key now at `path` (another process's, if it won the race).
pub fn create_key_file(path: &Path, rng: &SharedRng) -> Result<MasterKey, Error> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let key = MasterKey::generate(rng);
    let mut temp_name = OsString::from(path.as_os_str());
    temp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = PathBuf::from(temp_name);
    // Only ever our own leftover temporary name (same pid and counter): never the key.
    let _ = fs::remove_file(&temp);
    let linked = write_private(&temp, &key).and_then(|()| match fs::hard_link(&temp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(path, "create the key file")(e)),
    });
    let _ = fs::remove_file(&temp);
    if linked? {
        sync_parent(path)?;
        Ok(key)
    } else {
        // Someone else created it first: theirs is the key.
        read_key_file(path)?.ok_or(Error::KeyFileMalformed {
            path: path.to_owned(),
        })
    }
}

fn write_private(path: &Path, key: &MasterKey) -> Result<(), Error> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true); // O_CREAT | O_EXCL
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .map_err(io_error(path, "create the key file"))?;
    // The umask can only narrow 0600; make sure nothing widened it either.
    #[cfg(unix)]
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(io_error(path, "restrict the key file"))?;
    let mut text = Zeroizing::new(key.to_hex().as_str().to_owned());
    text.push('\n');
    file.write_all(text.as_bytes())
        .map_err(io_error(path, "write the key file"))?;
    file.sync_all()
        .map_err(io_error(path, "flush the key file"))
}

/// Makes the new directory entry durable.
#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> Result<(), Error> {
    // Windows cannot open a folder as a file to flush it; NTFS journals the entry.
    Ok(())
}

#[cfg(unix)]
fn sync_parent(path: &Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir, "flush the directory of the key file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_appends_dot_key() {
        assert_eq!(
            key_file_path("/var/lib/shikaku/shikaku.db"),
            Path::new("/var/lib/shikaku/shikaku.db.key")
        );
        assert_eq!(key_file_path("db"), Path::new("db.key"));
    }

    #[test]
    fn a_second_create_keeps_the_first_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.key");
        let rng = SharedRng::system();
        let first = create_key_file(&path, &rng).unwrap();
        let second = create_key_file(&path, &rng).unwrap();
        assert_eq!(first.to_hex(), second.to_hex());
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_and_directories_are_not_key_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.key");
        create_key_file(&real, &SharedRng::system()).unwrap();
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            read_key_file(&link),
            Err(Error::KeyFileMalformed { .. })
        ));
        assert!(matches!(
            read_key_file(dir.path()),
            Err(Error::KeyFileMalformed { .. })
        ));
    }
}
