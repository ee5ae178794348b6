//! The shared behaviour suite against the in-memory store.

use std::sync::Arc;

mod pages;

shikaku::store_behaviour_suite!(|| Arc::new(shikaku::MemoryStore::new()));
