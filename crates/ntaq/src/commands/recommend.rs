//! `ntaq recommend`: least-privilege NSG allow rules from the observed
//! flows (nta-recommend), read from NTANetAnalytics with an internal query
//! run by the same session and executor as `ntaq run`.

use crate::cli::{RecommendArgs, exit};
use crate::diagnostic::Diag;
use crate::params::ParamValues;
use crate::session::Session;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampNanosecondType};
use arrow_array::{Array, RecordBatch};
use nta_azure::{ServiceTags, Topology};
use nta_recommend::{Inputs, NtaRow, ObservedFlow, Options, Skip, Window};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The columns the recommender reads (docs/recommend.md lists them).
pub const FLOWS_QUERY: &str = "NTANetAnalytics
| project SrcIp, DestIp, SrcPublicIps, DestPublicIps, DestPort = tolong(DestPort), L4Protocol,
    FlowDirection, FlowStatus, AclGroup, AclRule,
    AllowedInFlows = tolong(AllowedInFlows), AllowedOutFlows = tolong(AllowedOutFlows),
    DeniedInFlows = tolong(DeniedInFlows), DeniedOutFlows = tolong(DeniedOutFlows),
    FlowStartTime, TimeGenerated";

fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!("ntaq: {msg}");
    exit::USAGE
}

fn error_text(d: impl miette::Diagnostic + crate::diagnostic::Classify + Send + Sync + 'static) -> String {
    super::error_text(&Diag::new(d))
}

pub fn run(args: &RecommendArgs) -> u8 {
    let window = match args.window.as_deref().map(Window::parse).transpose() {
        Ok(w) => w,
        Err(e) => return usage(error_text(e)),
    };
    let config = match crate::config::Config::load() {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let inputs = &args.data.flow;
    let flow = inputs.flow_log_args();
    let loading =
        super::Loading { quiet: args.quiet, sample_note: true, missing_columns: false, progress: !args.quiet };
    let mut session = match super::load_session(&args.data.sources, args.data.lenient, &flow, &config, &loading) {
        Ok((session, _)) => session,
        Err(msg) => return usage(msg),
    };
    if !flow.flow_logs().is_empty() {
        match crate::flowlogs::derive_if_needed(&mut session, FLOWS_QUERY) {
            Ok(notes) => loading.print(notes),
            Err(d) => return usage(super::error_text(&d)),
        }
    }

    // Topology and NSG exports are the same kind of input (az … list -o json).
    let mut paths = inputs.nsg.clone();
    paths.extend(inputs.azure.topology.iter().cloned());
    let topology = match Topology::load(&paths) {
        Ok(t) => t,
        Err(e) => return usage(error_text(e)),
    };
    if !inputs.nsg.is_empty() && topology.nsgs.is_empty() {
        return usage("--nsg: no network security group found (expected the output of `az network nsg list -o json`)");
    }
    let service_tags = match &inputs.azure.service_tags {
        Some(p) => match ServiceTags::load(p) {
            Ok(t) => Some(Arc::new(t)),
            Err(e) => return usage(error_text(e)),
        },
        None => None,
    };

    let (flows, skipped) = match read_flows(&session) {
        Ok(x) => x,
        Err(status) => return status,
    };
    if !args.quiet {
        for (why, n) in &skipped {
            if *why != Skip::NotAFlow {
                eprintln!("note: {n} NTANetAnalytics rows skipped: {}", why.describe());
            }
        }
    }
    let inputs = Inputs { flows, topology, service_tags };
    let opts = Options { aggregate: args.aggregate.into(), min_flows: args.min_flows, window };
    let report = match nta_recommend::recommend(&inputs, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ntaq: {}", error_text(e));
            return exit::ERRORS;
        }
    };
    let text = nta_recommend::render(&report, args.format.into());
    let dest = match &args.output {
        Some(p) => kql_io::Destination::file(p),
        None => kql_io::Destination::stdout(),
    };
    match kql_io::output::write_bytes(dest, text.as_bytes()) {
        Ok(_) => {}
        Err(e) if e.is_broken_pipe() => return exit::OK,
        Err(e) => return usage(error_text(e)),
    }
    if !args.quiet {
        let rules: usize = report.nsgs.iter().map(|n| n.rules.len()).sum();
        let target = args.output.as_ref().map(|p| format!(" written to {}", p.display())).unwrap_or_default();
        eprintln!(
            "{rules} rules for {} NSG(s){target}; {} flows blocked by the default-deny replay, {} pairs allowed only by default or broad rules, {} unused rules",
            report.nsgs.len(),
            report.blocked.iter().map(|p| p.flows).sum::<u64>(),
            report.default_only.len(),
            report.unused.len()
        );
    }
    exit::OK
}

/// The text of row `i`, empty when null.
fn s(a: &arrow_array::StringArray, i: usize) -> &str {
    if a.is_null(i) { "" } else { a.value(i) }
}

/// Runs [`FLOWS_QUERY`] and reads its rows; the counts of rows skipped, by reason.
fn read_flows(session: &Session) -> Result<(Vec<ObservedFlow>, BTreeMap<Skip, u64>), u8> {
    let prepared = session.prepare(FLOWS_QUERY, &ParamValues::default());
    if prepared.blocked() {
        for d in &prepared.diagnostics {
            eprint!("{}", d.render("<recommend query>", &prepared.original, super::stderr_color()));
        }
        // Unsupported KQL cannot be the reason (the query is ntaq's own).
        let io = prepared.diagnostics.iter().any(|d| d.status() == exit::USAGE);
        return Err(if io { exit::USAGE } else { exit::ERRORS });
    }
    let batches: Vec<RecordBatch> = match session.collect(&prepared, &crate::execute::Execution::at(0)) {
        Ok(results) => results.into_iter().next().map(|r| r.batches).unwrap_or_default(),
        Err(e) => {
            eprintln!("ntaq: reading NTANetAnalytics: {e}");
            return Err(exit::ERRORS);
        }
    };
    let mut flows = Vec::new();
    let mut skipped: BTreeMap<Skip, u64> = BTreeMap::new();
    for b in &batches {
        let text = |name: &str| b.column_by_name(name).and_then(|c| c.as_string_opt::<i32>().cloned());
        let long = |name: &str| b.column_by_name(name).and_then(|c| c.as_primitive_opt::<Int64Type>().cloned());
        let time =
            |name: &str| b.column_by_name(name).and_then(|c| c.as_primitive_opt::<TimestampNanosecondType>().cloned());
        let (Some(src), Some(dst), Some(spub), Some(dpub), Some(l4), Some(dir), Some(status), Some(group), Some(rule)) = (
            text("SrcIp"),
            text("DestIp"),
            text("SrcPublicIps"),
            text("DestPublicIps"),
            text("L4Protocol"),
            text("FlowDirection"),
            text("FlowStatus"),
            text("AclGroup"),
            text("AclRule"),
        ) else {
            eprintln!("ntaq: internal error: the recommend query's columns are not text");
            return Err(exit::ERRORS);
        };
        let counts = ["AllowedInFlows", "AllowedOutFlows", "DeniedInFlows", "DeniedOutFlows"].map(long);
        let (port, start, generated) = (long("DestPort"), time("FlowStartTime"), time("TimeGenerated"));
        for i in 0..b.num_rows() {
            let at = |a: &Option<arrow_array::PrimitiveArray<Int64Type>>| {
                a.as_ref().filter(|a| !a.is_null(i)).map(|a| a.value(i))
            };
            let when = |a: &Option<arrow_array::TimestampNanosecondArray>| {
                a.as_ref().filter(|a| !a.is_null(i)).map(|a| a.value(i))
            };
            let row = NtaRow {
                src_ip: s(&src, i),
                dest_ip: s(&dst, i),
                src_public_ips: s(&spub, i),
                dest_public_ips: s(&dpub, i),
                dest_port: at(&port),
                l4_protocol: s(&l4, i),
                flow_direction: s(&dir, i),
                flow_status: s(&status, i),
                acl_group: s(&group, i),
                acl_rule: s(&rule, i),
                flows: counts.iter().filter_map(at).sum(),
                time: when(&start).or_else(|| when(&generated)),
            };
            match row.flows() {
                Ok(f) => flows.extend(f),
                Err(why) => *skipped.entry(why).or_default() += 1,
            }
        }
    }
    Ok((flows, skipped))
}
