//! shikaku-qr (under construction).
