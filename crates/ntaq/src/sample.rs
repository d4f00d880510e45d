//! The synthetic sample data built into the binary (testdata/sample), so
//! `ntaq run queries/scenario1.kql` works anywhere without `--data`.

use kql_io::{DataDir, IoError};

const NET: &[u8] = include_bytes!("../../../testdata/sample/NTANetAnalytics.parquet");
const IP: &[u8] = include_bytes!("../../../testdata/sample/NTAIpDetails.parquet");

/// What stderr says when the sample is used.
pub const DESCRIPTION: &str = "the bundled sample (2 000 synthetic NTANetAnalytics flows and their NTAIpDetails, 2025-06-01T00:00Z to 2025-06-02T00:00Z)";

/// The sample's tables, read from memory.
pub fn data() -> Result<DataDir, IoError> {
    DataDir::from_memory(
        "<bundled sample>",
        vec![
            ("NTANetAnalytics".into(), "NTANetAnalytics.parquet".into(), bytes::Bytes::from_static(NET)),
            ("NTAIpDetails".into(), "NTAIpDetails.parquet".into(), bytes::Bytes::from_static(IP)),
        ],
    )
}
