//! [`PasswordHash`]: the PHC string a hash is stored as, parsed and checked
//! against the [`Hasher`] limits before it is used.

use core::fmt;
use core::str::FromStr;

use argon2::password_hash::phc;
use argon2::{Algorithm, AssociatedData, KeyId, Params, ParamsBuilder, Version};
use serde::{Deserialize, Serialize};

use super::pepper::DEFAULT_PEPPER_ID;
use super::{HashSettings, Hasher, SALT_LEN};
use crate::Error;

/// A stored password hash: an argon2 PHC string such as
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
///
/// The argon2 variant, version and costs travel inside the string, so a
/// hash made under old parameters still verifies after the [`Hasher`] is
/// given higher ones ([`Hasher::needs_rehash`] says when to upgrade).
///
/// A hash made with a pepper other than id 1 names it in argon2's PHC `keyid`
/// parameter (the id as 4 big-endian bytes, e.g. `keyid=AAAAAg` for 2), which
/// argon2 itself ignores; a hash without `keyid` was made with pepper 1 (or
/// without one). See [`PasswordHash::pepper_id`].
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
        HashSettings::new(parsed.algorithm, parsed.version, &parsed.params)
    }

    /// The id of the pepper this hash was made with: its `keyid` read as a
    /// 4-byte big-endian number, or [`DEFAULT_PEPPER_ID`] (1) when it has none;
    /// `None` for a `keyid` of another length, or 0 (not one this crate writes).
    #[must_use]
    pub fn pepper_id(&self) -> Option<u32> {
        self.parse()
            .ok()
            .and_then(|parsed| pepper_id(&parsed.params))
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

/// The pepper id `params` name (see [`PasswordHash::pepper_id`]).
pub(super) fn pepper_id(params: &Params) -> Option<u32> {
    match params.keyid() {
        [] => Some(DEFAULT_PEPPER_ID),
        bytes => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(u32::from_be_bytes)
            .filter(|id| *id != 0),
    }
}

/// `params` naming pepper `id` instead of whatever they named: no `keyid` for
/// [`DEFAULT_PEPPER_ID`] (as every hash made before pepper ids), else the id's 4
/// big-endian bytes; `None` names no pepper (for [`HashSettings`], which leave the
/// pepper out). Costs, associated data and output length are kept.
pub(super) fn with_pepper_id(params: &Params, id: Option<u32>) -> Result<Params, Error> {
    let mut builder = ParamsBuilder::new();
    builder
        .m_cost(params.m_cost())
        .t_cost(params.t_cost())
        .p_cost(params.p_cost());
    if let Some(len) = params.output_len() {
        builder.output_len(len);
    }
    if !params.data().is_empty() {
        builder.data(
            AssociatedData::new(params.data())
                .map_err(|_| Error::Hashing("cannot keep the associated data"))?,
        );
    }
    if let Some(id) = id.filter(|id| *id != DEFAULT_PEPPER_ID) {
        builder.keyid(
            KeyId::new(&id.to_be_bytes()).map_err(|_| Error::Hashing("cannot encode the keyid"))?,
        );
    }
    builder
        .build()
        .map_err(|_| Error::InvalidHasherParams("argon2 refused the parameters"))
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
