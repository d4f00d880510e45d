//! The schemas ntaq knows without data: the traffic-analytics tables as Log
//! Analytics publishes them, and ntaq's own `FlowTuples`. The binder's
//! built-in catalog, the text-export reader's column types, the data
//! generator and the flow-log reader all take their columns from here.

use crate::ScalarType;
use crate::arrow::table_arrow_type;
use arrow_schema::{Field, Schema};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The published schemas of the traffic-analytics tables: NTANetAnalytics
/// (its Azure Monitor table reference page as of 2026-07-27:
/// shared/docs/nta-schema.md's 77 columns and 16 newer ones such as
/// `SrcPorts`) and NTAIpDetails (shared/docs/nta-schema.md), NTATopologyDetails,
/// NTARuleRecommendation and NTAInsights (their Azure Monitor table
/// reference pages), and the NSG-flow-log era AzureNetworkAnalytics_CL and
/// AzureNetworkAnalyticsIPDetails_CL (the traffic analytics schema page's
/// "Network security group flow logs" tab, with the custom-log suffixes
/// `_s` string, `_d` real, `_t` datetime, `_b` bool that queries of those
/// tables use, and `_g`: a GUID "stored as a string" (the HTTP Data
/// Collector API page's suffix table), so a string column).
const NTA_SCHEMA_JSON: &str = include_str!("schemas/nta-schema.json");

/// ntaq's own table of raw flow-log tuples (`--flow-logs`, docs/flow-logs.md):
/// the one list of its columns, which the flow-log reader builds its batches from.
const FLOW_TUPLES_SCHEMA_JSON: &str = include_str!("schemas/flowtuples-schema.json");

/// A column with its documentation, for `.schema` and completion.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: ScalarType,
    pub description: Option<String>,
}

/// A built-in table: its name and columns in the documented order.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<ColumnDef>,
}

impl TableSchema {
    /// The columns' names and types, in order.
    pub fn column_types(&self) -> Vec<(String, ScalarType)> {
        self.columns.iter().map(|c| (c.name.clone(), c.ty)).collect()
    }

    /// The Arrow schema of the table as ntaq writes it (generated and
    /// derived tables): every column in order, typed by
    /// [`table_arrow_type`], strings non-nullable (Kusto strings are never
    /// null). `Err` names the first column of a type such tables do not hold.
    pub fn arrow_schema(&self) -> Result<Schema, &ColumnDef> {
        let fields = self
            .columns
            .iter()
            .map(|c| {
                let dt = table_arrow_type(c.ty).ok_or(c)?;
                Ok(Field::new(c.name.clone(), dt, c.ty != ScalarType::String))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Schema::new(fields))
    }
}

#[derive(Deserialize)]
struct JsonColumn {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    description: Option<String>,
}

/// Every built-in table (the published traffic-analytics tables and
/// `FlowTuples`), sorted by name.
pub fn nta_tables() -> Vec<TableSchema> {
    let mut parsed: BTreeMap<String, Vec<JsonColumn>> =
        serde_json::from_str(NTA_SCHEMA_JSON).expect("embedded NTA schema is valid JSON");
    let flow: BTreeMap<String, Vec<JsonColumn>> =
        serde_json::from_str(FLOW_TUPLES_SCHEMA_JSON).expect("embedded FlowTuples schema is valid JSON");
    parsed.extend(flow);
    parsed
        .into_iter()
        .map(|(name, cols)| TableSchema {
            name,
            columns: cols
                .into_iter()
                .map(|c| ColumnDef {
                    ty: ScalarType::from_name(&c.ty).expect("embedded NTA schema uses Kusto type names"),
                    name: c.name,
                    description: c.description,
                })
                .collect(),
        })
        .collect()
}

/// The built-in table `name` (case-sensitive, as Kusto's table names are).
pub fn nta_table(name: &str) -> Option<TableSchema> {
    nta_tables().into_iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables() {
        let names: Vec<String> = nta_tables().into_iter().map(|t| t.name).collect();
        for t in ["NTANetAnalytics", "NTAIpDetails", "NTATopologyDetails", "FlowTuples", "AzureNetworkAnalytics_CL"] {
            assert!(names.iter().any(|n| n == t), "{t}");
        }
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        // Column counts of the table reference pages (NTANetAnalytics: 2026-07-27).
        assert_eq!(nta_table("NTANetAnalytics").unwrap().columns.len(), 93);
        assert_eq!(nta_table("NTAIpDetails").unwrap().columns.len(), 19);
        assert!(nta_table("ntanetanalytics").is_none());
        let flow = nta_table("FlowTuples").unwrap().column_types();
        assert_eq!(flow[0], ("FlowTime".to_string(), ScalarType::DateTime));
        assert_eq!(flow.len(), 21);
    }

    #[test]
    fn arrow_schemas_of_tables_ntaq_writes() {
        let net = nta_table("NTANetAnalytics").unwrap().arrow_schema().unwrap();
        assert_eq!(net.fields().len(), 93);
        let port = net.field_with_name("DestPort").unwrap();
        assert_eq!((port.data_type(), port.is_nullable()), (&arrow_schema::DataType::Int32, true));
        let src = net.field_with_name("SrcIp").unwrap();
        assert_eq!((src.data_type(), src.is_nullable()), (&arrow_schema::DataType::Utf8, false));
        // AzureNetworkAnalytics_CL's `_g` columns are strings ("GUID (stored
        // as a string)"), so it has an Arrow schema like the others.
        let legacy = nta_table("AzureNetworkAnalytics_CL").unwrap().arrow_schema().unwrap();
        let sub = legacy.field_with_name("Subscription1_g").unwrap();
        assert_eq!(sub.data_type(), &arrow_schema::DataType::Utf8);
    }
}
