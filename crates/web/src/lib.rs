//! shikaku-web (under construction).
