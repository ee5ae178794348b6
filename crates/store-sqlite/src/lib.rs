//! shikaku-store-sqlite (under construction).
