//! Sealed TOTP secrets: ChaCha20-Poly1305 under a subkey of one master key, bound to
//! the account by the AAD, naming the master key they were sealed under.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{INFO_TOTP_AEAD, KeyId, MasterKeys};
use crate::Error;
use crate::clock::SharedRng;
use crate::ids::AccountId;
use crate::totp::Secret;

/// Layout 1: sealed under key 1, which it does not name (every secret sealed before
/// key ids).
const VERSION_KEY_ONE: u8 = 1;
/// Layout 2: names its key.
const VERSION_KEYED: u8 = 2;
const NONCE: usize = 12;
const TAG: usize = 16;

/// A TOTP secret sealed with ChaCha20-Poly1305, bound to its account by the AAD.
///
/// Layout 1 (key 1): `1 || nonce (12) || ciphertext+tag`. Layout 2 (any other key):
/// `2 || key id (4, big-endian) || nonce (12) || ciphertext+tag`. Secrets under key 1
/// keep layout 1, so a database that never rotates keeps the bytes it always had.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret(pub Vec<u8>);

impl SealedSecret {
    /// The master key it was sealed under; `None` for bytes of no known layout.
    pub fn key_id(&self) -> Option<KeyId> {
        self.split().map(|(id, _, _)| id)
    }

    /// (key, nonce, ciphertext+tag).
    fn split(&self) -> Option<(KeyId, &[u8], &[u8])> {
        let (&version, rest) = self.0.split_first()?;
        let (id, rest) = match version {
            VERSION_KEY_ONE => (KeyId::FIRST, rest),
            VERSION_KEYED => {
                let (id, rest) = rest.split_first_chunk::<4>()?;
                (KeyId::new(u32::from_be_bytes(*id))?, rest)
            }
            _ => return None,
        };
        (rest.len() >= NONCE + TAG).then(|| {
            let (nonce, sealed) = rest.split_at(NONCE);
            (id, nonce, sealed)
        })
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key_id() {
            Some(id) => write!(f, "SealedSecret(key {id}, {} bytes)", self.0.len()),
            None => write!(f, "SealedSecret({} bytes)", self.0.len()),
        }
    }
}

/// Seals TOTP secrets under the current master key; opens them under whichever key of
/// the ring they name.
pub(crate) struct SecretBox {
    /// The current key's cipher first.
    ciphers: Vec<(KeyId, ChaCha20Poly1305)>,
}

impl SecretBox {
    pub(crate) fn new(keys: &MasterKeys) -> Self {
        let ciphers = keys
            .iter()
            .map(|(id, master)| {
                let key = master.derive(INFO_TOTP_AEAD);
                (id, ChaCha20Poly1305::new(&Key::from(*key)))
            })
            .collect();
        Self { ciphers }
    }

    /// The key new secrets are sealed under.
    pub(crate) fn current_id(&self) -> KeyId {
        self.current().0
    }

    fn current(&self) -> (KeyId, &ChaCha20Poly1305) {
        let (id, cipher) = &self.ciphers[0];
        (*id, cipher)
    }

    fn aad(account: AccountId) -> Vec<u8> {
        let mut aad = b"shikaku/v1/totp/".to_vec();
        aad.extend_from_slice(&account.0.to_be_bytes());
        aad
    }

    /// Seals `secret` for `account` under the current key.
    pub(crate) fn seal(
        &self,
        account: AccountId,
        secret: &Secret,
        rng: &SharedRng,
    ) -> Result<SealedSecret, Error> {
        let (id, cipher) = self.current();
        let nonce_bytes = rng.bytes::<NONCE>();
        let aad = Self::aad(account);
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: secret.expose_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Crypto)?;
        let mut out = Vec::with_capacity(1 + 4 + NONCE + ciphertext.len());
        if id == KeyId::FIRST {
            out.push(VERSION_KEY_ONE);
        } else {
            out.push(VERSION_KEYED);
            out.extend_from_slice(&id.get().to_be_bytes());
        }
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ciphertext);
        Ok(SealedSecret(out))
    }

    /// Opens `sealed` under the key it names: [`Error::MasterKeyMissing`] when this
    /// node does not hold that key, [`Error::Crypto`] when it does not open (another
    /// key under the same id, another account, tampered bytes).
    pub(crate) fn open(&self, account: AccountId, sealed: &SealedSecret) -> Result<Secret, Error> {
        let (id, nonce, ciphertext) = sealed.split().ok_or(Error::Crypto)?;
        let (_, cipher) = self
            .ciphers
            .iter()
            .find(|(held, _)| *held == id)
            .ok_or(Error::MasterKeyMissing { id })?;
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| Error::Crypto)?;
        let aad = Self::aad(account);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| Error::Crypto)?,
        );
        Secret::from_bytes(&plain).map_err(|_| Error::Crypto)
    }

    /// `sealed` sealed again under the current key, or `None` when it already is.
    pub(crate) fn reseal(
        &self,
        account: AccountId,
        sealed: &SealedSecret,
        rng: &SharedRng,
    ) -> Result<Option<SealedSecret>, Error> {
        if sealed.key_id() == Some(self.current().0) {
            return Ok(None);
        }
        let secret = self.open(account, sealed)?;
        self.seal(account, &secret, rng).map(Some)
    }

    /// Whether `a` and `b` hold the same secret for `account`: the same bytes, or the
    /// same secret sealed again (under another key or nonce, by `shikaku key rotate`).
    pub(crate) fn same_secret(
        &self,
        account: AccountId,
        a: &SealedSecret,
        b: &SealedSecret,
    ) -> bool {
        if a == b {
            return true;
        }
        match (self.open(account, a), self.open(account, b)) {
            (Ok(a), Ok(b)) => {
                use subtle::ConstantTimeEq;
                a.expose_bytes().ct_eq(b.expose_bytes()).into()
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn rng() -> SharedRng {
        SharedRng::new(ChaCha20Rng::seed_from_u64(7))
    }

    fn id(n: u32) -> KeyId {
        KeyId::new(n).unwrap()
    }

    #[test]
    fn sealed_secret_round_trips_and_is_bound_to_its_account() {
        let rng = rng();
        let master = MasterKey::generate(&rng);
        let secret_box = SecretBox::new(&MasterKeys::from(master));
        let secret = rng.with(|r| Secret::generate(r));
        let sealed = secret_box.seal(AccountId(1), &secret, &rng).unwrap();
        assert_eq!(sealed.0[0], 1, "key 1 keeps layout 1");
        assert_eq!(sealed.key_id(), Some(KeyId::FIRST));
        assert_ne!(
            &sealed.0[13..33],
            secret.expose_bytes(),
            "ciphertext is not the secret"
        );
        let opened = secret_box.open(AccountId(1), &sealed).unwrap();
        assert_eq!(opened.expose_bytes(), secret.expose_bytes());
        assert!(
            secret_box.open(AccountId(2), &sealed).is_err(),
            "moved to another account"
        );
        let other = SecretBox::new(&MasterKeys::from(MasterKey::generate(&rng)));
        assert!(
            matches!(other.open(AccountId(1), &sealed), Err(Error::Crypto)),
            "wrong key"
        );
        let mut tampered = sealed;
        let last = tampered.0.len() - 1;
        tampered.0[last] ^= 1;
        assert!(secret_box.open(AccountId(1), &tampered).is_err());
    }

    #[test]
    fn layout_two_names_its_key_and_older_keys_still_open() {
        let rng = rng();
        let (one, two) = (MasterKey::generate(&rng), MasterKey::generate(&rng));
        let old = SecretBox::new(&MasterKeys::from(one.clone()));
        let ring = MasterKeys::new((id(2), two), vec![(KeyId::FIRST, one)]).unwrap();
        let new = SecretBox::new(&ring);
        let secret = rng.with(|r| Secret::generate(r));
        let v1 = old.seal(AccountId(5), &secret, &rng).unwrap();
        // A layout-1 secret (from before key ids) opens under the ring's key 1.
        assert_eq!(
            new.open(AccountId(5), &v1).unwrap().expose_bytes(),
            secret.expose_bytes()
        );
        let v2 = new.seal(AccountId(5), &secret, &rng).unwrap();
        assert_eq!((v2.0[0], &v2.0[1..5]), (2, &[0, 0, 0, 2][..]));
        assert_eq!(v2.key_id(), Some(id(2)));
        assert_eq!(
            format!("{v2:?}"),
            format!("SealedSecret(key 2, {} bytes)", v2.0.len())
        );
        assert_eq!(
            new.open(AccountId(5), &v2).unwrap().expose_bytes(),
            secret.expose_bytes()
        );
        // A node without key 2 says which key it lacks.
        assert!(matches!(
            old.open(AccountId(5), &v2),
            Err(Error::MasterKeyMissing { id: missing }) if missing == id(2)
        ));
        // Another key under the same id does not open it.
        let impostor =
            SecretBox::new(&MasterKeys::new((id(2), MasterKey::generate(&rng)), vec![]).unwrap());
        assert!(matches!(
            impostor.open(AccountId(5), &v2),
            Err(Error::Crypto)
        ));
        // The key id is not malleable: naming key 1 instead fails to open.
        let mut renamed = v2.clone();
        renamed.0[4] = 1;
        assert!(new.open(AccountId(5), &renamed).is_err());
        let mut zero = v2;
        zero.0[4] = 0;
        assert_eq!(zero.key_id(), None, "key id 0 is no key");
        assert_eq!(SealedSecret(vec![3; 40]).key_id(), None, "unknown layout");
        assert_eq!(
            SealedSecret(vec![2, 0, 0, 0, 2]).key_id(),
            None,
            "too short"
        );

        // Re-sealing moves layout 1 to key 2 and leaves key 2 alone; same secret.
        let moved = new.reseal(AccountId(5), &v1, &rng).unwrap().unwrap();
        assert_eq!(moved.key_id(), Some(id(2)));
        assert!(new.reseal(AccountId(5), &moved, &rng).unwrap().is_none());
        assert!(new.same_secret(AccountId(5), &v1, &moved));
        let other = new
            .seal(AccountId(5), &rng.with(|r| Secret::generate(r)), &rng)
            .unwrap();
        assert!(!new.same_secret(AccountId(5), &v1, &other));
    }
}
