//! The tables a query can name, with their schemas.

use crate::schema::{Column, Schema};
/// A column with its documentation (kql-types' built-in schemas use it too).
pub use kql_types::ColumnDef;
use kql_types::kusto_type_of_field;
use std::collections::BTreeMap;

/// Where a table's schema came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableOrigin {
    /// The published Log Analytics schema built into ntaq.
    Builtin,
    /// Read from data files (paths as given).
    Files(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    pub name: String,
    /// The columns `*`, `getschema` and results show, in order.
    pub columns: Vec<ColumnDef>,
    /// Standard columns a query may name but that are not shown
    /// ([`kql_types::schemas::TableSchema::hidden`]).
    pub hidden: Vec<ColumnDef>,
    pub origin: TableOrigin,
}

impl TableDef {
    /// What a scan of the table outputs: the columns, then the hidden ones.
    pub fn schema(&self) -> Schema {
        let shown = self.columns.iter().map(|c| Column::new(c.name.clone(), c.ty));
        Schema::new(shown.chain(self.hidden.iter().map(|c| Column::hidden(c.name.clone(), c.ty))).collect())
    }

    /// Every column a query may name, shown and hidden.
    pub fn all_columns(&self) -> impl Iterator<Item = &ColumnDef> {
        self.columns.iter().chain(&self.hidden)
    }

    /// A table described by an Arrow schema (e.g. a Parquet file's). Columns
    /// whose Arrow type has no Kusto counterpart are left out and returned
    /// separately with their type, so the caller can say so.
    pub fn from_arrow(
        name: &str,
        schema: &arrow_schema::Schema,
        origin: TableOrigin,
    ) -> (TableDef, Vec<(String, arrow_schema::DataType)>) {
        let mut columns = Vec::new();
        let mut unmapped = Vec::new();
        for f in schema.fields() {
            match kusto_type_of_field(f) {
                Some(ty) => columns.push(ColumnDef { name: f.name().clone(), ty, description: None }),
                None => unmapped.push((f.name().clone(), f.data_type().clone())),
            }
        }
        (TableDef { name: name.to_string(), columns, hidden: Vec::new(), origin }, unmapped)
    }
}

/// Table names to definitions (names are case-sensitive, as in Kusto).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    tables: BTreeMap<String, TableDef>,
}

impl Catalog {
    pub fn new() -> Self {
        Catalog::default()
    }

    /// The built-in catalog: the traffic-analytics tables as Log Analytics
    /// publishes them, and FlowTuples (raw flow-log tuples); see
    /// [`kql_types::schemas`].
    pub fn nta() -> Catalog {
        let mut catalog = Catalog::new();
        for t in kql_types::schemas::nta_tables() {
            catalog.insert(TableDef {
                name: t.name,
                columns: t.columns,
                hidden: t.hidden,
                origin: TableOrigin::Builtin,
            });
        }
        catalog
    }

    /// Adds or replaces a table.
    pub fn insert(&mut self, table: TableDef) {
        self.tables.insert(table.name.clone(), table);
    }

    pub fn get(&self, name: &str) -> Option<&TableDef> {
        self.tables.get(name)
    }

    pub fn tables(&self) -> impl Iterator<Item = &TableDef> {
        self.tables.values()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{DataType, Field, TimeUnit};
    use kql_types::ScalarType;

    #[test]
    fn builtin_nta_schemas() {
        let c = Catalog::nta();
        let net = c.get("NTANetAnalytics").unwrap();
        let ip = c.get("NTAIpDetails").unwrap();
        // Column counts of the table reference pages (NTANetAnalytics: the
        // 2026-07-27 page, 16 columns more than shared/docs/nta-schema.md).
        assert_eq!(net.columns.len(), 93);
        assert_eq!(ip.columns.len(), 19);
        let ty = |t: &TableDef, n: &str| t.columns.iter().find(|c| c.name == n).unwrap().ty;
        assert_eq!(ty(net, "FlowStartTime"), ScalarType::DateTime);
        assert_eq!(ty(net, "CompletedFlows"), ScalarType::Long);
        assert_eq!(ty(net, "DestPort"), ScalarType::Int);
        assert_eq!(ty(net, "SrcSubscription"), ScalarType::String);
        assert_eq!(ty(net, "IsFlowCapturedAtUdrHop"), ScalarType::Bool);
        assert_eq!(ty(ip, "Port"), ScalarType::Int);
        assert_eq!(net.columns[0].name, "AclGroup", "documented order is kept");
        assert!(c.get("ntanetanalytics").is_none(), "table names are case-sensitive");
        // FlowTuples: the 21 columns of issue 18, in that order.
        let flow = c.get("FlowTuples").unwrap();
        assert_eq!(
            flow.schema().to_string(),
            "(FlowTime:datetime, FlowLogKind:string, FlowLogVersion:int, FlowLogResourceId:string, \
             TargetResourceId:string, MacAddress:string, AclId:string, AclRule:string, SrcIp:string, \
             DestIp:string, SrcPort:int, DestPort:int, L4Protocol:string, FlowDirection:string, \
             FlowState:string, FlowStatus:string, FlowEncryption:string, PacketsSrcToDest:long, \
             BytesSrcToDest:long, PacketsDestToSrc:long, BytesDestToSrc:long)"
        );
    }

    #[test]
    fn the_traffic_analytics_table_family() {
        let c = Catalog::nta();
        let count = |t: &str| c.get(t).map(|d| d.columns.len());
        // Column counts of the table reference pages and the schema page.
        assert_eq!(count("NTATopologyDetails"), Some(119));
        assert_eq!(count("NTARuleRecommendation"), Some(30));
        assert_eq!(count("NTAInsights"), Some(25));
        assert_eq!(count("AzureNetworkAnalyticsIPDetails_CL"), Some(17));
        let ty = |t: &str, n: &str| c.get(t).unwrap().columns.iter().find(|col| col.name == n).unwrap().ty;
        assert_eq!(ty("NTATopologyDetails", "Priority"), ScalarType::Int);
        assert_eq!(ty("NTATopologyDetails", "IsFlowEnabled"), ScalarType::Bool);
        assert_eq!(ty("NTARuleRecommendation", "TotalFlowCount"), ScalarType::Int);
        assert_eq!(ty("NTAInsights", "AdScore"), ScalarType::Real);
        // The legacy tables' suffixes give the types.
        assert_eq!(ty("AzureNetworkAnalytics_CL", "SrcIP_s"), ScalarType::String);
        assert_eq!(ty("AzureNetworkAnalytics_CL", "FlowStartTime_t"), ScalarType::DateTime);
        assert_eq!(ty("AzureNetworkAnalytics_CL", "DestPort_d"), ScalarType::Real);
        // `_g`: "GUID (stored as a string)" (the HTTP Data Collector API page).
        assert_eq!(ty("AzureNetworkAnalytics_CL", "Subscription1_g"), ScalarType::String);
        assert_eq!(ty("AzureNetworkAnalytics_CL", "IsFlowCapturedAtUDRHop_b"), ScalarType::Bool);
        // Log Analytics' standard columns are on every table, the hidden
        // ones after the shown ones in a scan's schema.
        // (Not FlowTuples: ntaq's own table of raw tuples, not a Log Analytics one.)
        for t in c.tables().filter(|t| t.name != "FlowTuples") {
            for standard in ["TenantId", "TimeGenerated", "Type", "SourceSystem"] {
                assert!(t.columns.iter().any(|col| col.name == standard), "{}.{standard}", t.name);
            }
            let schema = t.schema();
            for hidden in ["_ItemId", "_ResourceId", "_SubscriptionId", "_TimeReceived"] {
                assert!(schema.get(hidden).is_some_and(|col| col.hidden), "{}.{hidden}", t.name);
            }
            assert_eq!(schema.visible().count(), t.columns.len());
        }
        assert!(!c.get("FlowTuples").unwrap().schema().has_hidden());
    }

    #[test]
    fn tables_from_arrow_schemas() {
        let schema = arrow_schema::Schema::new(vec![
            Field::new("Ip", DataType::Utf8, true),
            Field::new("T", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("Blob", DataType::Binary, true),
        ]);
        let (t, unmapped) = TableDef::from_arrow("X", &schema, TableOrigin::Files(vec!["x.parquet".into()]));
        assert_eq!(t.schema().to_string(), "(Ip:string, T:datetime)");
        assert_eq!(unmapped, vec![("Blob".to_string(), DataType::Binary)]);

        // ntaq's own files tag JSON and GUID text with their Kusto type.
        let tagged = |ty: &str, dt: DataType| {
            Field::new("c", dt, true)
                .with_metadata(std::collections::HashMap::from([("kusto.type".to_string(), ty.to_string())]))
        };
        let schema = arrow_schema::Schema::new(vec![
            tagged("dynamic", DataType::Utf8),
            tagged("guid", DataType::Utf8),
            tagged("dynamic", DataType::Int64),
            tagged("long", DataType::Utf8),
        ]);
        let (t, _) = TableDef::from_arrow("X", &schema, TableOrigin::Files(Vec::new()));
        let types: Vec<ScalarType> = t.columns.iter().map(|c| c.ty).collect();
        assert_eq!(types, [ScalarType::Dynamic, ScalarType::Guid, ScalarType::Long, ScalarType::String]);
    }
}
