//! tostring, tolong, todatetime, … and parse_json.

use super::Args;
use crate::columnar::Col;
use crate::error::Result;

/// Converts the single argument to the call's result type.
pub fn convert(a: &Args) -> Result<Col> {
    a.as_type(0, a.out)
}
