//! The facade's behaviour suite (`shikaku::testing`), every scenario over a fresh
//! SQLite database: the manual's rules hold with this store exactly as in memory.

use crate::support::scratch;

shikaku::store_behaviour_suite!(scratch);
