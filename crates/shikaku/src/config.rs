//! Every policy number in one place, with the manual's values as defaults.

use time::Duration;

use crate::error::Error;
use crate::ids::{AccountKey, InstitutionCode, LoginId};
use crate::lockout::{IdleTimeout, LockoutPolicy};
use crate::password::Policy;
use crate::totp::Verifier;

/// argon2id cost parameters (the `argon2` crate's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// How many argon2 runs of one history check may run in parallel.
    pub workers: usize,
    /// How many facade calls the host lets hash at once (the web layer's
    /// `hashing_threads`). The hasher keeps `workers × concurrent_calls` memory blocks
    /// for reuse, so no hash ever allocates a fresh block: memory stays at
    /// `m_cost × workers × concurrent_calls` however long the load lasts.
    pub concurrent_calls: usize,
}

impl Default for HashCost {
    /// OWASP's argon2id minimum: m=19456 KiB, t=2, p=1; two workers (one per core here).
    fn default() -> Self {
        Self {
            m_cost: 19_456,
            t_cost: 2,
            p_cost: 1,
            workers: 2,
            concurrent_calls: 2,
        }
    }
}

impl HashCost {
    /// A cheap setting for tests where the cost itself is not under test.
    pub fn for_tests() -> Self {
        Self {
            m_cost: 64,
            t_cost: 1,
            p_cost: 1,
            workers: 2,
            concurrent_calls: 2,
        }
    }
}

/// The service's configuration. `Config::default()` is exactly the manual.
#[derive(Clone, Debug)]
pub struct Config {
    /// パスワードのルール.
    pub password_policy: Policy,
    /// argon2id cost.
    pub hash_cost: HashCost,
    /// 3 wrong passwords → 30 minutes.
    pub password_lockout: LockoutPolicy,
    /// 3 wrong passcodes → 30 minutes.
    pub passcode_lockout: LockoutPolicy,
    /// 30 minutes without activity ends a session (and a half-finished login).
    pub idle_timeout: IdleTimeout,
    /// TOTP verification window and parameters.
    pub verifier: Verifier,
    /// The issuer shown in the Authenticator app.
    pub issuer: String,
    /// Digits of an institution code.
    pub institution_code_digits: usize,
    /// How long audit events are kept: [`Shikaku::housekeeping`](crate::Shikaku::housekeeping)
    /// removes older ones. [`DEFAULT_AUDIT_RETENTION`] by default; at least one day (the
    /// builder refuses less).
    pub audit_retention: Duration,
}

/// The default [`Config::audit_retention`]: 400 days, a year of a clinic's records with
/// a month to spare (export them with `shikaku audit export` to keep them longer).
pub const DEFAULT_AUDIT_RETENTION: Duration = Duration::days(400);

impl Default for Config {
    fn default() -> Self {
        Self {
            password_policy: Policy::default(),
            hash_cost: HashCost::default(),
            password_lockout: LockoutPolicy::default(),
            passcode_lockout: LockoutPolicy::default(),
            idle_timeout: IdleTimeout::default(),
            verifier: Verifier::default(),
            issuer: "資格確認限定型レセコン連携機能".to_owned(),
            institution_code_digits: crate::ids::DEFAULT_INSTITUTION_CODE_DIGITS,
            audit_retention: DEFAULT_AUDIT_RETENTION,
        }
    }
}

impl Config {
    /// The manual's rules with argon2 made cheap: for tests and demos only.
    pub fn for_tests() -> Self {
        Self {
            hash_cost: HashCost::for_tests(),
            ..Self::default()
        }
    }

    /// Parses 機関コード + ログイン ID as typed, with this configuration's number of
    /// institution-code digits: the adapters' one way to make an [`AccountKey`].
    ///
    /// ```
    /// let key = shikaku::Config::default().account_key("０１２３４５６７８９", " staff01 ")?;
    /// assert_eq!(key.to_string(), "0123456789/staff01");
    /// # Ok::<(), shikaku::Error>(())
    /// ```
    pub fn account_key(&self, institution_code: &str, login_id: &str) -> Result<AccountKey, Error> {
        Ok(AccountKey::new(
            InstitutionCode::parse(institution_code, self.institution_code_digits)?,
            LoginId::parse(login_id)?,
        ))
    }

    /// How long a half-finished login (password accepted, passcode not yet) stays usable.
    pub fn login_ticket_ttl(&self) -> Duration {
        self.idle_timeout.duration()
    }
}
