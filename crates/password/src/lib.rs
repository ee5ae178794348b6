//! Password rules of the 資格確認限定型レセコン連携機能 operations manual
//! (「パスワードのルール」), argon2id hashing and the 5-generation history.
//!
//! # Design
//!
//! This crate is **sans-IO**: it reads no clock, draws no OS randomness and
//! touches no files or network. Randomness (salts, generated passwords)
//! comes from a `rand_core::CryptoRng` the host passes in; the host also
//! loads the [`Pepper`] and stores the [`PasswordHistory`] (serde).
//!
//! | piece | what it does |
//! |---|---|
//! | [`Policy`] | the manual's rules as data; `Default` is exactly the manual, every number configurable through a validating builder |
//! | [`Policy::check`] | composition rules; returns **every** [`Violation`] at once, each with a stable [`ViolationCode`] and Japanese/English messages |
//! | [`Hasher`] | argon2id (m = 19456 KiB, t = 2, p = 1 by default) with an optional pepper (and older ones, by id, that still verify); PHC strings carry the parameters and the pepper's id; [`Hasher::needs_rehash`]; pooled memory; parallel history checks |
//! | [`PasswordHistory`] | current hash + retired generations with prefix verifiers; [`check_change`](PasswordHistory::check_change), [`change`](PasswordHistory::change), [`reset`](PasswordHistory::reset) |
//! | [`generate_password`] | compliant random initial passwords without look-alike characters |
//! | [`Password`], [`Pepper`] | secrets: zeroized on drop, `Debug` redacted |
//!
//! The rules, the interpretation of "5世代前までのパスワード" (the current
//! password counts as the newest of the 5 generations), the threat model of
//! the prefix verifiers and the differences from NIST SP 800-63B are
//! written up in `docs/password-policy.md`.
//!
//! ```text
//!  change(current, new) ──► Policy::check(new) ─────────────┐ all violations
//!                       ├─► new == current ? ───────────────┤ (one list)
//!                       └─► new < 13 chars ?                │
//!                             ├─ prefix(new) == prefix(current)
//!                             └─ for each retired generation (≤ 4), in parallel:
//!                                  argon2id(new)          == hash ?
//!                                  argon2id(HMAC(prefix)) == prefix verifier ?
//!  accepted ──► retire current (+ prefix verifier from its plaintext),
//!               hash new, keep the newest 5 generations
//! ```
//!
//! # Example
//!
//! ```
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//! use shikaku_password::{
//!     ChangeError, Hasher, Password, PasswordHistory, Policy, ViolationCode, generate_password,
//! };
//!
//! // The host passes a CSPRNG seeded from the OS; a fixed seed keeps the example reproducible.
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//! let policy = Policy::default();
//! // Production uses `Hasher::default()` (19 MiB, 2 passes); tiny costs keep the example fast.
//! let hasher = Hasher::builder().m_cost(64).t_cost(1).build()?;
//!
//! // An administrator creates the account with a generated initial password.
//! let initial = generate_password(&policy, &mut rng);
//! let mut history = PasswordHistory::new(hasher.hash(&initial, &mut rng)?);
//! assert!(history.verify_current(&hasher, &initial)?);
//!
//! // The staff member changes it to staff123.
//! let staff123 = Password::new("staff123");
//! let refused = history
//!     .change(&policy, &hasher, "A001", &initial, &staff123, &mut rng)
//!     .unwrap_err();
//! let ChangeError::Policy(violations) = refused else { panic!("{refused}") };
//! assert_eq!(
//!     violations.codes(),
//!     [ViolationCode::MissingUppercase, ViolationCode::MissingSpecial]
//! );
//! assert_eq!(violations.iter().next().unwrap().message_ja(), "英字大文字を1文字以上含めてください。");
//!
//! let first = Password::new("Staff-123");
//! history.change(&policy, &hasher, "A001", &initial, &first, &mut rng)?;
//! assert_eq!(history.len(), 2);
//!
//! // The manual's own example: staff123 → staff456 shares "Staff" and is refused.
//! let second = Password::new("Staff-456");
//! let Err(ChangeError::Policy(v)) =
//!     history.check_change(&policy, &hasher, "A001", &first, &second)
//! else {
//!     panic!("a shared 5-character prefix must be refused")
//! };
//! assert_eq!(v.codes(), [ViolationCode::SimilarToGeneration]);
//!
//! // 13 characters or more: the history rules do not apply.
//! let long = Password::new("Staff-4567890");
//! history.change(&policy, &hasher, "A001", &first, &long, &mut rng)?;
//! assert!(history.verify_current(&hasher, &long)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
mod generate;
mod hasher;
mod history;
mod password;
mod policy;
mod violation;

pub use crate::error::Error;
pub use crate::generate::{GENERATED_LENGTH, generate_password, generate_password_with_length};
pub use crate::hasher::{
    DEFAULT_M_COST, DEFAULT_P_COST, DEFAULT_PEPPER_ID, DEFAULT_T_COST, DEFAULT_WORKERS,
    HashSettings, Hasher, HasherBuilder, MAX_M_COST, MAX_P_COST, MAX_T_COST, MAX_WORKERS,
    PasswordHash, Pepper,
};
pub use crate::history::{ChangeError, PasswordHistory, PrefixVerifier, RetiredGeneration};
pub use crate::password::Password;
pub use crate::policy::{
    DEFAULT_SPECIALS, MAX_HISTORY_DEPTH, MAX_LENGTH_LIMIT, Policy, PolicyBuilder,
};
pub use crate::violation::{Violation, ViolationCode, Violations};
