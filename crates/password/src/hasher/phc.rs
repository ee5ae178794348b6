//! [`PasswordHash`]: the PHC string a hash is stored as, parsed and checked
//! against the [`Hasher`] limits before it is used.

use core::fmt;
use core::str::FromStr;

use argon2::password_hash::phc;
use argon2::{Algorithm, Params, Version};
use serde::{Deserialize, Serialize};

use super::{HashSettings, Hasher, SALT_LEN};
use crate::Error;

/// A stored password hash: an argon2 PHC string such as
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
///
/// The argon2 variant, version and costs travel inside the string, so a
/// hash made under old parameters still verifies after the [`Hasher`] is
/// given higher ones ([`Hasher::needs_rehash`] says when to upgrade).
///
/// Parsing validates the string: argon2id, argon2i or argon2d, version 16
/// or 19 present, salt and hash present, costs within
/// [`Hasher::MAX_M_COST`], [`Hasher::MAX_T_COST`], [`Hasher::MAX_P_COST`].
/// Serde uses the string form. `Debug` shows the algorithm and parameters
/// but not the salt or hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PasswordHash(String);

/// A [`PasswordHash`] taken apart for verification.
pub(super) struct Parsed {
    pub(super) algorithm: Algorithm,
    pub(super) version: Version,
    pub(super) params: Params,
    pub(super) salt: phc::Salt,
    pub(super) hash: phc::Output,
}

impl PasswordHash {
    /// The PHC string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(super) fn parse(&self) -> Result<Parsed, Error> {
        parse_phc(&self.0)
    }

    /// The argon2 settings this hash was made with (what verifying it costs).
    ///
    /// # Errors
    /// As for parsing: never for a `PasswordHash` that exists (parsing is
    /// checked when one is made).
    pub fn settings(&self) -> Result<HashSettings, Error> {
        let parsed = self.parse()?;
        HashSettings::new(parsed.algorithm, parsed.version, parsed.params)
    }

    /// The PHC string of a fresh argon2id v19 hash.
    pub(super) fn argon2id(
        params: phc::ParamsString,
        salt: &[u8; SALT_LEN],
        hash: &[u8],
    ) -> Result<Self, Error> {
        Self::encode(Algorithm::Argon2id, Version::V0x13, params, salt, hash)
    }

    /// The PHC string of a fresh hash of any argon2 variant and version.
    pub(super) fn encode(
        algorithm: Algorithm,
        version: Version,
        params: phc::ParamsString,
        salt: &[u8; SALT_LEN],
        hash: &[u8],
    ) -> Result<Self, Error> {
        let encoded = phc::PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params,
            salt: Some(phc::Salt::new(salt).map_err(|_| Error::Hashing("salt"))?),
            hash: Some(phc::Output::new(hash).map_err(|_| Error::Hashing("output"))?),
        };
        Ok(Self(encoded.to_string()))
    }
}

/// The `m=..,t=..,p=..` field for `params`, encoded before hashing so a
/// hash is never computed that could not be stored.
pub(super) fn encode_params(params: &Params) -> Result<phc::ParamsString, Error> {
    phc::ParamsString::try_from(params).map_err(|_| Error::Hashing("cannot encode the parameters"))
}

fn parse_phc(s: &str) -> Result<Parsed, Error> {
    let phc = phc::PasswordHash::new(s).map_err(|_| Error::MalformedHash("not a PHC string"))?;
    let salt = phc
        .salt
        .ok_or(Error::MalformedHash("the salt is missing"))?;
    let hash = phc
        .hash
        .ok_or(Error::MalformedHash("the hash is missing"))?;
    let algorithm = Algorithm::new(phc.algorithm.as_str())
        .map_err(|_| Error::UnsupportedHash("algorithm is not argon2id, argon2i or argon2d"))?;
    let version = phc
        .version
        .ok_or(Error::UnsupportedHash("the argon2 version (v=) is missing"))
        .and_then(|v| {
            Version::try_from(v)
                .map_err(|_| Error::UnsupportedHash("argon2 version is not 16 or 19"))
        })?;
    let params =
        Params::try_from(&phc).map_err(|_| Error::MalformedHash("invalid argon2 parameters"))?;
    if params.m_cost() > Hasher::MAX_M_COST {
        return Err(Error::UnsupportedHash("memory cost above 1 GiB"));
    }
    if params.t_cost() > Hasher::MAX_T_COST {
        return Err(Error::UnsupportedHash("more than 64 passes"));
    }
    if params.p_cost() > Hasher::MAX_P_COST {
        return Err(Error::UnsupportedHash("more than 16 lanes"));
    }
    Ok(Parsed {
        algorithm,
        version,
        params,
        salt,
        hash,
    })
}

impl TryFrom<String> for PasswordHash {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Error> {
        parse_phc(&s)?;
        Ok(Self(s))
    }
}

impl TryFrom<&str> for PasswordHash {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self, Error> {
        Self::try_from(s.to_owned())
    }
}

impl FromStr for PasswordHash {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::try_from(s)
    }
}

impl From<PasswordHash> for String {
    fn from(hash: PasswordHash) -> Self {
        hash.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `$alg$v=..$params$salt$hash`: keep the first four fields.
        let end = self
            .0
            .match_indices('$')
            .nth(3)
            .map_or(self.0.len(), |(i, _)| i);
        let shown = self.0.get(..end).unwrap_or("");
        write!(f, "PasswordHash(\"{shown}$…\")")
    }
}
