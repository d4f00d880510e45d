//! The integration tests of `nta-flowlogs`, one module per concern, linked into one
//! test binary (`cargo test -p nta-flowlogs --test integration [module::]`).

mod bounded;
mod common;
mod derive_bounded;
mod derive_spill;
mod docs_samples;
mod generated;
mod reader;
