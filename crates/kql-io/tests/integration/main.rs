//! The integration tests of `kql-io`, one module per concern, linked into one
//! test binary (`cargo test -p kql-io --test integration [module::]`).

mod charts;
mod datadir;
mod ingest;
mod output_files;
mod output_formats;
mod parts;
