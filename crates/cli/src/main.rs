//! The `shikaku` binary (under construction).
fn main() {}
