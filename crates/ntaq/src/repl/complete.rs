//! Tab completion: what may come at the cursor, from the tokens before it
//! and the schema of the pipeline so far (found by binding the text before
//! the current operator).

use crate::session::Session;
use kql_plan::functions::{self, FunctionKind};
use kql_syntax::keywords::SUPPORTED_OPERATORS;
use kql_syntax::tokens::{Token, TokenKind, tokenize};

/// Candidates for the text from `start` to the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub items: Vec<Item>,
    /// The cursor is on a file name (`.load`, `.run`, `.output`): the line
    /// editor completes paths.
    pub path: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the list shows.
    pub display: String,
    /// What replaces the word (`strcat(` for a function, `['a b']` for an
    /// odd column name).
    pub replacement: String,
}

/// Words that start a statement.
const STATEMENT_WORDS: &[&str] = &["let", "print", "datatable", "union", "declare"];

/// `kind=` values of `join` and `lookup`.
const JOIN_KINDS: &[&str] =
    &["inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "rightsemi", "rightanti"];
const LOOKUP_KINDS: &[&str] = &["inner", "leftouter"];

/// Clause keywords offered inside an operator, besides columns and functions.
fn clause_words(operator: &str) -> &'static [&'static str] {
    match operator {
        "where" | "filter" => &["and", "or", "in", "between", "contains", "has", "startswith", "endswith"],
        "summarize" => &["by"],
        "top" | "sort" | "order" => &["by", "asc", "desc", "nulls", "first", "last"],
        "join" | "lookup" => &["on", "kind"],
        "mv-expand" => &["to", "typeof"],
        _ => &[],
    }
}

/// Completes KQL against a session's tables, functions and remembered lets.
pub struct Completer {
    session: Session,
    /// Remembered tabular lets: offered where a table may come.
    tabular_lets: Vec<String>,
    /// Remembered scalar lets: offered in expressions.
    scalar_lets: Vec<String>,
}

impl Completer {
    /// `session.prelude` holds the remembered lets named in `lets`.
    pub fn new(session: Session, lets: &[String]) -> Completer {
        let (mut tabular_lets, mut scalar_lets) = (Vec::new(), Vec::new());
        for name in lets {
            let checked = session.check(name);
            if checked.has_errors() { scalar_lets.push(name.clone()) } else { tabular_lets.push(name.clone()) }
        }
        Completer { session, tabular_lets, scalar_lets }
    }

    /// What may replace the word ending at byte `pos` of `line`.
    pub fn complete(&self, line: &str, pos: usize) -> Completion {
        let pos = floor_char_boundary(line, pos);
        let before = &line[..pos];
        let word_start = after_last(before, |c| !(c.is_ascii_alphanumeric() || c == '_'));
        let none = Completion { start: pos, items: Vec::new(), path: false };
        if before.trim_start().starts_with('.') && !before.trim_start().starts_with(".explain ") {
            return self.complete_meta(before, word_start);
        }
        let tokens: Vec<Token> =
            tokenize(&line[..word_start]).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
        // Inside a string or a comment: nothing to complete.
        let in_comment = tokenize(before).last().is_some_and(|t| t.kind == TokenKind::Comment && t.span.end == pos);
        if in_comment || tokens.last().is_some_and(|t| matches!(t.kind, TokenKind::Str { closed: false })) {
            return none;
        }
        let scope = Scope::find(line, &tokens);
        let prev = |k: usize| tokens.len().checked_sub(k).map(|i| tokens[i].text(line));
        // `$left.` / `$right.`: columns of one side of a join.
        if prev(1) == Some(".")
            && let (Some(side @ ("left" | "right")), Some("$")) = (prev(2), prev(3))
        {
            let cols = match (side, &scope.kind) {
                ("left", _) => self.columns_of(&scope.source_text(line)),
                (_, ScopeKind::Operator { right: Some(r), .. }) => self.columns_of(&scope.with_prelude(line, r)),
                _ => Vec::new(),
            };
            return self.finish(line, word_start, pos, cols.into_iter().map(column_item).collect());
        }
        let items = match &scope.kind {
            ScopeKind::Source => {
                let mut items = self.table_items(&scope.local_lets);
                items.extend(STATEMENT_WORDS.iter().map(|w| plain(w)));
                items
            }
            ScopeKind::NewName => Vec::new(),
            ScopeKind::Print => self.expression_items(Vec::new(), &scope.local_lets, FunctionKind::Scalar, &[]),
            ScopeKind::OperatorName => {
                // Operator names contain `-`: complete `project-a` whole.
                let hyphen_start = hyphenated_start(before, word_start);
                let items = SUPPORTED_OPERATORS.iter().map(|w| plain(w)).collect();
                return self.finish(line, hyphen_start, pos, items);
            }
            ScopeKind::Operator { name, right, after_kind, table_expected } => {
                if *after_kind {
                    let kinds = if name == "lookup" { LOOKUP_KINDS } else { JOIN_KINDS };
                    kinds.iter().map(|w| plain(w)).collect()
                } else if *table_expected {
                    self.table_items(&scope.local_lets)
                } else {
                    let mut cols = self.columns_of(&scope.source_text(line));
                    if let Some(r) = right {
                        for c in self.columns_of(&scope.with_prelude(line, r)) {
                            if !cols.contains(&c) {
                                cols.push(c);
                            }
                        }
                    }
                    if matches!(name.as_str(), "project-away" | "project-keep" | "project-rename") {
                        // Column names only (project-rename: `new = old`).
                        cols.into_iter().map(column_item).collect()
                    } else {
                        let kind = if name == "summarize" { FunctionKind::Aggregate } else { FunctionKind::Scalar };
                        self.expression_items(cols, &scope.local_lets, kind, clause_words(name))
                    }
                }
            }
        };
        self.finish(line, word_start, pos, items)
    }

    /// A meta-command's name, or its argument.
    fn complete_meta(&self, before: &str, word_start: usize) -> Completion {
        let pos = before.len();
        let body = before.trim_start();
        let Some(space) = body.find(char::is_whitespace) else {
            // The command's name, with its dot.
            let start = pos - body.len();
            let items = super::meta::COMMANDS.iter().map(|c| plain(&format!(".{}", c.name))).collect();
            return self.finish(before, start, pos, items);
        };
        let words: &[&str] = match &body[1..space] {
            "schema" => {
                let mut names: Vec<String> = self.session.catalog.names().map(str::to_string).collect();
                names.extend(self.tabular_lets.iter().cloned());
                return self.finish(before, word_start, pos, names.iter().map(|n| plain(n)).collect());
            }
            "forget" => {
                let names: Vec<Item> = self.tabular_lets.iter().chain(&self.scalar_lets).map(|n| plain(n)).collect();
                return self.finish(before, word_start, pos, names);
            }
            "load" | "run" | "output" => {
                let start = pos - body[space..].trim_start().len();
                return Completion { start, items: Vec::new(), path: true };
            }
            "help" => &super::meta::COMMANDS.iter().map(|c| c.name).collect::<Vec<_>>(),
            "format" => &["table", "csv", "json", "ndjson", "parquet"],
            "timing" => &["on", "off"],
            "now" => &["off"],
            _ => &[],
        };
        self.finish(before, word_start, pos, words.iter().map(|w| plain(w)).collect())
    }

    /// Keeps the items starting with the typed prefix (ignoring case), sorted
    /// within their groups and without duplicates.
    fn finish(&self, line: &str, start: usize, pos: usize, items: Vec<Item>) -> Completion {
        let prefix = line[start..pos].to_ascii_lowercase();
        let mut seen = std::collections::HashSet::new();
        let items = items
            .into_iter()
            .filter(|i| i.display.to_ascii_lowercase().starts_with(&prefix))
            .filter(|i| seen.insert(i.display.clone()))
            .collect();
        Completion { start, items, path: false }
    }

    fn table_items(&self, local_lets: &[String]) -> Vec<Item> {
        let mut names: Vec<String> = self.session.catalog.names().map(str::to_string).collect();
        names.extend(self.tabular_lets.iter().cloned());
        names.extend(local_lets.iter().cloned());
        names.sort();
        names.iter().map(|n| plain(n)).collect()
    }

    fn expression_items(
        &self,
        columns: Vec<String>,
        local_lets: &[String],
        kind: FunctionKind,
        keywords: &[&str],
    ) -> Vec<Item> {
        let mut items: Vec<Item> = columns.into_iter().map(column_item).collect();
        let mut lets: Vec<&String> = self.scalar_lets.iter().chain(local_lets).collect();
        lets.sort();
        items.extend(lets.into_iter().map(|n| plain(n)));
        items.extend(keywords.iter().map(|w| plain(w)));
        // Aggregates in summarize, and scalar functions everywhere.
        let mut fns: Vec<&str> = functions::all()
            .filter(|f| f.kind == FunctionKind::Scalar || kind == FunctionKind::Aggregate)
            .map(|f| f.name)
            .collect();
        fns.sort_by_key(|n| (functions::lookup(n).is_some_and(|f| f.kind != kind), *n));
        items.extend(fns.into_iter().map(|f| Item { display: f.to_string(), replacement: format!("{f}(") }));
        items
    }

    /// Output columns of `text` as a query, in order; none if it does not bind.
    fn columns_of(&self, text: &str) -> Vec<String> {
        let checked = self.session.check(text);
        match checked.program.results.last() {
            Some(plan) => plan.schema.names().map(str::to_string).collect(),
            None => Vec::new(),
        }
    }
}

fn plain(word: &str) -> Item {
    Item { display: word.to_string(), replacement: word.to_string() }
}

/// A column, bracketed and quoted when it is not a plain identifier.
fn column_item(name: String) -> Item {
    let plain_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let replacement = if plain_name { name.clone() } else { format!("['{}']", name.replace('\'', "\\'")) };
    Item { display: name, replacement }
}

fn floor_char_boundary(s: &str, pos: usize) -> usize {
    let mut p = pos.min(s.len());
    while !s.is_char_boundary(p) {
        p -= 1;
    }
    p
}

/// The byte just after the last char of `s` matching `pred` (0 if none),
/// stepping over the whole char: it may be several bytes (`é` before a word).
fn after_last(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.char_indices().rev().find(|&(_, c)| pred(c)).map_or(0, |(k, c)| k + c.len_utf8())
}

/// Start of an operator word that may contain `-` (`project-aw`).
fn hyphenated_start(before: &str, word_start: usize) -> usize {
    let head = &before[..word_start];
    match head.strip_suffix('-') {
        Some(h) => after_last(h, |c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')),
        None => word_start,
    }
}

/// Where the cursor is, as far as completion cares.
#[derive(Debug)]
enum ScopeKind {
    /// Where a table (or tabular let) starts a pipeline.
    Source,
    /// The name of a new `let`.
    NewName,
    /// In a `print`: expressions without input columns.
    Print,
    /// Just after `|`.
    OperatorName,
    /// Inside an operator after its name.
    Operator {
        name: String,
        /// The right side of a `join`/`lookup` (token range), once known.
        right: Option<(usize, usize)>,
        /// Just after `kind=`.
        after_kind: bool,
        /// Where `join`/`lookup`/`union` expects its table.
        table_expected: bool,
    },
}

#[derive(Debug)]
struct Scope {
    kind: ScopeKind,
    /// Byte offset where the current statement starts.
    statement_start: usize,
    /// The pipeline text before the current operator (byte range).
    source: (usize, usize),
    /// Names of lets defined earlier in the entered text.
    local_lets: Vec<String>,
}

impl Scope {
    fn find(line: &str, tokens: &[Token]) -> Scope {
        let text = |t: &Token| t.text(line);
        // Statement start (last `;` at depth 0) and lets defined before it.
        let mut depth = 0i64;
        let mut stmt = 0usize;
        let mut local_lets = Vec::new();
        for (k, t) in tokens.iter().enumerate() {
            match text(t) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                ";" if depth <= 0 => {
                    depth = 0;
                    if text(&tokens[stmt]) == "let"
                        && let Some(n) = tokens.get(stmt + 1)
                    {
                        local_lets.push(text(n).to_string());
                    }
                    stmt = k + 1;
                }
                _ => {}
            }
        }
        let statement_start = tokens.get(stmt).map_or(line.len(), |t| t.span.start);
        let statement_start = statement_start.min(tokens.last().map_or(0, |t| t.span.end));
        let mut region = stmt;
        // `let NAME = …`: the pipeline starts after `=`.
        if tokens.get(stmt).map(text) == Some("let") {
            match tokens.len() - stmt {
                1 => return Scope::new(ScopeKind::NewName, statement_start, local_lets),
                n if n >= 3 && tokens.get(stmt + 2).map(text) == Some("=") => region = stmt + 3,
                _ => return Scope::new(ScopeKind::NewName, statement_start, local_lets),
            }
        }
        // The innermost open bracket that starts a sub-pipeline (not a call).
        let mut open: Vec<usize> = Vec::new();
        for (k, t) in tokens.iter().enumerate().skip(region) {
            match text(t) {
                "(" | "[" | "{" => open.push(k),
                ")" | "]" | "}" => {
                    open.pop();
                }
                _ => {}
            }
        }
        for &k in open.iter().rev() {
            let before = if k > region { Some(text(&tokens[k - 1])) } else { None };
            let call = before.is_some_and(|b| {
                b.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    && !matches!(b, "join" | "lookup" | "union" | "inner" | "leftouter")
                    && !JOIN_KINDS.contains(&b)
            });
            if !call && text(&tokens[k]) == "(" {
                region = k + 1;
                break;
            }
        }
        let region_tokens = &tokens[region..];
        // The last `|` of the region at its own depth.
        let mut depth = 0i64;
        let mut last_pipe = None;
        for (k, t) in region_tokens.iter().enumerate() {
            match text(t) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                "|" if depth == 0 => last_pipe = Some(k),
                _ => {}
            }
        }
        let region_start = region_tokens.first().map_or(line.len(), |t| t.span.start);
        let mut scope = Scope::new(ScopeKind::Source, statement_start, local_lets);
        let Some(p) = last_pipe else {
            scope.kind = match region_tokens.first().map(text) {
                None => ScopeKind::Source,
                Some("print") => ScopeKind::Print,
                Some("union") if region_tokens.len() == 1 || region_tokens.last().map(text) == Some(",") => {
                    ScopeKind::Source
                }
                _ => ScopeKind::NewName, // after a table name: nothing sensible
            };
            return scope;
        };
        scope.source = (region_start.min(line.len()), region_tokens[p].span.start);
        let segment = &region_tokens[p + 1..];
        if segment.is_empty() {
            scope.kind = ScopeKind::OperatorName;
            return scope;
        }
        // The operator's name, joining `project` `-` `away`.
        let mut name = text(&segment[0]).to_string();
        let mut k = 1;
        while k + 1 < segment.len() && text(&segment[k]) == "-" && segment[k].span.start == segment[k - 1].span.end {
            name.push('-');
            name.push_str(text(&segment[k + 1]));
            k += 2;
        }
        // `project-` with the cursor after the `-`: still the operator's name.
        if k + 1 == segment.len() && text(&segment[k]) == "-" && segment[k].span.start == segment[k - 1].span.end {
            scope.kind = ScopeKind::OperatorName;
            return scope;
        }
        let args = &segment[k..];
        let last = args.last().map(text);
        let after_kind = last == Some("=") && args.len() >= 2 && text(&args[args.len() - 2]) == "kind";
        let tabular_operator = matches!(name.as_str(), "join" | "lookup" | "union");
        // Tokens of the operator before the table: `kind = x`, hints, `(`.
        let mut j = 0;
        while j + 2 < args.len() + 1 && args.get(j + 1).map(text) == Some("=") {
            j += 3;
        }
        let table_expected = tabular_operator
            && (j >= args.len() || (name == "union" && last == Some(",")))
            && !after_kind
            && !args.iter().any(|t| text(t) == "on");
        let right = if matches!(name.as_str(), "join" | "lookup") && j < args.len() {
            let first = &args[j];
            if text(first) == "(" {
                let mut d = 0;
                let mut end = None;
                for (m, t) in args[j..].iter().enumerate() {
                    match text(t) {
                        "(" => d += 1,
                        ")" => {
                            d -= 1;
                            if d == 0 {
                                end = Some(j + m);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end.map(|e| (args[j + 1].span.start, args[e].span.start))
            } else {
                Some((first.span.start, first.span.end))
            }
        } else {
            None
        };
        scope.kind = ScopeKind::Operator { name, right, after_kind, table_expected };
        scope
    }

    fn new(kind: ScopeKind, statement_start: usize, local_lets: Vec<String>) -> Scope {
        Scope { kind, statement_start, source: (0, 0), local_lets }
    }

    /// The earlier statements followed by the pipeline before the operator.
    fn source_text(&self, line: &str) -> String {
        self.with_prelude(line, &self.source)
    }

    /// The earlier statements followed by the text of `range`.
    fn with_prelude(&self, line: &str, range: &(usize, usize)) -> String {
        let (a, b) = (range.0.min(line.len()), range.1.min(line.len()));
        format!("{}\n{}", &line[..self.statement_start.min(a)], &line[a..b.max(a)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completer() -> Completer {
        Completer::new(Session::builtin(), &[])
    }

    /// The displayed candidates at the end of `line`.
    fn at_end(c: &Completer, line: &str) -> Vec<String> {
        c.complete(line, line.len()).items.into_iter().map(|i| i.display).collect()
    }

    #[test]
    fn a_word_after_a_multibyte_character() {
        // Found by the fuzz suite: the word start was taken one byte after
        // the `é`, inside it, and slicing there panicked.
        let c = completer();
        let line = "NTAIpDetails | project-aw€Ip";
        assert_eq!(c.complete(line, line.len()).start, line.len() - 2);
        let line = "NTAIpDetails | where\u{FFFD}Flow";
        assert_eq!(c.complete(line, line.len()).start, line.len() - 4);
        let _ = at_end(&c, "print é");
    }

    #[test]
    fn tables_at_the_start_and_after_let() {
        let c = completer();
        // The built-in catalog has the whole traffic-analytics family.
        assert_eq!(
            at_end(&c, "NTA"),
            ["NTAInsights", "NTAIpDetails", "NTANetAnalytics", "NTARuleRecommendation", "NTATopologyDetails"]
        );
        assert_eq!(at_end(&c, "let x = NTAIp"), ["NTAIpDetails"]);
        assert_eq!(at_end(&c, "let x = 1; NTAN"), ["NTANetAnalytics"]);
        assert!(at_end(&c, "").contains(&"let".to_string()));
        // A new let's name is the user's to choose.
        assert!(at_end(&c, "let NT").is_empty());
    }

    #[test]
    fn operators_after_a_pipe() {
        let c = completer();
        assert_eq!(at_end(&c, "NTAIpDetails | wh"), ["where"]);
        let got = c.complete("NTAIpDetails | project-a", 24);
        assert_eq!(got.start, 15);
        assert_eq!(got.items.iter().map(|i| i.display.as_str()).collect::<Vec<_>>(), ["project-away"]);
        assert!(at_end(&c, "NTAIpDetails\n| ").contains(&"summarize".to_string()));
    }

    #[test]
    fn columns_of_the_pipeline_so_far() {
        let c = completer();
        // Columns first, then functions and the operator's keywords.
        let got = at_end(&c, "NTAIpDetails | where I");
        assert_eq!(got.first().map(String::as_str), Some("Ip"));
        assert!(got.contains(&"iff".to_string()) && got.contains(&"in".to_string()), "{got:?}");
        // Columns made by earlier operators are in scope; dropped ones are not.
        let got = at_end(&c, "NTAIpDetails | project Ip, Url | extend Host = U");
        assert!(got.contains(&"Url".to_string()), "{got:?}");
        let got = at_end(&c, "NTAIpDetails | project Ip | where Ur");
        assert!(!got.contains(&"Url".to_string()), "{got:?}");
        let got = at_end(&c, "NTAIpDetails | extend Hostname = Url | project Ho");
        assert_eq!(got.first().map(String::as_str), Some("Hostname"));
        // Only columns where only columns may come.
        assert_eq!(at_end(&c, "NTAIpDetails | summarize count() by Location | project-away L"), ["Location"]);
        // After `by`.
        let got = at_end(&c, "NTAIpDetails | summarize count() by Loc");
        assert_eq!(got.first().map(String::as_str), Some("Location"));
    }

    #[test]
    fn functions_and_aggregates() {
        let c = completer();
        let got = c.complete("NTAIpDetails | extend n = strc", 30);
        assert_eq!(
            got.items.iter().map(|i| i.replacement.as_str()).collect::<Vec<_>>(),
            ["strcat(", "strcat_array(", "strcat_delim(", "strcmp("]
        );
        // Aggregates only in summarize, and first there.
        assert!(!at_end(&c, "NTAIpDetails | extend n = dcou").contains(&"dcount".to_string()));
        let got = at_end(&c, "NTAIpDetails | summarize dc");
        assert_eq!(got.first().map(String::as_str), Some("dcount"));
        // Inside a call the pipeline's columns stay in scope.
        let got = at_end(&c, "NTAIpDetails | extend n = strcat(Ur");
        assert_eq!(got.first().map(String::as_str), Some("Url"));
    }

    #[test]
    fn joins_and_lookups() {
        let c = completer();
        assert_eq!(at_end(&c, "NTAIpDetails | join kind=inner NTAN"), ["NTANetAnalytics"]);
        assert_eq!(at_end(&c, "NTAIpDetails | join kind=inn"), ["inner", "innerunique"]);
        assert_eq!(at_end(&c, "NTAIpDetails | lookup kind=l"), ["leftouter"]);
        // `on` offers both sides' columns.
        let got = at_end(&c, "NTAIpDetails | join kind=inner NTANetAnalytics on $left.Ip == $right.SrcI");
        assert_eq!(got, ["SrcIp"]);
        let got = at_end(&c, "NTAIpDetails | join kind=inner NTANetAnalytics on $left.I");
        assert_eq!(got, ["Ip"]);
        let got = at_end(&c, "NTAIpDetails | join (NTANetAnalytics | project SrcIp) on SrcI");
        assert_eq!(got, ["SrcIp"]);
        // Inside the parenthesised right side, its own pipeline.
        let got = at_end(&c, "NTAIpDetails | join (NTANetAnalytics | where SrcSubn");
        assert_eq!(got, ["SrcSubnet"]);
    }

    #[test]
    fn earlier_lets_in_the_text_and_remembered_ones() {
        let c = completer();
        let got = at_end(&c, "let Ext = NTAIpDetails | project Ip; Ex");
        assert_eq!(got, ["Ext"]);
        let got = at_end(&c, "let Ext = NTAIpDetails | project Ip; Ext | where I");
        assert_eq!(got.first().map(String::as_str), Some("Ip"));
        let mut s = Session::builtin();
        s.prelude = kql_syntax::parse("let Mal = NTAIpDetails | where FlowType == 'MaliciousFlow'; let k = 3;")
            .script
            .statements;
        let c = Completer::new(s, &["Mal".into(), "k".into()]);
        assert_eq!(at_end(&c, "Ma"), ["Mal"]);
        let got = at_end(&c, "Mal | take k");
        assert_eq!(got, ["k"]);
        assert!(at_end(&c, "Mal | where Threat").contains(&"ThreatType".to_string()));
    }

    #[test]
    fn meta_commands_and_their_arguments() {
        let c = completer();
        assert_eq!(at_end(&c, ".sch"), [".schema"]);
        assert_eq!(at_end(&c, ".schema NTAN"), ["NTANetAnalytics"]);
        assert_eq!(at_end(&c, ".format nd"), ["ndjson"]);
        assert_eq!(at_end(&c, ".help ex"), ["explain"]);
        let got = c.complete(".load data/fl", 13);
        assert!(got.path && got.start == 6, "{got:?}");
        // `.explain` takes a query.
        assert_eq!(at_end(&c, ".explain NTAIpDetails | wh"), ["where"]);
    }

    #[test]
    fn odd_column_names_are_quoted_and_strings_are_left_alone() {
        let c = completer();
        let got = c.complete("NTAIpDetails | project ['a b'] = Ip | where a", 44);
        assert_eq!(got.items.first().map(|i| i.replacement.as_str()), Some("['a b']"));
        assert!(at_end(&c, "NTAIpDetails | where Ip == 'NTA").is_empty());
        assert!(at_end(&c, "NTAIpDetails // NTA").is_empty());
    }
}
