//! The integration tests of `nta-recommend`, one module per concern, linked into one
//! test binary (`cargo test -p nta-recommend --test integration [module::]`).

mod common;
mod formats;
mod hand_built;
mod properties;
