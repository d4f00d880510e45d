//! Row keys for grouping, distinct and joins: Arrow's row format turns any
//! combination of columns into comparable bytes.

use crate::error::Result;
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::{Array, ArrayRef};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;

/// Hash maps and sets of row keys. SipHash (the std default) guards
/// against crafted keys but costs several times more per byte than aHash,
/// and grouping, distinct and joins hash every row's key bytes.
pub type KeyMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type KeySet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// Encodes key columns of fixed types into row bytes.
pub struct KeyEncoder {
    conv: RowConverter,
}

impl KeyEncoder {
    pub fn new(types: &[DataType]) -> Result<Self> {
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        Ok(KeyEncoder { conv: RowConverter::new(fields)? })
    }

    pub fn encode(&self, cols: &[ArrayRef]) -> Result<Rows> {
        Ok(self.conv.convert_columns(cols)?)
    }
}

/// A key column in a form comparable across plans: dynamic values as JSON
/// text, so two encodings of equal values produce equal keys.
pub fn canonical_key(a: &ArrayRef) -> ArrayRef {
    match dyn_repr(a.data_type()) {
        Some(DynRepr::Str | DynRepr::StrArray) => crate::dynamic::to_json_array(a),
        _ => a.clone(),
    }
}

/// True if row `i` has a null in any key column (such rows never join).
pub fn has_null(cols: &[ArrayRef], i: usize) -> bool {
    cols.iter().any(|c| c.is_null(i))
}
