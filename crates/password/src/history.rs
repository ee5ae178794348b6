//! [`PasswordHistory`]: the manual's "5世代前までのパスワード" rules.
//!
//! See [`PasswordHistory`].

use core::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{Error, Hasher, Password, PasswordHash, Policy, Violation, Violations};

/// A prefix verifier: argon2id over the keyed digest of (account id, first
/// `length` characters) of a retired password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixVerifier {
    length: usize,
    hash: PasswordHash,
}

impl PrefixVerifier {
    /// Rebuilds a verifier from storage.
    #[must_use]
    pub const fn new(length: usize, hash: PasswordHash) -> Self {
        Self { length, hash }
    }

    /// How many leading characters it covers (the policy's
    /// [`prefix_length`](Policy::prefix_length) when it was made). A verifier
    /// whose length differs from the current policy's is not consulted.
    #[must_use]
    pub const fn length(&self) -> usize {
        self.length
    }

    /// The argon2id PHC string.
    #[must_use]
    pub const fn hash(&self) -> &PasswordHash {
        &self.hash
    }
}

impl fmt::Debug for PrefixVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrefixVerifier")
            .field("length", &self.length)
            .field("hash", &self.hash)
            .finish()
    }
}

/// A password that is no longer current.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredGeneration {
    hash: PasswordHash,
    #[serde(default)]
    prefix_verifier: Option<PrefixVerifier>,
}

impl RetiredGeneration {
    /// Rebuilds a retired generation from storage.
    #[must_use]
    pub const fn new(hash: PasswordHash, prefix_verifier: Option<PrefixVerifier>) -> Self {
        Self {
            hash,
            prefix_verifier,
        }
    }

    /// The retired password's PHC hash.
    #[must_use]
    pub const fn hash(&self) -> &PasswordHash {
        &self.hash
    }

    /// Its prefix verifier; `None` when it was retired by an administrator's
    /// reset (no plaintext was available).
    #[must_use]
    pub const fn prefix_verifier(&self) -> Option<&PrefixVerifier> {
        self.prefix_verifier.as_ref()
    }
}

impl fmt::Debug for RetiredGeneration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetiredGeneration")
            .field("hash", &self.hash)
            .field("prefix_verifier", &self.prefix_verifier)
            .finish()
    }
}

/// Why a password change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeError {
    /// The new password breaks the rules; show every violation.
    Policy(Violations),
    /// Hashing failed (see [`Error`]); nothing was changed.
    Hashing(Error),
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Policy(v) => write!(f, "the new password was refused: {v}"),
            Self::Hashing(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ChangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Policy(v) => Some(v),
            Self::Hashing(e) => Some(e),
        }
    }
}

impl From<Error> for ChangeError {
    fn from(e: Error) -> Self {
        Self::Hashing(e)
    }
}

impl From<Violations> for ChangeError {
    fn from(v: Violations) -> Self {
        Self::Policy(v)
    }
}

/// One account's password generations: the current hash and the retired
/// ones, newest first.
///
/// # What counts as a generation
///
/// The manual says a new password shorter than 13 characters must not equal,
/// nor share its first 5 characters with, "5世代前までのパスワード". This
/// crate reads that as **the last 5 passwords, the current one included as
/// the newest**: the current password plus the 4 before it. (A change
/// therefore compares the new password with 5 passwords in all; after it the
/// new password is the newest of 5 and the oldest retired one is dropped.)
/// The depth is [`Policy::history_depth`].
///
/// # What is stored
///
/// ```text
/// PasswordHistory
/// ├── current: PasswordHash            argon2id PHC of the current password
/// └── retired (newest first, at most depth − 1)
///     ├── hash: PasswordHash           the retired password's own PHC hash
///     └── prefix_verifier: Option      argon2id( HMAC-SHA256_pepper(
///           { length, hash }               account id, first 5 characters) )
/// ```
///
/// There is **no prefix verifier for the current password**. A change always
/// comes with the current password typed in plaintext (and verified by the
/// caller), so the new password is compared with it directly. Only when a
/// password is retired is a prefix verifier made for it — from that
/// plaintext. A password retired without its plaintext, by an
/// administrator's [`reset`](Self::reset), therefore has **no
/// prefix verifier**: the equality rule still applies to it (through its
/// hash) but the similarity rule cannot. See `docs/password-policy.md` for
/// the threat model.
///
/// # Serde
///
/// Serialises (serde) as
/// `{"current": "$argon2id$…", "retired": [{"hash": "$argon2id$…",
/// "prefix_verifier": {"length": 5, "hash": "$argon2id$…"}}, …]}`.
/// A deserialised history may hold more retired generations than the
/// policy's depth; only the newest `depth − 1` are consulted, and the rest
/// are dropped at the next change or reset. `Debug` shows no salt or hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHistory {
    current: PasswordHash,
    #[serde(default)]
    retired: Vec<RetiredGeneration>,
}

impl fmt::Debug for PasswordHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHistory")
            .field("current", &self.current)
            .field("retired", &self.retired)
            .finish()
    }
}

/// One argon2 run of a history check.
enum Probe<'a> {
    /// Is the new password this retired password?
    Equal(usize, &'a PasswordHash),
    /// Does the new password start like this retired password? With the
    /// keyed digest of the new password's prefix under the verifier's pepper.
    Prefix(usize, &'a PasswordHash, Zeroizing<[u8; 32]>),
}

impl PasswordHistory {
    /// A history whose only generation is `current` (a new account).
    #[must_use]
    pub const fn new(current: PasswordHash) -> Self {
        Self {
            current,
            retired: Vec::new(),
        }
    }

    /// Rebuilds a history from storage; `retired` is newest first.
    #[must_use]
    pub const fn from_parts(current: PasswordHash, retired: Vec<RetiredGeneration>) -> Self {
        Self { current, retired }
    }

    /// The current password's hash (verify a login against it).
    #[must_use]
    pub const fn current(&self) -> &PasswordHash {
        &self.current
    }

    /// The retired generations, newest first.
    pub fn retired(&self) -> impl ExactSizeIterator<Item = &RetiredGeneration> {
        self.retired.iter()
    }

    /// Generations held, the current one included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.retired.len() + 1
    }

    /// Always `false`: there is always a current password.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Retired generations held.
    #[must_use]
    pub fn retired_len(&self) -> usize {
        self.retired.len()
    }

    /// Verifies a typed password against the current hash.
    ///
    /// # Errors
    /// As [`Hasher::verify`].
    pub fn verify_current(&self, hasher: &Hasher, password: &Password) -> Result<bool, Error> {
        hasher.verify(password, &self.current)
    }

    /// Checks a password change without making it: the composition rules
    /// plus the history rules, all violations at once.
    ///
    /// `current` must be the current password, **already verified** by the
    /// caller against [`current()`](Self::current). History rules:
    ///
    /// - the new password must never equal `current` (`same_as_current`),
    ///   whatever its length;
    /// - if it has fewer than [`history_applies_below`](Policy::history_applies_below)
    ///   characters (13): it must not equal any retired generation within
    ///   the depth (`reused_generation`), and its first
    ///   [`prefix_length`](Policy::prefix_length) characters (5) must differ
    ///   from those of `current` and of every retired generation that has a
    ///   prefix verifier (`similar_to_generation`).
    ///
    /// Comparison is exact: case-sensitive, no trimming, no normalisation.
    /// The argon2 runs (up to two per retired generation) are spread over
    /// the hasher's workers.
    ///
    /// # Errors
    /// [`ChangeError::Policy`] with every violation, or
    /// [`ChangeError::Hashing`] if a stored hash cannot be used.
    pub fn check_change(
        &self,
        policy: &Policy,
        hasher: &Hasher,
        account_id: &str,
        current: &Password,
        new: &Password,
    ) -> Result<(), ChangeError> {
        let mut list = match policy.check(new.as_str()) {
            Ok(()) => Vec::new(),
            Err(violations) => violations.into_vec(),
        };
        list.extend(self.history_violations(policy, hasher, account_id, current, new)?);
        match Violations::from_vec(list) {
            Some(violations) => Err(ChangeError::Policy(violations)),
            None => Ok(()),
        }
    }

    fn history_violations(
        &self,
        policy: &Policy,
        hasher: &Hasher,
        account_id: &str,
        current: &Password,
        new: &Password,
    ) -> Result<Vec<Violation>, Error> {
        let depth = policy.history_depth();
        let below = policy.history_applies_below();
        let n = policy.prefix_length();

        let same_as_current =
            bool::from(new.as_str().as_bytes().ct_eq(current.as_str().as_bytes()));
        let mut reused = false;
        let mut similar = false;

        if new.char_count() < below {
            if !same_as_current {
                similar |= bool::from(new.prefix(n).as_bytes().ct_eq(current.prefix(n).as_bytes()));
            }
            let considered = self.retired.iter().take(depth.saturating_sub(1));
            let mut probes = Vec::with_capacity(2 * depth);
            for (g, generation) in considered.enumerate() {
                probes.push(Probe::Equal(g, &generation.hash));
                if let Some(pv) = generation
                    .prefix_verifier
                    .as_ref()
                    .filter(|pv| pv.length == n)
                {
                    // Each verifier under the pepper it was made with (an HMAC: cheap).
                    let digest = hasher.prefix_digest_for(&pv.hash, account_id, new.prefix(n))?;
                    probes.push(Probe::Prefix(g, &pv.hash, digest));
                }
            }
            if !probes.is_empty() {
                let secret = new.as_str().as_bytes();
                let results = hasher.run_all(&probes, |probe| match probe {
                    Probe::Equal(_, hash) => hasher.verify_bytes(secret, hash),
                    Probe::Prefix(_, hash, digest) => hasher.verify_bytes(&digest[..], hash),
                })?;
                let mut equal_to = Vec::new();
                let mut similar_to = Vec::new();
                for (probe, matched) in probes.iter().zip(results) {
                    if matched? {
                        match probe {
                            Probe::Equal(g, _) => equal_to.push(*g),
                            Probe::Prefix(g, _, _) => similar_to.push(*g),
                        }
                    }
                }
                reused = !equal_to.is_empty();
                // An exact reuse of a generation already says it all for that
                // generation; "similar" is reported for the others.
                similar |= similar_to.iter().any(|g| !equal_to.contains(g));
            }
        }

        let mut list = Vec::new();
        if same_as_current {
            list.push(Violation::same_as_current());
        }
        if reused {
            list.push(Violation::reused_generation(depth, below));
        }
        if similar {
            list.push(Violation::similar_to_generation(depth, below, n));
        }
        Ok(list)
    }

    /// Changes the password: runs [`check_change`](Self::check_change), then
    /// retires the current hash **with** a prefix verifier made from
    /// `current`'s plaintext, makes `new` current, and drops generations
    /// beyond the policy's depth. On any error the history is unchanged.
    ///
    /// # Errors
    /// As [`check_change`](Self::check_change).
    pub fn change<R: rand_core::CryptoRng + ?Sized>(
        &mut self,
        policy: &Policy,
        hasher: &Hasher,
        account_id: &str,
        current: &Password,
        new: &Password,
        rng: &mut R,
    ) -> Result<(), ChangeError> {
        self.check_change(policy, hasher, account_id, current, new)?;

        let n = policy.prefix_length();
        let digest = hasher.prefix_digest(account_id, current.prefix(n))?;
        let prefix_salt = Hasher::draw_salt(rng);
        let new_salt = Hasher::draw_salt(rng);
        let jobs: [(&[u8], &[u8; 16]); 2] = [
            (&digest[..], &prefix_salt),
            (new.as_str().as_bytes(), &new_salt),
        ];
        let mut made = hasher
            .run_all(&jobs, |(secret, salt)| hasher.hash_with_salt(secret, salt))?
            .into_iter();
        let (Some(prefix_hash), Some(new_hash)) = (made.next(), made.next()) else {
            return Err(ChangeError::Hashing(Error::Hashing("a hash was not made")));
        };
        let (prefix_hash, new_hash) = (prefix_hash?, new_hash?);

        let old = core::mem::replace(&mut self.current, new_hash);
        self.retire(
            policy,
            RetiredGeneration {
                hash: old,
                prefix_verifier: Some(PrefixVerifier {
                    length: n,
                    hash: prefix_hash,
                }),
            },
        );
        Ok(())
    }

    /// An administrator's reset: `new_current` (hashed by the caller, e.g.
    /// from [`generate_password`](crate::generate_password)) becomes current
    /// and the old current hash is retired **without** a prefix verifier —
    /// its plaintext is not known — so only the equality rule can apply to
    /// it later. Generations beyond the depth are dropped.
    pub fn reset(&mut self, policy: &Policy, new_current: PasswordHash) {
        let old = core::mem::replace(&mut self.current, new_current);
        self.retire(
            policy,
            RetiredGeneration {
                hash: old,
                prefix_verifier: None,
            },
        );
    }

    fn retire(&mut self, policy: &Policy, generation: RetiredGeneration) {
        self.retired.insert(0, generation);
        self.retired
            .truncate(policy.history_depth().saturating_sub(1));
    }
}
