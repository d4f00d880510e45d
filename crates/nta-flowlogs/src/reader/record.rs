//! One record of a blob, typed on its own from its raw JSON text: which
//! kind of flow log it is, and its tuples with the record's context.

use super::nsg::{self, NsgProperties};
use super::vnet::{self, VNetFlowRecords};
use crate::tuples::{FlowLogKind, RecordContext, Tuple};
use serde::Deserialize;
use std::borrow::Cow;

const NSG_CATEGORY: &str = "NetworkSecurityGroupFlowEvent";
const VNET_CATEGORY: &str = "FlowLogFlowEvent";

/// The properties of either kind of record (unknown ones are ignored).
#[derive(Deserialize)]
struct RawRecord<'a> {
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    // NSG
    #[serde(borrow, rename = "resourceId", alias = "resourceid", alias = "resourceID", alias = "ResourceId", default)]
    resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<NsgProperties<'a>>,
    // VNet
    #[serde(rename = "flowLogVersion", default)]
    flow_log_version: Option<i32>,
    #[serde(borrow, rename = "macAddress", default)]
    mac_address: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "flowLogResourceID", alias = "flowLogResourceId", default)]
    flow_log_resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "targetResourceID", alias = "targetResourceId", default)]
    target_resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "flowRecords", default)]
    flow_records: Option<VNetFlowRecords<'a>>,
}

/// Just enough of a record to tell whether the file holds flow logs.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    #[serde(default)]
    properties: Option<serde_json::Value>,
    #[serde(rename = "flowRecords", default)]
    flow_records: Option<serde_json::Value>,
}

/// Whether a record (the first of a file) is a flow-log record, by its
/// category or, without one, by its structure.
pub(crate) fn recognise(raw: &str) -> Option<FlowLogKind> {
    let probe: Probe<'_> = serde_json::from_str(raw).ok()?;
    match probe.category.as_deref() {
        Some(NSG_CATEGORY) => Some(FlowLogKind::Nsg),
        Some(VNET_CATEGORY) => Some(FlowLogKind::VNet),
        Some(_) => None,
        None => {
            if probe.properties.as_ref().and_then(|p| p.get("flows")).is_some_and(|f| f.is_array()) {
                Some(FlowLogKind::Nsg)
            } else if probe.flow_records.as_ref().and_then(|p| p.get("flows")).is_some_and(|f| f.is_array()) {
                Some(FlowLogKind::VNet)
            } else {
                None
            }
        }
    }
}

/// Hands every tuple of the record in `raw` to `emit`. Checks the whole
/// record before emitting anything, so a bad record adds no rows.
pub(crate) fn tuples(raw: &str, emit: &mut dyn FnMut(&RecordContext<'_>, &Tuple<'_>)) -> Result<u64, String> {
    let rec: RawRecord<'_> = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    let kind = match rec.category.as_deref() {
        Some(NSG_CATEGORY) => FlowLogKind::Nsg,
        Some(VNET_CATEGORY) => FlowLogKind::VNet,
        Some(other) => return Err(format!("category `{other}` is not a flow-log category")),
        None if rec.properties.is_some() => FlowLogKind::Nsg,
        None if rec.flow_records.is_some() => FlowLogKind::VNet,
        None => return Err("neither properties.flows (NSG) nor flowRecords (VNet)".into()),
    };
    let mut rows: Vec<(RecordContext<'_>, Tuple<'_>)> = Vec::new();
    match kind {
        FlowLogKind::Nsg => {
            let props = rec.properties.as_ref().ok_or("an NSG flow-log record without properties.flows")?;
            let resource = rec.resource_id.as_deref().unwrap_or("");
            for group in &props.flows {
                for flows in &group.flows {
                    let mac = flows.mac.as_deref().or(rec.mac_address.as_deref()).unwrap_or("");
                    for text in &flows.flow_tuples {
                        let (t, shape) = nsg::tuple(text)?;
                        let version = props.version.unwrap_or(shape);
                        if (version >= 2) != (shape == 2) {
                            return Err(format!("tuple `{text}` is version {shape} in a version {version} record"));
                        }
                        let ctx = RecordContext {
                            kind,
                            version,
                            flow_log_resource_id: resource,
                            target_resource_id: resource,
                            mac,
                            acl_id: "",
                            rule: &group.rule,
                        };
                        rows.push((ctx, t));
                    }
                }
            }
        }
        FlowLogKind::VNet => {
            let records = rec.flow_records.as_ref().ok_or("a VNet flow-log record without flowRecords.flows")?;
            for acl in &records.flows {
                for group in &acl.flow_groups {
                    for text in &group.flow_tuples {
                        let ctx = RecordContext {
                            kind,
                            version: rec.flow_log_version.unwrap_or(0),
                            flow_log_resource_id: rec.flow_log_resource_id.as_deref().unwrap_or(""),
                            target_resource_id: rec.target_resource_id.as_deref().unwrap_or(""),
                            mac: rec.mac_address.as_deref().unwrap_or(""),
                            acl_id: &acl.acl_id,
                            rule: &group.rule,
                        };
                        rows.push((ctx, vnet::tuple(text)?));
                    }
                }
            }
        }
    }
    for (ctx, t) in &rows {
        emit(ctx, t);
    }
    Ok(rows.len() as u64)
}
