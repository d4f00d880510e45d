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
    /// Log Analytics' standard columns that the table's reference page does
    /// not list ([`STANDARD_COLUMNS`]): a query may name them, but they are
    /// not among `columns`, so `*`, `getschema` and a result that does not
    /// name them leave them out, and ntaq's own tables do not hold them.
    pub hidden: Vec<ColumnDef>,
}

/// The standard columns of "Standard columns in Azure Monitor Logs"
/// (<https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns>),
/// which every table of a Log Analytics workspace has, with their types
/// and the page's descriptions. "Some of the standard columns will not show
/// in the schema view or intellisense in Log Analytics, and they won't show
/// in query results unless you explicitly specify the column in the
/// output": the page does not say which, so ntaq hides those a table's own
/// reference page does not list (`_ItemId`, `_ResourceId`,
/// `_SubscriptionId`, `_TimeReceived` on the NTA tables; also `_BilledSize`
/// and `_IsBillable` on the custom-log tables, whose schema page lists
/// neither).
pub const STANDARD_COLUMNS: &[(&str, ScalarType, &str)] = &[
    ("TenantId", ScalarType::String, "Standard column: the workspace ID of the Log Analytics workspace."),
    ("TimeGenerated", ScalarType::DateTime, "Standard column: when the data source created the record."),
    (
        "_TimeReceived",
        ScalarType::DateTime,
        "Standard column: when the Azure Monitor ingestion point received the record.",
    ),
    ("Type", ScalarType::String, "Standard column: the name of the table the record was retrieved from."),
    ("_ItemId", ScalarType::String, "Standard column: a unique identifier for the record."),
    (
        "_ResourceId",
        ScalarType::String,
        "Standard column: the Azure resource ID of the resource the record is associated with.",
    ),
    (
        "_SubscriptionId",
        ScalarType::String,
        "Standard column: the subscription ID of the resource the record is associated with.",
    ),
    ("_IsBillable", ScalarType::String, "Standard column: whether ingesting the record is billable."),
    ("_BilledSize", ScalarType::Real, "Standard column: the size in bytes billed for the record."),
];

/// ntaq's own table, not a Log Analytics one: no standard columns.
const FLOW_TUPLES: &str = "FlowTuples";

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
        .map(|(name, cols)| {
            let columns: Vec<ColumnDef> = cols
                .into_iter()
                .map(|c| ColumnDef {
                    ty: ScalarType::from_name(&c.ty).expect("embedded NTA schema uses Kusto type names"),
                    name: c.name,
                    description: c.description,
                })
                .collect();
            let hidden = if name == FLOW_TUPLES {
                Vec::new()
            } else {
                STANDARD_COLUMNS
                    .iter()
                    .filter(|(n, _, _)| !columns.iter().any(|c| c.name == *n))
                    .map(|(n, ty, d)| ColumnDef { name: n.to_string(), ty: *ty, description: Some(d.to_string()) })
                    .collect()
            };
            TableSchema { name, columns, hidden }
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
    fn standard_columns_the_table_pages_leave_out_are_hidden() {
        // https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns
        let hidden = |t: &str| nta_table(t).unwrap().hidden.into_iter().map(|c| (c.name, c.ty)).collect::<Vec<_>>();
        let s = |n: &str, ty| (n.to_string(), ty);
        let nta = vec![
            s("_TimeReceived", ScalarType::DateTime),
            s("_ItemId", ScalarType::String),
            s("_ResourceId", ScalarType::String),
            s("_SubscriptionId", ScalarType::String),
        ];
        for t in ["NTANetAnalytics", "NTAIpDetails", "NTATopologyDetails", "NTARuleRecommendation", "NTAInsights"] {
            assert_eq!(hidden(t), nta, "{t}");
        }
        // The custom-log tables' schema page lists neither billing column.
        let legacy =
            [nta.clone(), vec![s("_IsBillable", ScalarType::String), s("_BilledSize", ScalarType::Real)]].concat();
        assert_eq!(hidden("AzureNetworkAnalytics_CL"), legacy);
        assert_eq!(hidden("AzureNetworkAnalyticsIPDetails_CL"), legacy);
        assert!(hidden("FlowTuples").is_empty(), "ntaq's own table");
        // Every Log Analytics table has every standard column, listed or hidden.
        for t in nta_tables().into_iter().filter(|t| t.name != "FlowTuples") {
            for (n, ty, _) in STANDARD_COLUMNS {
                let c = t.columns.iter().chain(&t.hidden).find(|c| c.name == *n);
                assert_eq!(c.map(|c| c.ty), Some(*ty), "{}.{n}", t.name);
            }
        }
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
