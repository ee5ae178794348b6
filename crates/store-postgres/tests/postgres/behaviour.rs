//! The facade's behaviour suite (`shikaku::testing`), every scenario over a fresh
//! PostgreSQL database: the manual's rules hold with this store exactly as in memory.

use crate::support::fresh;

shikaku::store_behaviour_suite!(fresh);
