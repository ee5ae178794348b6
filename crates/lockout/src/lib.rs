//! shikaku-lockout (under construction).
