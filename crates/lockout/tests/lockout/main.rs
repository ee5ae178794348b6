//! Public-API behaviour of shikaku-lockout: the manual's rules at their exact
//! edges, persistence, and properties over arbitrary event sequences.

mod persistence;
mod properties;
mod refusals;
mod rules;
mod sessions;

use time::OffsetDateTime;
use time::macros::datetime;

/// A Tuesday morning in Tokyo.
const T0: OffsetDateTime = datetime!(2025-04-01 09:00 +09:00);
