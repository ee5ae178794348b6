//! The master key file beside the database: `<db>.key`, mode 0600 — 64 hex digits (key
//! 1), or after a key rotation began, lines `ID HEX` with the current key first
//! ([`MasterKeys`]'s text).
//!
//! * **Never overwritten by accident.** A new key is written to a private temporary file
//!   (created with `O_EXCL`, mode 0600), flushed to disk, then *hard-linked* to the key
//!   path: `link(2)` fails if the path exists, so a concurrent first start keeps the key
//!   the other process made, and a crash leaves either no key file or a complete one.
//!   Only [`replace_key_file`] (`shikaku key add | use | retire`) replaces one, by
//!   `rename(2)` of a complete private file, and only if it still holds what was read.
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

use shikaku::{MasterKey, MasterKeys, SharedRng};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::store::SqliteStore;

/// A key file is a few keys of 64 hex digits; anything much longer is not one.
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// Where [`open_or_create`] keeps the key of the database at `db_path`: the same path
/// with `.key` appended (`shikaku.db` → `shikaku.db.key`).
pub fn key_file_path(db_path: impl AsRef<Path>) -> PathBuf {
    let mut name = OsString::from(db_path.as_ref().as_os_str());
    name.push(".key");
    PathBuf::from(name)
}

/// Opens the database at `db_path` and its master keys, creating both on first run.
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
/// assert_eq!(key.current().to_hex(), same.current().to_hex(), "the key is reused, never replaced");
/// # Ok(())
/// # }
/// ```
pub fn open_or_create(db_path: impl AsRef<Path>) -> Result<(SqliteStore, MasterKeys), Error> {
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

fn malformed(path: &Path, why: impl Into<String>) -> Error {
    Error::KeyFileMalformed {
        path: path.to_owned(),
        why: why.into(),
    }
}

/// Reads an existing key file; `None` if there is none.
pub fn read_key_file(path: &Path) -> Result<Option<MasterKeys>, Error> {
    // Look at the path itself first: a symlink could point anywhere.
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(malformed(path, "it is not a regular file"));
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
    if !meta.file_type().is_file() {
        return Err(malformed(path, "it is not a regular file"));
    }
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(malformed(path, "it is larger than 16 KiB"));
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
        .map_err(|_| malformed(path, "it is not UTF-8 text"))?;
    MasterKeys::parse(&text)
        .map(Some)
        .map_err(|e| malformed(path, e.to_string()))
}

/// A private temporary name beside `path`: ours alone (pid and a counter).
fn temporary(path: &Path) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut temp_name = OsString::from(path.as_os_str());
    temp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    PathBuf::from(temp_name)
}

/// Writes a fresh key (key 1, as 64 hex digits) to `path` without ever replacing an
/// existing file, and returns the keys now at `path` (another process's, if it won the
/// race).
pub fn create_key_file(path: &Path, rng: &SharedRng) -> Result<MasterKeys, Error> {
    let key = MasterKey::generate(rng);
    let temp = temporary(path);
    // Only ever our own leftover temporary name (same pid and counter): never the key.
    let _ = fs::remove_file(&temp);
    let mut text = Zeroizing::new(key.to_hex().as_str().to_owned());
    text.push('\n');
    let linked = write_private(&temp, &text).and_then(|()| match fs::hard_link(&temp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(path, "create the key file")(e)),
    });
    let _ = fs::remove_file(&temp);
    if linked? {
        sync_parent(path)?;
        Ok(MasterKeys::from(key))
    } else {
        // Someone else created it first: theirs is the key.
        read_key_file(path)?.ok_or_else(|| malformed(path, "it vanished"))
    }
}

/// Replaces the key file at `path`, which must still hold `previous`, with `next`
/// (`shikaku key add | use | retire`): `next` is written to a private temporary file
/// (mode 0600, the old file's owner), flushed, then renamed over the key file, so a
/// crash leaves the old file or the new one, never a mixture. A file that no longer
/// holds `previous` (another command ran meanwhile) is left alone:
/// [`Error::KeyFileChanged`].
pub fn replace_key_file(
    path: &Path,
    previous: &MasterKeys,
    next: &MasterKeys,
) -> Result<(), Error> {
    let same = |keys: &MasterKeys| keys.check_values() == previous.check_values();
    match read_key_file(path)? {
        Some(keys) if same(&keys) => {}
        _ => {
            return Err(Error::KeyFileChanged {
                path: path.to_owned(),
            });
        }
    }
    #[cfg(unix)]
    let owner = fs::symlink_metadata(path)
        .map(|m| (m.uid(), m.gid()))
        .map_err(io_error(path, "inspect the key file"))?;
    let temp = temporary(path);
    let _ = fs::remove_file(&temp);
    let written = write_private(&temp, &next.to_text()).and_then(|()| {
        #[cfg(unix)]
        {
            let meta = fs::metadata(&temp).map_err(io_error(&temp, "inspect the key file"))?;
            if (meta.uid(), meta.gid()) != owner {
                std::os::unix::fs::chown(&temp, Some(owner.0), Some(owner.1))
                    .map_err(io_error(path, "give the new key file its owner"))?;
            }
        }
        fs::rename(&temp, path).map_err(io_error(path, "replace the key file"))
    });
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_parent(path)
}

fn write_private(path: &Path, text: &str) -> Result<(), Error> {
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
        assert_eq!(first.check_values(), second.check_values());
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_key_file_is_replaced_whole_and_only_if_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.key");
        let rng = SharedRng::system();
        let one = create_key_file(&path, &rng).unwrap();
        let id = shikaku::KeyId::new(2).unwrap();
        let two = one.with_added(id, MasterKey::generate(&rng)).unwrap();
        replace_key_file(&path, &one, &two).unwrap();
        let read = read_key_file(&path).unwrap().unwrap();
        assert_eq!(read.check_values(), two.check_values());
        #[cfg(unix)]
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        // A command that read the file before the first replacement changes nothing.
        let stale = one.with_added(id, MasterKey::generate(&rng)).unwrap();
        assert!(matches!(
            replace_key_file(&path, &one, &stale),
            Err(Error::KeyFileChanged { .. })
        ));
        let used = two.with_current(id).unwrap();
        replace_key_file(&path, &two, &used).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with('#') && text.contains("\n2 ") && text.contains("\n1 "));
        assert_eq!(read_key_file(&path).unwrap().unwrap().current_id(), id);
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
