//! shikaku-password (under construction).
