//! Integration tests for shikaku-qr: every rendering is decoded back by a reader no one
//! here wrote (rqrr in-process, zbarimg as a subprocess) or parsed back into modules.

mod png_render;
mod props;
mod sheet;
mod support;
mod svg;
mod terminal;
mod with_totp;
mod zbar;
