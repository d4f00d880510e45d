//! A grammar-aware generator of KQL: tabular expressions over the NTA
//! tables, `datatable`, `print`, `let`s and sub-queries, piped through the
//! operators ntaq implements, with typed expressions over the columns in
//! scope. It tracks each step's output schema, so most queries it writes
//! check clean and reach the executor; a few "wild" choices (a random
//! function, a wrong type, an unknown name) exercise the checker's errors.
//!
//! The generator is driven by a list of numbers (its choices) rather than a
//! random source, so proptest shrinks a failing query by shrinking the list:
//! choice 0 is always the simplest option, and a list that runs out reads
//! as zeros, so every query ends.

use kql_plan::Catalog;
use kql_syntax::ScalarType;

/// The choices that drive one generated query.
pub struct Choices<'a> {
    data: &'a [u32],
    pos: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u32]) -> Self {
        Choices { data, pos: 0 }
    }

    /// A number below `n` (0 once the choices run out).
    fn pick(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 { 0 } else { v as usize % n }
    }

    /// True about `percent` times in a hundred (false once the choices run out).
    fn chance(&mut self, percent: usize) -> bool {
        let v = self.data.get(self.pos).copied();
        self.pos += 1;
        v.is_some_and(|v| (v as usize % 100) < percent)
    }

    fn one<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.pick(items.len())]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.pick(items.len())]
    }
}

/// The Kusto types the generator writes expressions of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Long,
    /// A 32-bit int column (NTA tables and datatables have them): it reads
    /// as a long in expressions, but a union keeps it apart from one.
    Int,
    Real,
    Str,
    Bool,
    Date,
    Span,
    Dyn,
}

const TYPES: [Ty; 7] = [Ty::Long, Ty::Str, Ty::Real, Ty::Bool, Ty::Date, Ty::Span, Ty::Dyn];

impl Ty {
    fn of(t: ScalarType) -> Option<Ty> {
        Some(match t {
            ScalarType::Int => Ty::Int,
            ScalarType::Long => Ty::Long,
            ScalarType::Real => Ty::Real,
            ScalarType::String => Ty::Str,
            ScalarType::Bool => Ty::Bool,
            ScalarType::DateTime => Ty::Date,
            ScalarType::Timespan => Ty::Span,
            ScalarType::Dynamic => Ty::Dyn,
            ScalarType::Decimal | ScalarType::Guid => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Ty::Long => "long",
            Ty::Int => "int",
            Ty::Real => "real",
            Ty::Str => "string",
            Ty::Bool => "bool",
            Ty::Date => "datetime",
            Ty::Span => "timespan",
            Ty::Dyn => "dynamic",
        }
    }
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    ty: Ty,
}

/// The columns in scope after a step (those the generator knows the type of).
type Schema = Vec<Col>;

/// Generates query texts; `catalog` gives the NTA tables' columns.
pub struct Generator<'a, 'c> {
    c: Choices<'a>,
    catalog: &'c Catalog,
    /// Fresh names: n1, n2, …
    fresh: usize,
    /// `let` statements written so far (they precede the query).
    lets: Vec<String>,
}

/// Deepest nesting of expressions and sub-queries the generator writes.
const MAX_EXPR_DEPTH: usize = 4;
const MAX_QUERY_DEPTH: usize = 2;

impl<'a, 'c> Generator<'a, 'c> {
    pub fn new(choices: &'a [u32], catalog: &'c Catalog) -> Self {
        Generator { c: Choices::new(choices), catalog, fresh: 0, lets: Vec::new() }
    }

    /// A whole query text: `let`s, then one tabular expression.
    pub fn query(mut self) -> String {
        let (body, _) = self.tabular(0);
        self.after_lets(&body)
    }

    /// `body` after the `let` statements written so far.
    fn after_lets(&self, body: &str) -> String {
        let mut text = String::new();
        for l in &self.lets {
            text.push_str(l);
            text.push('\n');
        }
        text.push_str(body);
        text
    }

    /// The operators of issue 14's last round, after a generated source:
    /// `top-nested`, `evaluate bag_unpack` (with an output schema) and
    /// `search Column:"term"`, then maybe one more operator. They have a
    /// generator of their own so that adding them does not change what the
    /// main grammar draws.
    pub fn newer_operators(mut self) -> String {
        let (mut body, schema) = if self.c.chance(50) { self.datatable() } else { self.table("NTAIpDetails") };
        let (op, schema) = match self.c.pick(3) {
            0 => self.top_nested(&schema),
            1 => self.bag_unpack(&schema),
            _ => match self.column(&schema, Ty::Str) {
                Some(c) => {
                    let term = *self.c.one(&["a", "10.0", "*ow*", "in*", "*ic", "x*y", ""]);
                    (format!("search {c}:\"{term}\" or \"{term}\""), schema)
                }
                None => self.top_nested(&schema),
            },
        };
        body.push_str(&format!("\n| {op}"));
        if self.c.chance(50) {
            let (next, _) = self.operator(&schema, MAX_QUERY_DEPTH);
            body.push_str(&format!("\n| {next}"));
        }
        self.after_lets(&body)
    }

    /// `evaluate pivot` (with an output schema: without one its columns
    /// depend on the data) or `evaluate ipv4_lookup` of a string column,
    /// after a generated source, then maybe one more operator. A generator
    /// of their own, so that adding them does not change what the others
    /// draw.
    pub fn plugins(mut self) -> String {
        let (mut body, schema) = if self.c.chance(50) { self.datatable() } else { self.table("NTAIpDetails") };
        let (op, schema) = if self.c.chance(50) { self.pivot(&schema) } else { self.ipv4_lookup(&schema) };
        body.push_str(&format!("\n| {op}"));
        if self.c.chance(50) {
            let (next, _) = self.operator(&schema, MAX_QUERY_DEPTH);
            body.push_str(&format!("\n| {next}"));
        }
        self.after_lets(&body)
    }

    /// `evaluate pivot(S [, count()|sum(N)|dcount(C)], G) : (G:type, v:long)`
    /// of a string column `S`.
    fn pivot(&mut self, schema: &[Col]) -> (String, Schema) {
        let Some(pivot) = self.column(schema, Ty::Str) else {
            return self.ipv4_lookup(schema);
        };
        let aggregation = match self.c.pick(4) {
            0 => None,
            1 => Some("count()".to_string()),
            2 => self.column(schema, Ty::Long).or_else(|| self.column(schema, Ty::Real)).map(|n| format!("sum({n})")),
            _ => self.column(schema, Ty::Str).map(|c| format!("dcount({c})")),
        };
        let groups: Vec<Col> = schema
            .iter()
            .filter(|c| quote_name(&c.name) == c.name && c.name != pivot && c.ty != Ty::Dyn)
            .cloned()
            .collect();
        // Without a named group column every other column groups, and the
        // output schema would have to list them all.
        if groups.is_empty() {
            return self.ipv4_lookup(schema);
        }
        let group = Some(groups[self.c.pick(groups.len())].clone());
        let value = self.fresh();
        let mut args = vec![pivot];
        args.extend(aggregation);
        let mut declared = Vec::new();
        let mut out = Vec::new();
        if let Some(g) = group {
            args.push(g.name.clone());
            declared.push(format!("{}:{}", g.name, g.ty.name()));
            out.push(g);
        }
        declared.push(format!("{value}:long"));
        out.push(Col { name: value, ty: Ty::Long });
        (format!("evaluate pivot({}) : ({})", args.join(", "), declared.join(", ")), out)
    }

    /// `evaluate ipv4_lookup(datatable(…)[…], S, Net [, return_unmatched = true])`
    /// of a string column `S`.
    fn ipv4_lookup(&mut self, schema: &[Col]) -> (String, Schema) {
        let Some(source) = self.column(schema, Ty::Str) else {
            return self.mv_expand(schema);
        };
        let (net, tag) = (self.fresh(), self.fresh());
        let ranges =
            *self.c.one(&[r#""10.0.0.0/8", 1, "0.0.0.0/0", 2"#, r#""192.0.2.0/24", 1, "198.51.100.7", 2, "x", 3"#, ""]);
        let unmatched = if self.c.chance(50) { ", return_unmatched = true" } else { "" };
        let mut out: Schema = schema.to_vec();
        out.push(Col { name: net.clone(), ty: Ty::Str });
        out.push(Col { name: tag.clone(), ty: Ty::Long });
        (
            format!("evaluate ipv4_lookup(datatable({net}:string, {tag}:long)[{ranges}], {source}, {net}{unmatched})"),
            out,
        )
    }

    /// A `summarize` by keys computed from string and bool columns, with
    /// aggregations that combine exactly — what eager aggregation splits:
    /// `T | where … | extend n1 = f(strings) | summarize … by n1, …`.
    pub fn computed_key_summary(mut self) -> String {
        let table = *self.c.one(&["NTANetAnalytics", "NTAIpDetails"]);
        let (mut body, schema) = self.table(table);
        if self.c.chance(50) {
            body.push_str(&format!("\n| where {}", self.expr(Ty::Bool, &schema, 2)));
        }
        let raw: Schema = schema.iter().filter(|c| matches!(c.ty, Ty::Str | Ty::Bool)).cloned().collect();
        let mut keys = Vec::new();
        let mut by = Vec::new();
        for _ in 0..1 + self.c.pick(3) {
            let name = self.fresh();
            let ty = if self.c.chance(25) { Ty::Bool } else { Ty::Str };
            keys.push(format!("{name} = {}", self.expr(ty, &raw, 1)));
            by.push(name);
        }
        if self.c.chance(50)
            && let Some(c) = self.column(&raw, Ty::Str)
        {
            by.push(c);
        }
        body.push_str(&format!("\n| extend {}", keys.join(", ")));
        let mut aggs = Vec::new();
        for _ in 0..1 + self.c.pick(3) {
            let name = self.fresh();
            let agg = match self.c.pick(6) {
                0 => "count()".to_string(),
                1 => format!("sum({})", self.expr(Ty::Long, &schema, 2)),
                2 => format!("countif({})", self.expr(Ty::Bool, &schema, 2)),
                3 => format!("sumif({}, {})", self.expr(Ty::Long, &schema, 2), self.expr(Ty::Bool, &schema, 2)),
                4 => {
                    let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Date, Ty::Real]);
                    let f = *self.c.one(&["min", "max"]);
                    format!("{f}({})", self.expr(ty, &schema, 2))
                }
                _ => {
                    let ty = *self.c.one(&[Ty::Long, Ty::Date]);
                    let f = *self.c.one(&["minif", "maxif"]);
                    format!("{f}({}, {})", self.expr(ty, &schema, 2), self.expr(Ty::Bool, &schema, 2))
                }
            };
            aggs.push(format!("{name} = {agg}"));
        }
        body.push_str(&format!("\n| summarize {} by {}", aggs.join(", "), by.join(", ")));
        self.after_lets(&body)
    }

    fn fresh(&mut self) -> String {
        self.fresh += 1;
        format!("n{}", self.fresh)
    }

    // ---- tabular expressions ------------------------------------------

    fn tabular(&mut self, depth: usize) -> (String, Schema) {
        let (mut text, mut schema) = self.source(depth);
        let steps = self.c.pick(if depth == 0 { 7 } else { 4 });
        for _ in 0..steps {
            let (op, out) = self.operator(&schema, depth);
            text.push_str("\n| ");
            text.push_str(&op);
            schema = out;
        }
        (text, schema)
    }

    fn source(&mut self, depth: usize) -> (String, Schema) {
        let choice = if depth >= MAX_QUERY_DEPTH { self.c.pick(4) } else { self.c.pick(7) };
        match choice {
            0 => self.datatable(),
            1 => self.table("NTAIpDetails"),
            2 => self.table("NTANetAnalytics"),
            3 => self.print(),
            4 => {
                // A tabular let, used once or twice (shared by the executor).
                let name = format!("L{}", self.lets.len() + 1);
                let (body, schema) = self.tabular(depth + 1);
                match self.c.pick(4) {
                    // A tabular function without parameters, called or named.
                    0 => {
                        self.lets.push(format!("let {name} = (n:long = 1) {{ {body} }};"));
                        let call = if self.c.chance(50) { format!("{name}()") } else { format!("{name}(n = 2)") };
                        return (call, schema);
                    }
                    // A function of a table, invoked.
                    1 => {
                        self.lets.push(format!("let {name} = (T:(*), n:long) {{ T | take n }};"));
                        let n = self.c.pick(3);
                        return (format!("({body})\n| invoke {name}({n})"), schema);
                    }
                    _ => {}
                }
                self.lets.push(format!("let {name} = {body};"));
                if self.c.chance(40) {
                    let kind = if self.c.chance(50) { "kind=inner " } else { "" };
                    (format!("union {kind}{name}, {name}"), schema)
                } else {
                    (name, schema)
                }
            }
            5 => {
                let (a, sa) = self.tabular(depth + 1);
                let (b, sb) = self.tabular(depth + 1);
                (format!("union ({a}), ({b})"), union_schema(&sa, &sb))
            }
            _ if self.c.chance(30) => {
                // A declared query parameter with a default.
                let name = format!("p{}", self.lets.len() + 1);
                let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Date, Ty::Span, Ty::Real, Ty::Bool]);
                let value = self.constant(ty);
                self.lets.push(format!("declare query_parameters({name}:{} = {value});", ty.name()));
                (format!("print {name}"), vec![Col { name: name.clone(), ty }])
            }
            _ => {
                // A scalar let used in the query.
                let name = format!("s{}", self.lets.len() + 1);
                let ty = *self.c.one(&TYPES);
                let value = self.expr(ty, &[], 1);
                if self.c.chance(30) {
                    // A scalar function of one parameter, called with it.
                    let f = format!("f{}", self.lets.len() + 1);
                    self.lets.push(format!("let {f} = (x:{}) {{ x }};", ty.name()));
                    self.lets.push(format!("let {name} = {f}(x = {value});"));
                    return (format!("print {name}"), vec![Col { name: name.clone(), ty }]);
                }
                self.lets.push(format!("let {name} = {value};"));
                (format!("print {name}"), vec![Col { name: name.clone(), ty }])
            }
        }
    }

    fn table(&mut self, name: &str) -> (String, Schema) {
        let def = self.catalog.get(name).unwrap_or_else(|| panic!("catalog has no {name}"));
        let schema = def.columns.iter().filter_map(|c| Some(Col { name: c.name.clone(), ty: Ty::of(c.ty)? })).collect();
        (name.to_string(), schema)
    }

    fn datatable(&mut self) -> (String, Schema) {
        let n = 1 + self.c.pick(4);
        let mut schema = Vec::new();
        for k in 0..n {
            let ty = match k {
                0 if self.c.chance(30) => Ty::Int,
                0 => Ty::Long,
                _ => *self.c.one(&[Ty::Long, Ty::Int, Ty::Str, Ty::Real, Ty::Bool, Ty::Date, Ty::Span, Ty::Dyn]),
            };
            schema.push(Col { name: ["a", "b", "c", "d"][k].to_string(), ty });
        }
        let rows = self.c.pick(6);
        let mut values = Vec::new();
        for _ in 0..rows {
            for col in &schema {
                values.push(self.constant(col.ty));
            }
        }
        let decl: Vec<String> = schema.iter().map(|c| format!("{}:{}", c.name, c.ty.name())).collect();
        (format!("datatable({})[{}]", decl.join(", "), values.join(", ")), schema)
    }

    fn print(&mut self) -> (String, Schema) {
        let n = 1 + self.c.pick(3);
        let mut items = Vec::new();
        let mut schema = Vec::new();
        for _ in 0..n {
            let ty = *self.c.one(&TYPES);
            let name = self.fresh();
            items.push(format!("{name} = {}", self.expr(ty, &[], 0)));
            schema.push(Col { name, ty });
        }
        (format!("print {}", items.join(", ")), schema)
    }

    /// One operator applied to `schema`: its text and output schema.
    fn operator(&mut self, schema: &[Col], depth: usize) -> (String, Schema) {
        // pick(n) is below n: 24 reaches every arm, 21 (window functions),
        // 22 (sample) and 23 (as) included, and 20 the union arm (`_`).
        let n = if depth >= MAX_QUERY_DEPTH { 14 } else { 24 };
        match self.c.pick(n) {
            0 => (format!("take {}", self.count()), schema.to_vec()),
            1 => (format!("where {}", self.expr(Ty::Bool, schema, 0)), schema.to_vec()),
            2 => self.extend(schema),
            3 => self.project(schema),
            4 => self.project_away(schema),
            5 => self.summarize(schema),
            6 => self.sort(schema),
            7 => self.top(schema),
            8 => self.distinct(schema),
            9 => self.mv_expand(schema),
            10 => ("count".into(), vec![Col { name: "Count".into(), ty: Ty::Long }]),
            11 => self.project_rename(schema),
            12 => (format!("limit {}", self.count()), schema.to_vec()),
            13 if self.c.chance(30) => {
                // Every column at once: `* has "x"` and `search`.
                let term = *self.c.one(&["a", "10.0", "Allowed", "*ow*", "in*", "*ic", "x*y", ""]);
                let op = *self.c.one(&["has", "contains", "!has", "startswith", "=~", "has_cs"]);
                match self.c.pick(3) {
                    0 => (format!("where * {op} \"{term}\""), schema.to_vec()),
                    1 => (format!("search \"{term}\""), schema.to_vec()),
                    _ => (format!("search kind=case_sensitive \"{term}\" or * {op} \"{term}\""), schema.to_vec()),
                }
            }
            13 => (format!("where {}", self.wild(schema)), schema.to_vec()),
            14 | 15 => self.join(schema, depth),
            16 => self.lookup(schema, depth),
            17 => self.project_keep(schema),
            18 => self.arg_max(schema),
            19 => (format!("render {}", self.c.word(&["table", "barchart", "timechart", "piechart"])), schema.to_vec()),
            21 => self.window(schema),
            22 => self.sample(schema),
            23 => {
                let name = self.fresh();
                (
                    format!("as {}{name}", if self.c.chance(30) { "hint.materialized=true " } else { "" }),
                    schema.to_vec(),
                )
            }
            _ => {
                let (b, sb) = self.tabular(depth + 1);
                let kind = if self.c.chance(30) { "kind=inner " } else { "" };
                let mut out = if kind.is_empty() { union_schema(schema, &sb) } else { Vec::new() };
                let mut params = kind.to_string();
                if self.c.chance(20) {
                    let src = self.fresh();
                    params.push_str(&format!("withsource={src} "));
                    out.insert(0, Col { name: src, ty: Ty::Str });
                }
                if self.c.chance(15) {
                    // A leg that does not resolve: left out with a warning.
                    return (format!("union {params}isfuzzy=true ({b}), NoSuchTable"), out);
                }
                (format!("union {params}({b})"), out)
            }
        }
    }

    /// `serialize` (or `sort by`, or nothing: then Kusto's engine error)
    /// and a window function over it.
    fn window(&mut self, schema: &[Col]) -> (String, Schema) {
        let lead = match self.c.pick(4) {
            0 => "serialize | ".to_string(),
            1 => match self.any_column(schema) {
                Some(c) => format!("sort by {} asc | ", quote_name(&c.name)),
                None => String::new(),
            },
            2 => String::new(),
            _ => "serialize ".to_string(),
        };
        let name = self.fresh();
        let (call, ty) = match (self.c.pick(5), self.column(schema, Ty::Long), self.any_column(schema)) {
            (0, Some(c), _) => (format!("row_cumsum({c}{})", if self.c.chance(30) { ", true" } else { "" }), Ty::Long),
            (1, _, Some(c)) => (format!("prev({}, {})", quote_name(&c.name), self.c.pick(3)), c.ty),
            (2, _, Some(c)) => (format!("next({})", quote_name(&c.name)), c.ty),
            (3, _, Some(c)) => (format!("row_rank_dense({})", quote_name(&c.name)), Ty::Long),
            _ => (format!("row_number({})", self.c.word(&["", "0", "5, true", "1, false"])), Ty::Long),
        };
        let mut out = schema.to_vec();
        out.push(Col { name: name.clone(), ty });
        let op = if lead.ends_with("serialize ") { lead } else { format!("{lead}extend ") };
        (format!("{op}{name} = {call}"), out)
    }

    /// `top-nested` with one to three clauses over distinct, non-dynamic
    /// columns, sometimes `with others`, named aggregations.
    fn top_nested(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut clauses = Vec::new();
        let mut out: Schema = Vec::new();
        for _ in 0..1 + self.c.pick(3) {
            let Some(c) = self.any_column(schema) else { break };
            if c.ty == Ty::Dyn || out.iter().any(|o| o.name == c.name) {
                continue;
            }
            let n = if self.c.chance(20) { String::new() } else { format!("{} ", self.c.pick(4)) };
            let others = match c.ty {
                Ty::Str if self.c.chance(40) => " with others = \"Other\"".to_string(),
                Ty::Long if self.c.chance(30) => " with others = -1".to_string(),
                _ => String::new(),
            };
            let name = self.fresh();
            let (agg, ty) = match self.column(schema, Ty::Long) {
                Some(l) if self.c.chance(50) => (format!("sum({l})"), Ty::Long),
                _ if self.c.chance(30) => ("count() * 2 + 1".to_string(), Ty::Long),
                _ => ("count()".to_string(), Ty::Long),
            };
            let order = self.c.word(&["", " asc", " desc"]);
            clauses.push(format!("top-nested {n}of {}{others} by {name} = {agg}{order}", quote_name(&c.name)));
            out.push(c);
            out.push(Col { name, ty });
        }
        if clauses.is_empty() {
            return ("count".into(), vec![Col { name: "Count".into(), ty: Ty::Long }]);
        }
        (clauses.join(", "), out)
    }

    /// `evaluate bag_unpack` of a dynamic column, with an output schema
    /// (without one the columns depend on the data).
    fn bag_unpack(&mut self, schema: &[Col]) -> (String, Schema) {
        let Some(d) = schema.iter().find(|c| c.ty == Ty::Dyn).cloned() else {
            return self.mv_expand(schema);
        };
        let name = self.fresh();
        let prefix = if self.c.chance(30) { ", 'p_'" } else { "" };
        let col = if prefix.is_empty() { name } else { format!("p_{name}") };
        let mut out: Schema = schema.iter().filter(|c| c.name != d.name).cloned().collect();
        let (ty, tyname) = if self.c.chance(50) { (Ty::Dyn, "dynamic") } else { (Ty::Str, "string") };
        out.push(Col { name: col.clone(), ty });
        (format!("evaluate bag_unpack({}{prefix}) : (*, {col}:{tyname})", quote_name(&d.name)), out)
    }

    fn sample(&mut self, schema: &[Col]) -> (String, Schema) {
        if self.c.chance(50)
            && let Some(series) = self.make_series(schema)
        {
            return series;
        }
        match self.any_column(schema) {
            Some(c) if self.c.chance(40) => {
                (format!("sample-distinct {} of {}", self.count(), quote_name(&c.name)), vec![c])
            }
            Some(c) if self.c.chance(30) => {
                let counted = Col { name: format!("approximate_count_{}", c.name), ty: Ty::Long };
                (format!("top-hitters {} of {}", self.count(), quote_name(&c.name)), vec![c, counted])
            }
            _ => (format!("sample {}", self.count()), schema.to_vec()),
        }
    }

    /// `make-series` over a datetime column, always with a bounded axis
    /// (a day of 4 or 2 bins: an open axis over random datetimes could
    /// span millennia): the `by` key, the series (dynamic), then the axis
    /// (dynamic), as the make-series page orders them.
    fn make_series(&mut self, schema: &[Col]) -> Option<(String, Schema)> {
        let dates: Vec<&Col> = schema.iter().filter(|c| c.ty == Ty::Date).collect();
        let axis = dates.get(self.c.pick(dates.len().max(1)))?.name.clone();
        let keys: Vec<&Col> = schema.iter().filter(|c| matches!(c.ty, Ty::Str | Ty::Long | Ty::Int)).collect();
        let by = if self.c.chance(50) && !keys.is_empty() { Some(keys[self.c.pick(keys.len())].clone()) } else { None };
        let series = self.fresh();
        let kind = if self.c.chance(30) { "kind=nonempty " } else { "" };
        let aggregate = match self.c.pick(3) {
            0 => "count()".to_string(),
            1 => format!("dcount({})", quote_name(&axis)),
            _ => "countif(true)".to_string(),
        };
        let default = if self.c.chance(30) { " default = -1" } else { "" };
        let range = if self.c.chance(50) {
            " from datetime(2025-06-01) to datetime(2025-06-02) step 6h"
        } else {
            " in range(datetime(2025-06-01), datetime(2025-06-02), 12h)"
        };
        let by_text = by.as_ref().map(|k| format!(" by {}", quote_name(&k.name))).unwrap_or_default();
        let mut out: Vec<Col> = by.into_iter().collect();
        out.push(Col { name: series.clone(), ty: Ty::Dyn });
        out.push(Col { name: axis.clone(), ty: Ty::Dyn });
        let text =
            format!("make-series {kind}{series} = {aggregate}{default} on {}{range}{by_text}", quote_name(&axis));
        Some((text, out))
    }

    fn count(&mut self) -> String {
        match self.c.pick(8) {
            0 => "0".into(),
            1 => "1".into(),
            2 => "3".into(),
            3 => "100".into(),
            4 => "-1".into(),
            5 => "9223372036854775807".into(),
            6 => "long(null)".into(),
            _ => "2 * 5".into(),
        }
    }

    fn column(&mut self, schema: &[Col], ty: Ty) -> Option<String> {
        let cols: Vec<&Col> = schema.iter().filter(|c| c.ty == ty || (ty == Ty::Long && c.ty == Ty::Int)).collect();
        if cols.is_empty() {
            return None;
        }
        let k = self.c.pick(cols.len());
        Some(quote_name(&cols[k].name))
    }

    fn any_column(&mut self, schema: &[Col]) -> Option<Col> {
        if schema.is_empty() {
            return None;
        }
        Some(schema[self.c.pick(schema.len())].clone())
    }

    fn extend(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut out = schema.to_vec();
        let mut items = Vec::new();
        for _ in 0..1 + self.c.pick(3) {
            let ty = *self.c.one(&TYPES);
            let value = self.expr(ty, &out, 0);
            // Sometimes replace an existing column (in place, any type).
            let name = match self.any_column(&out) {
                Some(c) if self.c.chance(20) && !items.iter().any(|i: &String| i.starts_with(&c.name)) => c.name,
                _ => self.fresh(),
            };
            items.push(format!("{} = {value}", quote_name(&name)));
            match out.iter_mut().find(|c| c.name == name) {
                Some(c) => c.ty = ty,
                None => out.push(Col { name, ty }),
            }
        }
        (format!("extend {}", items.join(", ")), out)
    }

    fn subset(&mut self, schema: &[Col], at_least: usize) -> Vec<Col> {
        let mut picked: Vec<Col> = Vec::new();
        let n = at_least.max(self.c.pick(4));
        for _ in 0..n {
            if let Some(c) = self.any_column(schema)
                && !picked.iter().any(|p| p.name == c.name)
            {
                picked.push(c);
            }
        }
        picked
    }

    fn project(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut out = self.subset(schema, 1);
        let mut items: Vec<String> = out.iter().map(|c| quote_name(&c.name)).collect();
        if self.c.chance(40) || items.is_empty() {
            let ty = *self.c.one(&TYPES);
            let name = self.fresh();
            items.push(format!("{name} = {}", self.expr(ty, schema, 0)));
            out.push(Col { name, ty });
        }
        (format!("project {}", items.join(", ")), out)
    }

    fn project_away(&mut self, schema: &[Col]) -> (String, Schema) {
        let away = self.subset(schema, 1);
        if away.is_empty() || away.len() >= schema.len() {
            return ("take 5".into(), schema.to_vec());
        }
        let out = schema.iter().filter(|c| !away.iter().any(|a| a.name == c.name)).cloned().collect();
        let names: Vec<String> = away.iter().map(|c| quote_name(&c.name)).collect();
        (format!("project-away {}", names.join(", ")), out)
    }

    fn project_keep(&mut self, schema: &[Col]) -> (String, Schema) {
        let keep = self.subset(schema, 1);
        if keep.is_empty() {
            return ("take 3".into(), schema.to_vec());
        }
        let names: Vec<String> = keep.iter().map(|c| quote_name(&c.name)).collect();
        // The input's order, which project-keep keeps.
        let out = schema.iter().filter(|c| keep.iter().any(|k| k.name == c.name)).cloned().collect();
        (format!("project-keep {}", names.join(", ")), out)
    }

    /// `summarize arg_max(x, *) by k` and `arg_min(x, a, b)`: the output
    /// has more columns than the generator tracks (a subset is enough).
    fn arg_max(&mut self, schema: &[Col]) -> (String, Schema) {
        let f = self.c.word(&["arg_max", "arg_min"]);
        let ty = *self.c.one(&[Ty::Long, Ty::Date, Ty::Str, Ty::Real]);
        let by = match self.any_column(schema) {
            Some(c) if c.ty != Ty::Dyn && self.c.chance(70) => Some(c),
            _ => None,
        };
        let value = self.expr(ty, schema, 2);
        let returned = match self.any_column(schema) {
            Some(c) if self.c.chance(50) && by.as_ref().is_none_or(|b| b.name != c.name) => quote_name(&c.name),
            _ => "*".to_string(),
        };
        match by {
            Some(k) => (format!("summarize {f}({value}, {returned}) by {}", quote_name(&k.name)), vec![k]),
            None => (format!("summarize {f}({value}, {returned})"), Vec::new()),
        }
    }

    fn project_rename(&mut self, schema: &[Col]) -> (String, Schema) {
        let Some(c) = self.any_column(schema) else {
            return ("take 1".into(), schema.to_vec());
        };
        let name = self.fresh();
        let out =
            schema.iter().map(|x| if x.name == c.name { Col { name: name.clone(), ty: x.ty } } else { x.clone() });
        (format!("project-rename {name} = {}", quote_name(&c.name)), out.collect())
    }

    fn distinct(&mut self, schema: &[Col]) -> (String, Schema) {
        if self.c.chance(15) {
            return ("distinct *".into(), schema.to_vec());
        }
        let cols = self.subset(schema, 1);
        if cols.is_empty() {
            return ("distinct *".into(), schema.to_vec());
        }
        let names: Vec<String> = cols.iter().map(|c| quote_name(&c.name)).collect();
        (format!("distinct {}", names.join(", ")), cols)
    }

    fn sort(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut keys = Vec::new();
        for _ in 0..1 + self.c.pick(2) {
            let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Real, Ty::Date, Ty::Span, Ty::Bool]);
            keys.push(format!("{}{}", self.expr(ty, schema, 2), self.order()));
        }
        let verb = if self.c.chance(50) { "sort" } else { "order" };
        (format!("{verb} by {}", keys.join(", ")), schema.to_vec())
    }

    fn order(&mut self) -> &'static str {
        self.c.word(&["", " asc", " desc", " asc nulls last", " desc nulls first"])
    }

    fn top(&mut self, schema: &[Col]) -> (String, Schema) {
        let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Real, Ty::Date]);
        let key = self.expr(ty, schema, 2);
        (format!("top {} by {key}{}", self.count(), self.order()), schema.to_vec())
    }

    fn summarize(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut out = Vec::new();
        let mut aggs = Vec::new();
        for _ in 0..1 + self.c.pick(3) {
            let name = self.fresh();
            let (text, ty) = self.aggregate(schema);
            aggs.push(format!("{name} = {text}"));
            out.push(Col { name, ty });
        }
        let mut keys = Vec::new();
        let mut key_cols = Vec::new();
        for _ in 0..self.c.pick(3) {
            match self.c.pick(3) {
                0 => {
                    if let Some(c) = self.any_column(schema)
                        && !key_cols.iter().any(|k: &Col| k.name == c.name)
                        && c.ty != Ty::Dyn
                    {
                        keys.push(quote_name(&c.name));
                        key_cols.push(c);
                    }
                }
                1 => {
                    let name = self.fresh();
                    let (value, ty) = match self.c.pick(3) {
                        0 => (format!("bin({}, 1h)", self.expr(Ty::Date, schema, 2)), Ty::Date),
                        1 => (format!("bin({}, 10)", self.expr(Ty::Long, schema, 2)), Ty::Long),
                        _ => (self.expr(Ty::Str, schema, 2), Ty::Str),
                    };
                    keys.push(format!("{name} = {value}"));
                    key_cols.push(Col { name, ty });
                }
                _ => {
                    let name = self.fresh();
                    keys.push(format!("{name} = {}", self.expr(Ty::Bool, schema, 2)));
                    key_cols.push(Col { name, ty: Ty::Bool });
                }
            }
        }
        let by = if keys.is_empty() { String::new() } else { format!(" by {}", keys.join(", ")) };
        key_cols.extend(out);
        (format!("summarize {}{by}", aggs.join(", ")), key_cols)
    }

    fn aggregate(&mut self, schema: &[Col]) -> (String, Ty) {
        match self.c.pick(16) {
            0 => ("count()".into(), Ty::Long),
            1 => (format!("sum({})", self.expr(Ty::Long, schema, 2)), Ty::Long),
            2 => (format!("sum({})", self.expr(Ty::Real, schema, 2)), Ty::Real),
            3 => (format!("avg({})", self.expr(Ty::Long, schema, 2)), Ty::Real),
            4 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Real, Ty::Date, Ty::Str, Ty::Span]);
                let f = *self.c.one(&["min", "max", "take_any"]);
                (format!("{f}({})", self.expr(ty, schema, 2)), ty)
            }
            5 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Date]);
                (format!("dcount({})", self.expr(ty, schema, 2)), Ty::Long)
            }
            6 => (format!("countif({})", self.expr(Ty::Bool, schema, 2)), Ty::Long),
            7 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Dyn]);
                let f = *self.c.one(&["make_list", "make_set"]);
                (format!("{f}({})", self.expr(ty, schema, 2)), Ty::Dyn)
            }
            8 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Real]);
                let f = *self.c.one(&["sumif", "maxif", "minif"]);
                let value = self.expr(ty, schema, 2);
                (format!("{f}({value}, {})", self.expr(Ty::Bool, schema, 2)), ty)
            }
            9 => (format!("dcountif({}, {})", self.expr(Ty::Str, schema, 2), self.expr(Ty::Bool, schema, 2)), Ty::Long),
            10 => {
                let f = *self.c.one(&["make_list_if", "make_set_if"]);
                (format!("{f}({}, {})", self.expr(Ty::Long, schema, 2), self.expr(Ty::Bool, schema, 2)), Ty::Dyn)
            }
            11 => {
                let f = *self.c.one(&["stdev", "variance"]);
                (format!("{f}({})", self.expr(Ty::Long, schema, 2)), Ty::Real)
            }
            12 => {
                let f = *self.c.one(&["stdevif", "varianceif"]);
                (format!("{f}({}, {})", self.expr(Ty::Real, schema, 2), self.expr(Ty::Bool, schema, 2)), Ty::Real)
            }
            13 => {
                let p = *self.c.one(&["50", "0", "100", "99.5", "-1"]);
                (format!("percentile({}, {p})", self.expr(Ty::Long, schema, 2)), Ty::Long)
            }
            14 => {
                let f = *self.c.one(&["take_anyif", "count_distinctif"]);
                let ty = if f == "take_anyif" { Ty::Str } else { Ty::Long };
                (format!("{f}({}, {})", self.expr(Ty::Str, schema, 2), self.expr(Ty::Bool, schema, 2)), ty)
            }
            15 => {
                let f = *self.c.one(&["makeset", "makelist"]);
                (format!("{f}({})", self.expr(Ty::Dyn, schema, 2)), Ty::Dyn)
            }
            _ => (format!("avgif({}, {})", self.expr(Ty::Real, schema, 2), self.expr(Ty::Bool, schema, 2)), Ty::Real),
        }
    }

    fn mv_expand(&mut self, schema: &[Col]) -> (String, Schema) {
        let mut out = schema.to_vec();
        let (item, name) = match self.column(schema, Ty::Dyn) {
            Some(c) if self.c.chance(60) => (c.clone(), c.trim_matches(['[', ']', '\'']).to_string()),
            _ => {
                let name = self.fresh();
                let value = self.expr(Ty::Dyn, schema, 1);
                out.push(Col { name: name.clone(), ty: Ty::Dyn });
                (format!("{name} = {value}"), name)
            }
        };
        let mut items = vec![name.clone()];
        // `with_itemindex=`: a long column after the others.
        let index = if self.c.chance(20) { Some(self.fresh()) } else { None };
        let params = index.as_ref().map(|i| format!("with_itemindex={i} ")).unwrap_or_default();
        let params = if self.c.chance(10) { format!("{params}kind=array ") } else { params };
        let mut text = format!("{params}{item}");
        if self.c.chance(25) {
            // A second array, expanded in parallel.
            let second = self.fresh();
            let value = self.expr(Ty::Dyn, schema, 1);
            text.push_str(&format!(", {second} = {value}"));
            out.push(Col { name: second.clone(), ty: Ty::Dyn });
            items.push(second);
        }
        if self.c.chance(30) {
            let ty = *self.c.one(&[Ty::Long, Ty::Str, Ty::Real, Ty::Bool]);
            text.push_str(&format!(" to typeof({})", ty.name()));
            if let Some(c) = out.iter_mut().find(|c| c.name == *items.last().unwrap_or(&name)) {
                c.ty = ty;
            }
        }
        if self.c.chance(20) {
            text.push_str(&format!(" limit {}", self.count()));
        }
        if let Some(i) = &index {
            out.push(Col { name: i.clone(), ty: Ty::Long });
            items.push(i.clone());
        }
        if self.c.chance(15) {
            // mv-apply over the same items: the sub-query reads the items only
            // (it may read every column), and its output follows the columns
            // that were not expanded.
            let sub_in: Vec<Col> = out.iter().filter(|c| items.contains(&c.name)).cloned().collect();
            let mut result: Vec<Col> = out.iter().filter(|c| !items.contains(&c.name)).cloned().collect();
            let (sub, sub_out) = match self.c.pick(4) {
                0 => (format!("take {}", self.count()), sub_in),
                1 => {
                    let c = self.fresh();
                    (format!("summarize {c} = count()"), vec![Col { name: c, ty: Ty::Long }])
                }
                2 => (format!("where isnotnull({})", quote_name(&items[0])), sub_in),
                _ => {
                    let c = self.fresh();
                    let value = self.expr(Ty::Long, &sub_in, 1);
                    let mut o = sub_in;
                    o.push(Col { name: c.clone(), ty: Ty::Long });
                    (format!("extend {c} = {value} | take 2"), o)
                }
            };
            result.extend(sub_out);
            return (format!("mv-apply {text} on ({sub})"), result);
        }
        (format!("mv-expand {text}"), out)
    }

    /// A right side for join/lookup holding key column `key` of type `ty`
    /// (named `key_name`) and fresh-named extra columns.
    fn right_side(&mut self, depth: usize, key_name: &str, ty: Ty) -> (String, Schema) {
        let (body, schema) = self.tabular(depth + 1);
        let key_value = match self.column(&schema, ty) {
            Some(c) if self.c.chance(70) => c,
            _ => self.expr(ty, &schema, 2),
        };
        let extra = self.fresh();
        let extra_ty = *self.c.one(&TYPES);
        let extra_value = self.expr(extra_ty, &schema, 2);
        let text = format!("({body}\n  | project {key_name} = {key_value}, {extra} = {extra_value})");
        (text, vec![Col { name: key_name.to_string(), ty }, Col { name: extra, ty: extra_ty }])
    }

    fn join(&mut self, schema: &[Col], depth: usize) -> (String, Schema) {
        let Some(key) = self.any_column(schema).filter(|c| c.ty != Ty::Dyn) else {
            return ("take 2".into(), schema.to_vec());
        };
        let kind = *self.c.one(&[
            "",
            "kind=inner ",
            "kind=innerunique ",
            "kind=leftouter ",
            "kind=rightouter ",
            "kind=fullouter ",
            "kind=leftsemi ",
            "kind=leftanti ",
            "kind=rightsemi ",
            "kind=rightanti ",
        ]);
        let same_name = self.c.chance(60);
        let right_key = if same_name { key.name.clone() } else { self.fresh() };
        let (right, rs) = self.right_side(depth, &quote_name(&right_key), key.ty);
        let mut on = if same_name {
            quote_name(&key.name)
        } else {
            format!("$left.{} == $right.{right_key}", quote_name(&key.name))
        };
        // A second condition on the right's extra column, when a left column has its type.
        if let Some(extra) = rs.get(1).cloned()
            && extra.ty != Ty::Dyn
            && self.c.chance(25)
            && let Some(l) = self.column(schema, extra.ty)
        {
            on.push_str(&format!(", $left.{l} == $right.{}", extra.name));
        }
        let out = match kind.trim().trim_start_matches("kind=") {
            "leftsemi" | "leftanti" => schema.to_vec(),
            "rightsemi" | "rightanti" => rs,
            _ => {
                let mut out = schema.to_vec();
                for c in rs {
                    let name = if out.iter().any(|o| o.name == c.name) { format!("{}1", c.name) } else { c.name };
                    if !out.iter().any(|o| o.name == name) {
                        out.push(Col { name, ty: c.ty });
                    }
                }
                out
            }
        };
        (format!("join {kind}{right} on {on}"), out)
    }

    fn lookup(&mut self, schema: &[Col], depth: usize) -> (String, Schema) {
        let Some(key) = self.any_column(schema).filter(|c| c.ty != Ty::Dyn) else {
            return ("take 2".into(), schema.to_vec());
        };
        let kind = *self.c.one(&["", "kind=leftouter ", "kind=inner "]);
        let same_name = self.c.chance(70);
        let right_key = if same_name { key.name.clone() } else { self.fresh() };
        let (right, rs) = self.right_side(depth, &quote_name(&right_key), key.ty);
        let mut out = schema.to_vec();
        out.extend(rs.into_iter().filter(|c| c.name != right_key));
        let on = if same_name {
            quote_name(&key.name)
        } else {
            format!("$left.{} == $right.{right_key}", quote_name(&key.name))
        };
        (format!("lookup {kind}{right} on {on}"), out)
    }

    // ---- expressions --------------------------------------------------

    /// An expression of type `ty` over `schema`.
    fn expr(&mut self, ty: Ty, schema: &[Col], depth: usize) -> String {
        if depth >= MAX_EXPR_DEPTH || self.c.pick(3) == 0 {
            return self.leaf(ty, schema);
        }
        if self.c.chance(2) {
            return self.wild(schema);
        }
        let d = depth + 1;
        let e = match ty {
            Ty::Long | Ty::Int => self.long_expr(schema, d),
            Ty::Real => self.real_expr(schema, d),
            Ty::Str => self.str_expr(schema, d),
            Ty::Bool => self.bool_expr(schema, d),
            Ty::Date => self.date_expr(schema, d),
            Ty::Span => self.span_expr(schema, d),
            Ty::Dyn => self.dyn_expr(schema, d),
        };
        if self.c.chance(10) { format!("({e})") } else { e }
    }

    /// An operand of a binary operator: a compound one is usually put in
    /// parentheses, so the operator's precedence keeps the intended types
    /// (`(d1 - d2) * 2`); sometimes not, to exercise precedence too.
    fn operand(&mut self, ty: Ty, schema: &[Col], depth: usize) -> String {
        let e = self.expr(ty, schema, depth);
        if e.contains(' ') && !self.c.chance(15) { format!("({e})") } else { e }
    }

    fn leaf(&mut self, ty: Ty, schema: &[Col]) -> String {
        if self.c.chance(60)
            && let Some(c) = self.column(schema, ty)
        {
            return c;
        }
        self.literal(ty)
    }

    /// A literal fit for `datatable` (no `now()` or `ago()`).
    fn constant(&mut self, ty: Ty) -> String {
        let l = self.literal(ty);
        if l.starts_with("now") || l.starts_with("ago") { "datetime(2025-06-01T06:00:00Z)".into() } else { l }
    }

    fn literal(&mut self, ty: Ty) -> String {
        let s: &[&str] = match ty {
            Ty::Int => &["1", "0", "-1", "42", "int(null)", "2147483647", "-2147483648"],
            Ty::Long => &[
                "1",
                "0",
                "-1",
                "42",
                "9223372036854775807",
                "-9223372036854775807",
                "long(null)",
                "int(7)",
                "int(null)",
                "2147483647",
            ],
            Ty::Real => {
                &["1.5", "0.0", "-2.5e10", "real(null)", "real(nan)", "real(+inf)", "real(-inf)", "1e308", "1e-300"]
            }
            Ty::Str => &[
                "\"a\"",
                "\"\"",
                "\"10.0.0.1\"",
                "\"x,y,z\"",
                "'FlowLog'",
                "\"ExternalPublic\"",
                "\"Straße €\"",
                "@\"c:\\temp\"",
                "\"tab\\there\"",
                "'1|2|3'",
                "\"2025-06-01T00:00:00Z\"",
                "\"[1,2,{\\\"a\\\":3}]\"",
                "\"12\"",
                "\"abc\"",
                "\"😀\"",
            ],
            Ty::Bool => &["true", "false", "bool(null)"],
            Ty::Date => &[
                "datetime(2025-06-01)",
                "datetime(2025-06-01T12:34:56.789Z)",
                "datetime(null)",
                "datetime(1677-09-22)",
                "datetime(2262-04-10 23:47:16)",
                "datetime(2025-06-01 23:59:59.9999999)",
                "now()",
                "ago(1h)",
            ],
            Ty::Span => {
                &["1h", "0s", "-5m", "1d", "1.5h", "time(null)", "timespan(2 seconds)", "100ms", "106750d", "-106750d"]
            }
            Ty::Dyn => &[
                "dynamic([1, 2, 3])",
                "dynamic(null)",
                "dynamic([])",
                "dynamic({\"a\": 1, \"b\": [true, \"x\"]})",
                "dynamic([\"a\", null, 1.5])",
                "dynamic(\"text\")",
                "dynamic([[1], [2, 3]])",
            ],
        };
        self.c.one(s).to_string()
    }

    fn long_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(19) {
            0 => {
                let op = *self.c.one(&["+", "-", "*", "/", "%"]);
                format!("{} {op} {}", self.operand(Ty::Long, s, d), self.operand(Ty::Long, s, d))
            }
            1 => format!("-({})", self.expr(Ty::Long, s, d)),
            2 => format!("strlen({})", self.expr(Ty::Str, s, d)),
            3 => {
                let ty = *self.c.one(&TYPES);
                let f = *self.c.one(&["toint", "tolong"]);
                format!("{f}({})", self.expr(ty, s, d))
            }
            4 => format!("abs({})", self.expr(Ty::Long, s, d)),
            5 => format!("countof({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d)),
            6 => format!("indexof({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d)),
            7 => format!("array_length({})", self.expr(Ty::Dyn, s, d)),
            8 => {
                let size = *self.c.one(&["1", "10", "0", "-5", "long(null)"]);
                format!("bin({}, {size})", self.expr(Ty::Long, s, d))
            }
            9 => format!(
                "iif({}, {}, {})",
                self.expr(Ty::Bool, s, d),
                self.expr(Ty::Long, s, d),
                self.expr(Ty::Long, s, d)
            ),
            10 => format!(
                "case({}, {}, {})",
                self.expr(Ty::Bool, s, d),
                self.expr(Ty::Long, s, d),
                self.expr(Ty::Long, s, d)
            ),
            11 => {
                let f = *self.c.one(&["coalesce", "max_of", "min_of"]);
                format!("{f}({}, {})", self.expr(Ty::Long, s, d), self.expr(Ty::Long, s, d))
            }
            12 => {
                let f = *self.c.one(&["hourofday", "getyear", "getmonth"]);
                format!("{f}({})", self.expr(Ty::Date, s, d))
            }
            13 => {
                let part = self.c.word(&[
                    "\"year\"",
                    "\"month\"",
                    "\"day\"",
                    "\"hour\"",
                    "\"nanosecond\"",
                    "\"week_of_year\"",
                ]);
                format!("datetime_part({part}, {})", self.expr(Ty::Date, s, d))
            }
            14 => format!("tolong(toscalar({}))", self.scalar_subquery(Ty::Long, d)),
            15 => {
                let part = self.c.word(&["\"year\"", "\"week\"", "\"Day\"", "\"nanosecond\"", "\"quarter\""]);
                format!("datetime_diff({part}, {}, {})", self.expr(Ty::Date, s, d), self.expr(Ty::Date, s, d))
            }
            16 => {
                let f = *self.c.one(&["parse_ipv4", "ipv4_netmask_suffix"]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            17 => {
                let f = *self.c.one(&["ipv4_compare", "ipv6_compare"]);
                format!("{f}({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d))
            }
            _ => format!("round({})", self.expr(Ty::Long, s, d)),
        }
    }

    fn real_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(10) {
            0 => {
                let op = *self.c.one(&["+", "-", "*", "/", "%"]);
                format!("{} {op} {}", self.operand(Ty::Real, s, d), self.operand(Ty::Long, s, d))
            }
            1 => {
                let f = *self.c.one(&["sqrt", "log", "log10", "exp", "ceiling"]);
                format!("{f}({})", self.expr(Ty::Real, s, d))
            }
            2 => format!("pow({}, {})", self.expr(Ty::Real, s, d), self.expr(Ty::Long, s, d)),
            3 => {
                let ty = *self.c.one(&TYPES);
                let f = *self.c.one(&["toreal", "todouble"]);
                format!("{f}({})", self.expr(ty, s, d))
            }
            4 => {
                let precision = *self.c.one(&["2", "0", "-1", "30"]);
                format!("round({}, {precision})", self.expr(Ty::Real, s, d))
            }
            5 => format!("{} / {}", self.operand(Ty::Long, s, d), self.operand(Ty::Real, s, d)),
            6 => format!("bin({}, 0.5)", self.expr(Ty::Real, s, d)),
            7 => format!("{} / 1s", self.expr(Ty::Span, s, d)),
            8 => format!("sign({})", self.expr(Ty::Real, s, d)),
            _ => format!("-({})", self.expr(Ty::Real, s, d)),
        }
    }

    fn regex(&mut self) -> &'static str {
        self.c.word(&[
            "\"a\"",
            "@\"^\\d+$\"",
            "\"(\\\\w+)\\\\.(\\\\w+)\"",
            "\"[a-z]+\"",
            "\"(unclosed\"",
            "\"[z-a]\"",
            "\"*a\"",
            "\"a{1000}{1000}\"",
            "\"\"",
            "\"(?i)flow\"",
        ])
    }

    fn str_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(21) {
            0 => {
                let parts: Vec<String> = (0..1 + self.c.pick(4)).map(|_| self.expr(Ty::Str, s, d)).collect();
                format!("strcat({})", parts.join(", "))
            }
            1 => {
                let ty = *self.c.one(&TYPES);
                format!("tostring({})", self.expr(ty, s, d))
            }
            2 => {
                let f = *self.c.one(&["tolower", "toupper", "reverse"]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            3 => format!(
                "substring({}, {}, {})",
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Long, s, d),
                self.expr(Ty::Long, s, d)
            ),
            4 => {
                let f = *self.c.one(&["trim", "trim_start", "trim_end"]);
                let re = self.regex();
                format!("{f}({re}, {})", self.expr(Ty::Str, s, d))
            }
            5 => {
                let re = self.regex();
                format!("extract({re}, {}, {})", self.expr(Ty::Long, s, d), self.expr(Ty::Str, s, d))
            }
            6 => format!(
                "replace_string({}, {}, {})",
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Str, s, d)
            ),
            7 => format!("strcat_delim(\"|\", {}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Long, s, d)),
            8 => {
                let f = *self.c.one(&["\"yyyy-MM-dd\"", "\"HH:mm:ss.fff\"", "\"yy M d h tt\"", "\"\""]);
                format!("format_datetime({}, {f})", self.expr(Ty::Date, s, d))
            }
            9 => format!("tostring({}[{}])", self.expr(Ty::Dyn, s, d), self.expr(Ty::Long, s, d)),
            10 => format!("tostring({}.a)", self.expr(Ty::Dyn, s, d)),
            11 => format!(
                "iif({}, {}, {})",
                self.expr(Ty::Bool, s, d),
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Str, s, d)
            ),
            12 => format!(
                "tostring(split({}, {})[{}])",
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Str, s, d),
                self.expr(Ty::Long, s, d)
            ),
            13 => format!("tostring(toscalar({}))", self.scalar_subquery(Ty::Str, d)),
            14 => {
                let re = self.regex();
                let rewrite = self.c.word(&["@\"<\\0>\"", "\"$1\"", "@\"\\2\\1\"", "\"\""]);
                format!("replace_regex({}, {re}, {rewrite})", self.expr(Ty::Str, s, d))
            }
            15 => format!("strrep({}, {}, \",\")", self.expr(Ty::Str, s, d), self.expr(Ty::Long, s, d)),
            16 => {
                let f = *self.c.one(&[
                    "url_encode",
                    "url_decode",
                    "base64_encode_tostring",
                    "base64_decode_tostring",
                    "hash_sha256",
                    "parse_ipv6",
                ]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            17 => format!("format_bytes({})", self.expr(Ty::Long, s, d)),
            18 => {
                let f = *self.c.one(&["format_ipv4", "format_ipv4_mask"]);
                format!("{f}({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Long, s, d))
            }
            19 => {
                let f = self.c.word(&["\"dd.hh:mm:ss.fff\"", "\"FFFFFFF\"", "\"d\"", "\"[H]\""]);
                format!("format_timespan({}, {f})", self.expr(Ty::Span, s, d))
            }
            // Adjacent string literals concatenate.
            _ => format!("{} {}", self.literal(Ty::Str), self.literal(Ty::Str)),
        }
    }

    fn bool_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(19) {
            0 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Real, Ty::Date, Ty::Span, Ty::Str]);
                let op = *self.c.one(&["==", "!=", "<", "<=", ">", ">="]);
                let op = if ty == Ty::Str { "!=" } else { op };
                format!("{} {op} {}", self.operand(ty, s, d), self.operand(ty, s, d))
            }
            1 => {
                let op = *self.c.one(&[
                    "==",
                    "=~",
                    "!~",
                    "has",
                    "!has",
                    "contains",
                    "!contains",
                    "startswith",
                    "endswith",
                    "has_cs",
                    "contains_cs",
                    "!startswith",
                ]);
                format!("{} {op} {}", self.operand(Ty::Str, s, d), self.operand(Ty::Str, s, d))
            }
            2 => {
                let op = *self.c.one(&["and", "or"]);
                format!("{} {op} {}", self.operand(Ty::Bool, s, d), self.operand(Ty::Bool, s, d))
            }
            3 => format!("not({})", self.expr(Ty::Bool, s, d)),
            4 => {
                let f = *self.c.one(&["isempty", "isnotempty"]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            5 => {
                let ty = *self.c.one(&TYPES);
                let f = *self.c.one(&["isnull", "isnotnull"]);
                format!("{f}({})", self.expr(ty, s, d))
            }
            6 => format!("{} matches regex {}", self.expr(Ty::Str, s, d), self.regex()),
            7 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Str]);
                let op = *self.c.one(&["in", "!in", "in~"]);
                let op = if ty == Ty::Long && op == "in~" { "in" } else { op };
                let items: Vec<String> = (0..1 + self.c.pick(3)).map(|_| self.expr(ty, s, d)).collect();
                format!("{} {op} ({})", self.expr(ty, s, d), items.join(", "))
            }
            8 => {
                let ty = *self.c.one(&[Ty::Long, Ty::Date, Ty::Real]);
                let op = *self.c.one(&["between", "!between"]);
                format!("{} {op} ({} .. {})", self.expr(ty, s, d), self.expr(ty, s, d), self.expr(ty, s, d))
            }
            9 => format!("ipv4_is_private({})", self.expr(Ty::Str, s, d)),
            10 => format!("ipv4_is_in_range({}, \"10.0.0.0/8\")", self.expr(Ty::Str, s, d)),
            11 => format!("isnan({})", self.expr(Ty::Real, s, d)),
            12 => {
                let ty = *self.c.one(&TYPES);
                format!("tobool({})", self.expr(ty, s, d))
            }
            13 => format!("{} in ({})", self.expr(Ty::Str, s, d), self.column_subquery(d)),
            14 => {
                let f = *self.c.one(&["has_ipv4", "has_ipv4_prefix", "ipv6_is_match", "ipv6_is_in_range"]);
                format!("{f}({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d))
            }
            15 => {
                let f = *self.c.one(&[
                    "ipv4_is_in_any_range",
                    "has_any_ipv4",
                    "has_any_ipv4_prefix",
                    "ipv6_is_in_any_range",
                ]);
                format!("{f}({}, \"10.\", {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d))
            }
            16 => format!("{} has_all ({}, \"a\")", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d)),
            17 => format!("{} has_any (dynamic([\"a\", \"b\"]))", self.expr(Ty::Str, s, d)),
            _ => format!("{} has_any ({})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d)),
        }
    }

    fn date_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(13) {
            0 => {
                let op = *self.c.one(&["+", "-"]);
                format!("{} {op} {}", self.operand(Ty::Date, s, d), self.operand(Ty::Span, s, d))
            }
            1 => {
                let size = *self.c.one(&["1h", "1d", "0s", "-1m", "7d", "1tick"]);
                format!("bin({}, {size})", self.expr(Ty::Date, s, d))
            }
            2 => {
                let f = *self.c.one(&["startofday", "endofday", "startofmonth", "startofweek", "startofyear"]);
                format!("{f}({})", self.expr(Ty::Date, s, d))
            }
            3 => {
                let ty = *self.c.one(&[Ty::Str, Ty::Long, Ty::Dyn, Ty::Date]);
                format!("todatetime({})", self.expr(ty, s, d))
            }
            4 => format!("ago({})", self.expr(Ty::Span, s, d)),
            5 => format!("now({})", self.expr(Ty::Span, s, d)),
            6 => format!("{} + {}", self.operand(Ty::Span, s, d), self.operand(Ty::Date, s, d)),
            7 => format!("startofweek({}, {})", self.expr(Ty::Date, s, d), self.expr(Ty::Long, s, d)),
            8 => {
                let part = self.c.word(&["\"month\"", "\"year\"", "\"week\"", "\"millisecond\""]);
                format!("datetime_add({part}, {}, {})", self.expr(Ty::Long, s, d), self.expr(Ty::Date, s, d))
            }
            9 => {
                let f = *self.c.one(&["endofweek", "endofmonth", "endofyear"]);
                format!("{f}({}, {})", self.expr(Ty::Date, s, d), self.expr(Ty::Long, s, d))
            }
            10 => format!(
                "make_datetime({}, {}, {})",
                self.expr(Ty::Long, s, d),
                self.expr(Ty::Long, s, d),
                self.expr(Ty::Long, s, d)
            ),
            11 => {
                let f = *self.c.one(&["unixtime_seconds_todatetime", "unixtime_milliseconds_todatetime"]);
                format!("{f}({})", self.expr(Ty::Long, s, d))
            }
            _ => format!("max_of({}, {})", self.expr(Ty::Date, s, d), self.expr(Ty::Date, s, d)),
        }
    }

    fn span_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(8) {
            0 => format!("{} - {}", self.operand(Ty::Date, s, d), self.operand(Ty::Date, s, d)),
            1 => {
                let op = *self.c.one(&["+", "-"]);
                format!("{} {op} {}", self.operand(Ty::Span, s, d), self.operand(Ty::Span, s, d))
            }
            2 => format!("{} * {}", self.operand(Ty::Span, s, d), self.operand(Ty::Long, s, d)),
            3 => format!("{} / {}", self.operand(Ty::Span, s, d), self.operand(Ty::Long, s, d)),
            4 => {
                let ty = *self.c.one(&[Ty::Str, Ty::Long, Ty::Span]);
                format!("totimespan({})", self.expr(ty, s, d))
            }
            5 => format!("bin({}, 1m)", self.expr(Ty::Span, s, d)),
            6 => format!("make_timespan({}, {})", self.expr(Ty::Long, s, d), self.expr(Ty::Long, s, d)),
            _ => format!("dayofweek({})", self.expr(Ty::Date, s, d)),
        }
    }

    fn dyn_expr(&mut self, s: &[Col], d: usize) -> String {
        match self.c.pick(9) {
            0 => format!("split({}, {})", self.expr(Ty::Str, s, d), self.expr(Ty::Str, s, d)),
            1 => {
                let f = *self.c.one(&["parse_json", "todynamic"]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            2 => format!("{}[{}]", self.expr(Ty::Dyn, s, d), self.expr(Ty::Long, s, d)),
            3 => format!("{}.b", self.expr(Ty::Dyn, s, d)),
            4 => format!("{}[\"a\"]", self.expr(Ty::Dyn, s, d)),
            5 => format!("split({}, \",\", {})", self.expr(Ty::Str, s, d), self.expr(Ty::Long, s, d)),
            6 => {
                let re = self.regex();
                format!("extract_all({re}, {})", self.expr(Ty::Str, s, d))
            }
            7 => {
                let f = *self.c.one(&["parse_url", "parse_path"]);
                format!("{f}({})", self.expr(Ty::Str, s, d))
            }
            _ => format!("todynamic({})", self.expr(Ty::Str, s, d)),
        }
    }

    /// `(T | summarize … )`: a one-value sub-query for `toscalar`.
    fn scalar_subquery(&mut self, ty: Ty, d: usize) -> String {
        let src = *self.c.one(&["NTAIpDetails", "NTANetAnalytics"]);
        let (tab, schema) = self.table(src);
        let value = self.expr(ty, &schema, d + 1);
        format!("{tab} | summarize x = take_any({value})")
    }

    /// A sub-query with one string column, for `in (…)`.
    fn column_subquery(&mut self, d: usize) -> String {
        let src = *self.c.one(&["NTAIpDetails", "NTANetAnalytics"]);
        let (tab, schema) = self.table(src);
        let value = self.expr(Ty::Str, &schema, d + 1);
        format!("{tab} | take 20 | project x = {value}")
    }

    /// Something the checker should reject or that stretches it: a random
    /// known function with arbitrary arguments, an unknown name, an
    /// aggregation outside summarize, a mistyped operand.
    fn wild(&mut self, schema: &[Col]) -> String {
        match self.c.pick(5) {
            0 => {
                let names: Vec<&str> = kql_plan::functions::all_names().collect();
                let f = names[self.c.pick(names.len())];
                let args: Vec<String> = (0..self.c.pick(4))
                    .map(|_| {
                        let ty = *self.c.one(&TYPES);
                        self.leaf(ty, schema)
                    })
                    .collect();
                format!("{f}({})", args.join(", "))
            }
            1 => "NoSuchColumn".into(),
            2 => format!("{} + {}", self.literal(Ty::Str), self.literal(Ty::Long)),
            3 => "count()".into(),
            _ => format!("{} == {}", self.literal(Ty::Date), self.literal(Ty::Bool)),
        }
    }
}

/// Columns of `union a, b` that keep one type: Kusto renames a column whose
/// types differ (`a_long`, `a_string`), which the generator leaves alone.
fn union_schema(a: &[Col], b: &[Col]) -> Schema {
    let mut out: Schema = Vec::new();
    for c in a.iter().chain(b) {
        let clash = a.iter().chain(b).any(|o| o.name == c.name && o.ty != c.ty);
        if !clash && !out.iter().any(|o| o.name == c.name) {
            out.push(c.clone());
        }
    }
    out
}

/// A column name as KQL text (`['…']` when it is not a plain identifier).
fn quote_name(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { name.to_string() } else { format!("['{name}']") }
}
