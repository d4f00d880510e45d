//! `mv-apply`: a sub-query per input row over the row's expanded items.

use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::plan::{MV_APPLY_TABLE, Node, Plan};
use crate::schema::{Column, Schema};
use kql_syntax::ast;

impl Binder<'_> {
    /// The mv-apply page: the items expand as in mv-expand (same options:
    /// `with_itemindex=`, `kind=`/`bagexpansion=`, `to typeof()`, `limit`);
    /// the sub-query runs over the row's sub-table, which is what
    /// mv-expand makes of the row: the expanded items, the index and the
    /// row's other columns (Kusto.Language's TreeBinder binds the
    /// sub-query with the mv-apply's own schema in scope, the input's
    /// columns included); its output gets the input's columns that were not
    /// expanded in front, a sub-query column replacing (in place) an input
    /// column of the same name.
    pub(crate) fn mv_apply(&mut self, input: Plan, m: &ast::MvApply) -> Plan {
        let spec = ast::MvExpand { params: m.params.clone(), items: m.items.clone(), limit: m.limit.clone() };
        let expand = self.mv_expand(input, &spec);
        let Node::MvExpand { columns, item_index, .. } = &expand.node else {
            return unknown_plan();
        };
        let expanded: Vec<&String> = columns.iter().chain(item_index.iter()).collect();
        let keep: Vec<String> =
            expand.schema.columns.iter().filter(|c| !expanded.contains(&&c.name)).map(|c| c.name.clone()).collect();
        let items: Vec<String> = expand.schema.columns.iter().map(|c| c.name.clone()).collect();
        let mut sub = Plan { node: Node::Scan { table: MV_APPLY_TABLE.to_string() }, schema: expand.schema.clone() };
        for op in &m.subquery {
            let next = self.operator(sub, op);
            sub = match self.depth_checked(next, op.span) {
                Some(p) => p,
                None => return unknown_plan(),
            };
        }
        let mut keep = keep;
        let mut out: Vec<Column> = keep.iter().filter_map(|n| expand.schema.get(n).cloned()).collect();
        let mut from_sub: Vec<&str> = Vec::new();
        for c in &sub.schema.columns {
            if from_sub.contains(&c.name.as_str()) {
                let span = m.subquery.last().map_or_else(Default::default, |o| o.span);
                self.report(SemanticError::DuplicateColumn { name: c.name.clone(), span });
                return unknown_plan();
            }
            from_sub.push(&c.name);
            // A sub-query column named like an input column takes its place
            // (Kusto.Language's mv-apply binding adds the sub-query's
            // columns with `replace: true`), as a Sentinel parser relies on:
            // `mv-apply Ips = L on (... | summarize L = make_list(Ips))`.
            match out.iter().position(|o| o.name == c.name) {
                Some(i) => {
                    keep.retain(|k| *k != c.name);
                    out[i] = c.clone();
                }
                None => out.push(c.clone()),
            }
        }
        let open = expand.schema.open || sub.schema.open;
        Plan {
            node: Node::MvApply { expand: Box::new(expand), items, keep, sub: Box::new(sub) },
            schema: Schema { columns: out, open },
        }
    }
}
