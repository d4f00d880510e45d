//! Table schemas: ordered, uniquely named columns with Kusto types.

use crate::types::Type;
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: Type,
    /// A Log Analytics standard column no query has named in its output
    /// yet (`_ItemId`, `_ResourceId`, …): operators that pass columns
    /// through keep it, `*`-like lists and the query's result leave it out
    /// (see [`kql_types::schemas::STANDARD_COLUMNS`]).
    pub hidden: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: impl Into<Type>) -> Self {
        Column { name: name.into(), ty: ty.into(), hidden: false }
    }

    /// A hidden standard column.
    pub fn hidden(name: impl Into<String>, ty: impl Into<Type>) -> Self {
        Column { hidden: true, ..Column::new(name, ty) }
    }
}

/// The columns of a table or of an operator's output, in order.
///
/// `open` marks a schema that an earlier error made partly unknown: names
/// that are not found are then accepted with an unknown type instead of
/// being reported again.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schema {
    pub columns: Vec<Column>,
    pub open: bool,
}

impl Schema {
    pub fn new(columns: Vec<Column>) -> Self {
        Schema { columns, open: false }
    }

    /// A schema about which nothing is known (after an error).
    pub fn unknown() -> Self {
        Schema { columns: Vec::new(), open: true }
    }

    /// The column named `name` (names are case-sensitive in Kusto).
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The columns a result, `getschema` or `*` shows: all but the hidden ones.
    pub fn visible(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| !c.hidden)
    }

    pub fn has_hidden(&self) -> bool {
        self.columns.iter().any(|c| c.hidden)
    }

    /// The same columns, all shown (a `project` that names them).
    pub fn shown(mut self) -> Self {
        for c in &mut self.columns {
            c.hidden = false;
        }
        self
    }
}

impl fmt::Display for Schema {
    /// `(Name:type, …)`, as Kusto's `getschema` would describe it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (k, c) in self.columns.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}:{}", c.name, c.ty)?;
        }
        if self.open {
            f.write_str(if self.columns.is_empty() { "…" } else { ", …" })?;
        }
        f.write_str(")")
    }
}

/// Hands out unique names the way Kusto does: a taken name gets the next
/// free numeric suffix (`DestIp` → `DestIp1`, then `DestIp2`).
#[derive(Default)]
pub struct UniqueNames {
    last_suffix: HashMap<String, u32>,
}

impl UniqueNames {
    /// Marks names as taken without renaming them.
    pub fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for n in names {
            self.last_suffix.entry(n.to_string()).or_insert(0);
        }
    }

    /// `name` if free, else `name` + the smallest unused suffix above the last one used.
    pub fn get_or_add(&mut self, name: &str) -> String {
        let Some(&last) = self.last_suffix.get(name) else {
            self.last_suffix.insert(name.to_string(), 0);
            return name.to_string();
        };
        let mut suffix = last + 1;
        loop {
            let candidate = format!("{name}{suffix}");
            if !self.last_suffix.contains_key(&candidate) {
                self.last_suffix.insert(name.to_string(), suffix);
                self.last_suffix.insert(candidate.clone(), 0);
                return candidate;
            }
            suffix += 1;
        }
    }
}

/// Names the output columns of one projection (project, distinct,
/// summarize) as Kusto.Language's `ProjectionBuilder` does. A name the query
/// states — `Name = …`, or a bare column reference — is *declared*: declaring
/// it twice is a duplicate column. Any other name is derived (`strlen_s`,
/// `count_`) and, like a declared name that a derived one took first, gets
/// the next free numeric suffix.
#[derive(Default)]
pub struct OutputNames {
    unique: UniqueNames,
    declared: std::collections::HashSet<String>,
}

impl OutputNames {
    /// The output name for a declared `name`, or `None` if an earlier item
    /// declared it already.
    pub fn declare(&mut self, name: &str) -> Option<String> {
        if self.declared.contains(name) {
            return None;
        }
        let out = self.unique.get_or_add(name);
        self.declared.insert(out.clone());
        Some(out)
    }

    /// The output name for a derived `name`: itself, or numbered if taken.
    pub fn add(&mut self, name: &str) -> String {
        self.unique.get_or_add(name)
    }
}

/// Renames later duplicates in a column list, as Kusto does for join and
/// lookup output: names keep their first occurrence, so `[c, c, c1]`
/// becomes `[c, c2, c1]` (not `[c, c1, c11]`).
pub fn make_names_unique(columns: &mut [Column]) {
    let mut first_index: HashMap<&str, usize> = HashMap::new();
    for (k, c) in columns.iter().enumerate() {
        first_index.entry(c.name.as_str()).or_insert(k);
    }
    let mut names = UniqueNames::default();
    names.reserve(first_index.keys().copied());
    let renames: Vec<(usize, String)> = columns
        .iter()
        .enumerate()
        .filter(|(k, c)| first_index[c.name.as_str()] != *k)
        .map(|(k, c)| (k, c.name.clone()))
        .collect();
    for (k, name) in renames {
        columns[k].name = names.get_or_add(&name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<Column> {
        names.iter().map(|n| Column::new(*n, Type::STRING)).collect()
    }

    fn names(cols: &[Column]) -> Vec<&str> {
        cols.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn duplicates_get_numeric_suffixes() {
        // Scenario 3's self-join: SrcIp, DestIp, SrcIp, DestIp → SrcIp1, DestIp1.
        let mut c = cols(&["SrcIp", "DestIp", "SrcIp", "DestIp"]);
        make_names_unique(&mut c);
        assert_eq!(names(&c), ["SrcIp", "DestIp", "SrcIp1", "DestIp1"]);
    }

    #[test]
    fn existing_suffixed_names_are_kept() {
        // Kusto.Language's own example: [c, c, c1] → [c, c2, c1].
        let mut c = cols(&["c", "c", "c1"]);
        make_names_unique(&mut c);
        assert_eq!(names(&c), ["c", "c2", "c1"]);
        let mut c = cols(&["a", "a", "a"]);
        make_names_unique(&mut c);
        assert_eq!(names(&c), ["a", "a1", "a2"]);
    }

    #[test]
    fn declared_names_are_unique_derived_ones_numbered() {
        let mut n = OutputNames::default();
        assert_eq!(n.declare("a").as_deref(), Some("a"));
        assert_eq!(n.declare("a"), None);
        assert_eq!(n.add("a"), "a1");
        assert_eq!(n.add("count_"), "count_");
        // A declared name a derived one took first is numbered (Kusto.Language
        // ProjectionBuilder.Declare adds it through the unique-name table).
        assert_eq!(n.declare("count_").as_deref(), Some("count_1"));
        assert_eq!(n.declare("count_1"), None);
    }

    #[test]
    fn schema_display() {
        let s = Schema::new(cols(&["a", "b"]));
        assert_eq!(s.to_string(), "(a:string, b:string)");
        assert_eq!(Schema::unknown().to_string(), "(…)");
    }
}
