//! The objects shikaku hands out and their accessors and free functions: error objects,
//! enrollment views, strings, byte buffers; token helpers; the version and the status
//! names.

// cbindgen lists the items in the order of these modules: keep it.
mod error;

mod enrollment;

mod memory;

mod token;

mod names;

pub use enrollment::*;
pub use error::*;
pub use memory::*;
pub use names::*;
pub use token::*;
