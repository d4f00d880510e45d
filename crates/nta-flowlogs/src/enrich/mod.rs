//! Enrichment inputs that are not Azure exports (those live in `nta-azure`):
//! the user's threat-intelligence list and a MaxMind geo-IP database.

pub mod geoip;
pub mod threat_intel;

pub use geoip::GeoIp;
pub use threat_intel::{Indicator, ThreatIntel};
