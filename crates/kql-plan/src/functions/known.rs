//! Names of Kusto functions ntaq recognises but does not implement (sorted). (Stub.)

pub(super) static UNSUPPORTED: &[&str] = &["geo_distance_2points", "series_fir"];
