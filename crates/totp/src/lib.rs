//! shikaku-totp (under construction).
