//! shikaku (under construction).
