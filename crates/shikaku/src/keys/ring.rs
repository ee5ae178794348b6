//! [`MasterKeys`]: the current master key and older ones, each under a [`KeyId`], and
//! the text of the key file that holds them.
//!
//! ```text
//! # shikaku master keys: ID HEX, one per line; the first is current
//! 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//! 1 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
//! ```
//!
//! A file of one bare hex line (the format before key ids) is key 1, current.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::MasterKey;
use crate::Error;
use crate::store::KeyCheck;

/// The number a master key is known by: in its key file, in every sealed secret and
/// password hash made under it, and beside its key check value in the store. Never 0;
/// key 1 is the key of a file without ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct KeyId(NonZeroU32);

impl KeyId {
    /// Key 1: the only key of a database from before key ids, and the first of a new one.
    pub const FIRST: Self = Self(NonZeroU32::MIN);

    /// The id `n`; `None` for 0.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The id after this one (saturating at `u32::MAX`).
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for KeyId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        s.parse::<u32>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| Error::InvalidKeyRing(format!("{s:?} is not a key id (1, 2, …)")))
    }
}

impl TryFrom<u32> for KeyId {
    type Error = Error;

    fn try_from(n: u32) -> Result<Self, Error> {
        Self::new(n).ok_or_else(|| Error::InvalidKeyRing("a key id is never 0".into()))
    }
}

impl From<KeyId> for u32 {
    fn from(id: KeyId) -> Self {
        id.get()
    }
}

/// The master keys of one node: the current one, which seals new TOTP secrets and
/// peppers new password hashes, and older ones, which open and verify what was made
/// under them until `shikaku key rotate` and logins have moved every record to the
/// current key. Ids are distinct. Keys are zeroized on drop; `Debug` shows the ids only.
#[derive(Clone)]
pub struct MasterKeys {
    /// The current key first.
    keys: Vec<(KeyId, MasterKey)>,
}

impl From<MasterKey> for MasterKeys {
    /// One key, id 1 (a key file without ids).
    fn from(key: MasterKey) -> Self {
        Self {
            keys: vec![(KeyId::FIRST, key)],
        }
    }
}

impl MasterKeys {
    /// `current` and `older` keys; refused when two share an id.
    pub fn new(current: (KeyId, MasterKey), older: Vec<(KeyId, MasterKey)>) -> Result<Self, Error> {
        let mut keys = vec![current];
        for (id, key) in older {
            if keys.iter().any(|(held, _)| *held == id) {
                return Err(Error::InvalidKeyRing(format!("key {id} appears twice")));
            }
            keys.push((id, key));
        }
        Ok(Self { keys })
    }

    /// The current key's id.
    pub fn current_id(&self) -> KeyId {
        self.keys[0].0
    }

    /// The current key.
    pub fn current(&self) -> &MasterKey {
        &self.keys[0].1
    }

    /// Every key with its id, the current one first.
    pub fn iter(&self) -> impl Iterator<Item = (KeyId, &MasterKey)> {
        self.keys.iter().map(|(id, key)| (*id, key))
    }

    /// Every id, the current one first.
    pub fn ids(&self) -> Vec<KeyId> {
        self.keys.iter().map(|(id, _)| *id).collect()
    }

    /// The key with this id.
    pub fn get(&self, id: KeyId) -> Option<&MasterKey> {
        self.iter()
            .find(|(held, _)| *held == id)
            .map(|(_, key)| key)
    }

    /// Whether a key with this id is held.
    pub fn contains(&self, id: KeyId) -> bool {
        self.get(id).is_some()
    }

    /// The key of the web layer's CSRF tokens ([`MasterKey::web_csrf_key`]) of the key
    /// with the smallest id: it stays the same on every node while a key is added and made
    /// current, so a form served by a node on the old key file is accepted by one on the
    /// new file during those rolling restarts. It changes when the oldest key is retired:
    /// during that last rolling restart, a form served by a node with the old file and
    /// posted to one with the new file is refused once (the page is served again).
    pub fn web_csrf_key(&self) -> Zeroizing<[u8; 32]> {
        let oldest = self.keys.iter().min_by_key(|(id, _)| *id);
        oldest
            .map_or_else(|| self.current(), |(_, key)| key)
            .web_csrf_key()
    }

    /// The fingerprint key of unknown identifiers, from the key with the smallest id as
    /// [`Self::web_csrf_key`] (every node records one identifier alike while keys are
    /// added; it changes when the oldest key is retired).
    pub(crate) fn unknown_identifier_key(&self) -> Zeroizing<[u8; 32]> {
        let oldest = self.keys.iter().min_by_key(|(id, _)| *id);
        oldest
            .map_or_else(|| self.current(), |(_, key)| key)
            .unknown_identifier_key()
    }

    /// Each key's check value ([`MasterKey::check_value`]), by id.
    pub fn check_values(&self) -> Vec<(KeyId, KeyCheck)> {
        self.iter()
            .map(|(id, key)| (id, key.check_value()))
            .collect()
    }

    /// The smallest id above every id held and every id in `taken` (the ids a store
    /// has check values for, retired keys' included: an id is never given twice).
    pub fn next_id(&self, taken: impl IntoIterator<Item = KeyId>) -> KeyId {
        self.ids()
            .into_iter()
            .chain(taken)
            .max()
            .unwrap_or(KeyId::FIRST)
            .next()
    }

    /// These keys plus `key` under `id`, not current (step 1 of a rotation).
    pub fn with_added(&self, id: KeyId, key: MasterKey) -> Result<Self, Error> {
        let mut older: Vec<_> = self.keys[1..].to_vec();
        older.push((id, key));
        Self::new(self.keys[0].clone(), older)
    }

    /// These keys with `id` current and the others older, in their order (step 2).
    pub fn with_current(&self, id: KeyId) -> Result<Self, Error> {
        let Some(at) = self.keys.iter().position(|(held, _)| *held == id) else {
            return Err(Error::InvalidKeyRing(format!("there is no key {id}")));
        };
        let mut keys = self.keys.clone();
        let chosen = keys.remove(at);
        keys.insert(0, chosen);
        Ok(Self { keys })
    }

    /// These keys without `id` (the last step), which must be an older key. Whether a
    /// record still uses it is [`KeyUsage::check_retirable`](super::KeyUsage::check_retirable)'s
    /// question, asked first.
    pub fn without(&self, id: KeyId) -> Result<Self, Error> {
        if id == self.current_id() {
            return Err(Error::InvalidKeyRing(format!(
                "key {id} is the current key: make another key current first (`shikaku key use`)"
            )));
        }
        if !self.contains(id) {
            return Err(Error::InvalidKeyRing(format!("there is no key {id}")));
        }
        Ok(Self {
            keys: self
                .keys
                .iter()
                .filter(|(held, _)| *held != id)
                .cloned()
                .collect(),
        })
    }

    /// Parses a key file: lines `ID HEX` (the first is current), blank lines and `#`
    /// comments ignored; or a single bare hex line (key 1). Errors name the line, never
    /// its content.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .collect();
        if let [(_, only)] = lines.as_slice()
            && !only.contains(char::is_whitespace)
        {
            return MasterKey::from_hex(only)
                .map(Self::from)
                .map_err(|_| Error::InvalidKeyRing("line 1 is not 64 hex digits".into()));
        }
        let mut keys = Vec::with_capacity(lines.len());
        for (number, line) in lines {
            let bad = || Error::InvalidKeyRing(format!("line {number} is not `ID HEX`"));
            let (id, hex) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            let id: KeyId = id.parse().map_err(|_| bad())?;
            let key = MasterKey::from_hex(hex).map_err(|_| {
                Error::InvalidKeyRing(format!("line {number}: the key is not 64 hex digits"))
            })?;
            keys.push((id, key));
        }
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or_else(|| Error::InvalidKeyRing("the file holds no key".into()))?;
        Self::new(current, keys.collect())
    }

    /// The key file's text (see the module docs); zeroized on drop.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# shikaku master keys: ID HEX, one per line; the first is current.\n\
             # Keep a copy apart from the database's backups. Never edit by hand:\n\
             # shikaku key add | use | retire.\n",
        ));
        for (id, key) in self.iter() {
            text.push_str(&id.to_string());
            text.push(' ');
            text.push_str(&key.to_hex());
            text.push('\n');
        }
        text
    }
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("current", &self.current_id())
            .field("ids", &self.ids())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_bytes(&[byte; 32]).unwrap()
    }

    fn id(n: u32) -> KeyId {
        KeyId::new(n).unwrap()
    }

    #[test]
    fn a_bare_hex_file_is_key_one_and_the_text_round_trips() {
        let single = MasterKeys::parse(&format!("{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(single.ids(), [KeyId::FIRST]);
        let ring = MasterKeys::new((id(2), key(2)), vec![(id(1), key(1))]).unwrap();
        let text = ring.to_text();
        assert!(text.contains(&format!("\n2 {}\n1 {}\n", "02".repeat(32), "01".repeat(32))));
        let back = MasterKeys::parse(&text).unwrap();
        assert_eq!(back.ids(), [id(2), id(1)]);
        assert_eq!(back.current().to_hex(), key(2).to_hex());
        let tabbed = format!("# c\n\n  7\t{}  \n", "0C".repeat(32));
        assert_eq!(MasterKeys::parse(&tabbed).unwrap().current_id(), id(7));
    }

    #[test]
    fn malformed_files_are_refused_without_echoing_them() {
        let hex = "5a".repeat(32);
        let cases: [(String, &str); 7] = [
            (String::new(), "no key"),
            ("# only a comment\n".to_owned(), "no key"),
            ("zz\n".to_owned(), "line 1"),
            (format!("0 {hex}"), "line 1"),
            (format!("1 {hex}\n1 {hex}"), "key 1 appears twice"),
            (format!("1 {hex}\nx {hex}"), "line 2"),
            (format!("1 {hex}\n2 abc"), "line 2"),
        ];
        for (text, says) in cases {
            let err = MasterKeys::parse(&text).unwrap_err().to_string();
            assert!(err.contains(says), "{text:?}: {err}");
            assert!(!err.contains(&hex), "the key is never echoed: {err}");
        }
    }

    #[test]
    fn add_use_and_retire_keep_ids_distinct_and_never_drop_the_current_key() {
        let one = MasterKeys::from(key(1));
        let next = one.next_id([]);
        assert_eq!(next, id(2));
        assert_eq!(
            one.next_id([id(5)]),
            id(6),
            "retired ids are not given again"
        );
        let added = one.with_added(next, key(2)).unwrap();
        assert_eq!(
            (added.current_id(), added.ids()),
            (id(1), vec![id(1), id(2)])
        );
        assert!(added.with_added(id(2), key(9)).is_err());
        let used = added.with_current(id(2)).unwrap();
        assert_eq!(used.ids(), [id(2), id(1)]);
        assert!(used.with_current(id(3)).is_err());
        assert!(
            used.without(id(2))
                .unwrap_err()
                .to_string()
                .contains("current")
        );
        assert!(used.without(id(4)).is_err());
        let retired = used.without(id(1)).unwrap();
        assert_eq!(retired.ids(), [id(2)]);
        assert_eq!(
            format!("{used:?}"),
            "MasterKeys { current: KeyId(2), ids: [KeyId(2), KeyId(1)] }"
        );
        assert_ne!(used.check_values()[0].1, used.check_values()[1].1);
        // The CSRF key stays the oldest key's while it is held, whichever is current.
        let oldest = *key(1).web_csrf_key();
        assert_eq!(*one.web_csrf_key(), oldest);
        assert_eq!(*added.web_csrf_key(), oldest);
        assert_eq!(*used.web_csrf_key(), oldest);
        assert_eq!(*retired.web_csrf_key(), *key(2).web_csrf_key());
        assert!("0".parse::<KeyId>().is_err());
        assert_eq!("12".parse::<KeyId>().unwrap().get(), 12);
    }
}
