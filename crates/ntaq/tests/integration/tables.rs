//! Tables for people (issue 15): fitted to `$COLUMNS` / `--max-width`,
//! cells cut keeping a path's last segment, never cut in pipes and files,
//! numbers right-aligned, `1 row`, emoji widths, the line and markdown
//! formats, and the output format of a file from its extension.
//!
//! Expected answers are known independently of the table writer: the VNet
//! names come from the same query's CSV, widths are counted here from the
//! characters the sample holds.

use crate::common::{command, output, repo, stderr as err, stdout as out};
use std::process::Output;

/// `ntaq ARGS` in the repository root with `stdin` on standard input, and
/// `COLUMNS` set to `columns` (unset when None).
fn ntaq_with(args: &[&str], columns: Option<&str>, stdin: &str) -> Output {
    let mut cmd = command(&repo());
    cmd.args(args);
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    output(&mut cmd, stdin.as_bytes())
}

fn ntaq(args: &[&str], columns: Option<&str>) -> Output {
    ntaq_with(args, columns, "")
}

const SCENARIO2: [&str; 4] = ["run", "-q", "queries/scenario2.kql", "--now"];
const NOW: &str = "2025-06-02T00:00:00Z";
const SCENARIO3: [&str; 6] = [
    "run",
    "queries/scenario3.kql",
    "--param",
    "timeInterval:startISO=2025-06-01T00:00:00Z",
    "--param",
    "timeInterval:endISO=2025-06-02T00:00:00Z",
];

fn scenario2(extra: &[&str], columns: Option<&str>) -> Output {
    let mut args = SCENARIO2.to_vec();
    args.push(NOW);
    args.extend(extra);
    let o = ntaq(&args, columns);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    o
}

/// Scenario 2's VNets (resource IDs), from its CSV: the first column.
fn scenario2_vnets() -> Vec<String> {
    let csv = out(&scenario2(&["--format", "csv"], None));
    let mut vnets: Vec<String> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect();
    vnets.dedup();
    assert!(vnets.len() > 3 && vnets.iter().all(|v| v.starts_with("/subscriptions/")), "{vnets:?}");
    vnets
}

/// The name a resource ID ends with.
fn name_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap()
}

/// Terminal columns of text holding only ASCII, `…`, and the sample's
/// emoji: 🌐 (one wide character) and 🖥️ (U+1F5A5 U+FE0F, drawn 2 wide).
fn columns(line: &str) -> usize {
    let mut n = 0;
    for c in line.chars() {
        n += match c {
            '\u{FE0F}' => 1, // 🖥 counted 1 below, 2 with its selector
            '\u{1F5A5}' => 1,
            '🌐' => 2,
            '…' => 1,
            c if c.is_ascii() => 1,
            c => panic!("unexpected character {c:?} in {line:?}"),
        };
    }
    n
}

/// The cells of a table line (`| a | b |`), trimmed.
fn cells(line: &str) -> Vec<&str> {
    let inner = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')).unwrap_or(line);
    inner.split(" | ").map(str::trim).collect()
}

#[test]
fn scenario2_fits_120_columns_and_names_every_vnet() {
    let vnets = scenario2_vnets();
    let o = scenario2(&[], Some("120"));
    let table = out(&o);
    let lines: Vec<&str> = table.lines().collect();
    for line in &lines {
        assert!(columns(line) <= 120, "{} columns: {line}", columns(line));
    }
    assert_eq!(columns(lines[0]), 120, "the table uses the width it has:\n{table}");
    // Each row's Vnet cell ends with the row's VNet name, in the CSV's order.
    let rows: Vec<&str> = lines.iter().filter(|l| l.starts_with("| /")).copied().collect();
    let csv = out(&scenario2(&["--format", "csv"], None));
    let ids: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(rows.len(), ids.len());
    for (row, id) in rows.iter().zip(&ids) {
        let cell = cells(row)[0];
        assert!(cell.contains('…'), "cut: {cell}");
        assert!(cell.ends_with(&format!("/{}", name_of(id))), "{cell} does not end with {}", name_of(id));
        assert!(id.starts_with(cell.split('…').next().unwrap()), "{cell} keeps the start of {id}");
    }
    for v in &vnets {
        assert!(table.contains(name_of(v)), "{} missing:\n{table}", name_of(v));
    }
    // The notes on standard error fit too (the sample's note is wrapped).
    let loud = ntaq(&["run", "queries/scenario2.kql", "--now", NOW], Some("120"));
    assert!(err(&loud).contains("bundled sample") && err(&loud).contains("29 rows ("), "{}", err(&loud));
    for line in err(&loud).lines() {
        assert!(line.chars().count() <= 120, "{line}");
    }
    // CounterValue is a number: right-aligned under its 12-column name.
    for row in &rows {
        let last = row.rsplit('|').nth(1).unwrap();
        assert_eq!(last, format!(" {:>12} ", last.trim()), "{row}");
    }
}

#[test]
fn max_width_overrides_columns_and_zero_never_cuts() {
    let vnets = scenario2_vnets();
    let o = scenario2(&["--max-width", "80"], Some("200"));
    for line in out(&o).lines() {
        assert!(columns(line) <= 80, "{line}");
    }
    for v in &vnets {
        assert!(out(&o).contains(&format!("…/{}", name_of(v))), "{}:\n{}", name_of(v), out(&o));
    }
    let o = scenario2(&["--max-width", "0"], Some("60"));
    for v in &vnets {
        assert!(out(&o).contains(&format!("| {v} ")), "{v} whole:\n{}", out(&o));
    }
    assert!(!out(&o).contains('…'));
}

#[test]
fn a_pipe_without_columns_gets_whole_cells() {
    // Standard output is not a terminal here and $COLUMNS is unset.
    let o = scenario2(&[], None);
    for v in scenario2_vnets() {
        assert!(out(&o).contains(&format!("| {v} ")), "{v} whole:\n{}", out(&o));
    }
    assert!(!out(&o).contains('…'));
}

#[test]
fn an_emoji_with_its_selector_does_not_shift_the_columns() {
    // Scenario 1 shows 🖥️10.x addresses and 🌐 public IPs; every bar of every
    // line is at the same terminal column as the `+` of the rules.
    let o = ntaq(&["run", "-q", "queries/scenario1.kql", "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let table = out(&o);
    assert!(table.contains("🖥\u{FE0F}1"), "{table}");
    let bars = |line: &str, bar: char| -> Vec<usize> {
        let mut at = Vec::new();
        let mut col = 0;
        for c in line.chars() {
            if c == bar {
                at.push(col);
            }
            col += columns(&c.to_string());
        }
        at
    };
    let rule = bars(table.lines().next().unwrap(), '+');
    assert!(rule.len() > 5);
    for line in table.lines().filter(|l| l.starts_with('|')) {
        assert_eq!(bars(line, '|'), rule, "{line}");
    }
}

#[test]
fn numbers_are_right_aligned_and_one_row_is_a_row() {
    let o = ntaq(&["run", "-c", "print Count = 7, Name = 'abc', Ratio = 0.5"], None);
    assert_eq!(
        out(&o),
        "\
+-------+------+-------+
| Count | Name | Ratio |
+-------+------+-------+
|     7 | abc  |   0.5 |
+-------+------+-------+
"
    );
    assert!(err(&o).lines().any(|l| l.starts_with("1 row (")), "{}", err(&o));
    assert!(!err(&o).contains("1 rows"), "{}", err(&o));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.csv");
    let o = ntaq(&["run", "-c", "print 1", "-o", file.to_str().unwrap()], None);
    assert!(err(&o).contains("1 row written to"), "{}", err(&o));
}

#[test]
fn line_and_markdown_formats() {
    let query = "datatable(i:long, Name:string) [1, 'n1', 2, 'n2']";
    let o = ntaq(&["run", "-q", "--format", "line", "-c", query], None);
    assert_eq!(out(&o), "   i = 1\nName = n1\n\n   i = 2\nName = n2\n");
    let o = ntaq(&["run", "-q", "--format", "markdown", "-c", "print a = 'p|q', n = 10"], None);
    assert_eq!(out(&o), "| a    |   n |\n|------|----:|\n| p\\|q |  10 |\n");
    // Line records are cut to the width too: 40 less "PublicIpDetails = " (18)
    // leaves 22 columns for a value.
    let o = scenario2(&["--format", "line", "--max-width", "40"], None);
    let text = out(&o);
    let vnet_lines: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("Vnet = ")).collect();
    assert!(!vnet_lines.is_empty());
    for l in &vnet_lines {
        assert!(columns(l) <= 40, "{l}");
        assert!(l.contains("…"), "{l}");
    }
}

#[test]
fn a_file_gets_every_row_whole() {
    let dir = tempfile::tempdir().unwrap();
    let csv = ntaq(&[&SCENARIO3[..], &["--format", "csv"]].concat(), None);
    let rows = out(&csv).lines().count() - 1;
    assert!(rows > 100, "scenario 3 has more rows than a table shows: {rows}");

    // A narrow $COLUMNS does not reach files.
    let report = dir.path().join("report.txt");
    let o = ntaq(&[&SCENARIO3[..], &["-o", report.to_str().unwrap()]].concat(), Some("40"));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains(&format!("\n{rows} rows written to")), "{}", err(&o));
    let text = std::fs::read_to_string(&report).unwrap();
    let body: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).skip(1).collect();
    assert_eq!(body.len(), rows, "{text}");
    assert!(!text.contains('…') && !text.contains("more rows"), "{text}");
    // The same cells as the CSV, row by row (the table trims the cells' spaces).
    for (line, csv_line) in body.iter().zip(out(&csv).lines().skip(1)) {
        assert_eq!(cells(line), csv_line.split(',').map(str::trim).collect::<Vec<_>>());
    }

    // Markdown by extension, every row.
    let md = dir.path().join("report.md");
    let o = ntaq(&[&SCENARIO3[..], &["-o", md.to_str().unwrap()]].concat(), Some("40"));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = std::fs::read_to_string(&md).unwrap();
    assert_eq!(text.lines().count(), rows + 2, "{text}");
    assert!(text.starts_with("| SrcIp"), "{text}");

    // --output-dir with --format table or line: whole too.
    let reports = dir.path().join("reports");
    let mut args = SCENARIO3.to_vec();
    args.extend(["--format", "line", "--output-dir", reports.to_str().unwrap()]);
    let o = ntaq(&args, Some("40"));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = std::fs::read_to_string(reports.join("scenario3.txt")).unwrap();
    assert_eq!(text.lines().filter(|l| l.trim_start().starts_with("SrcIp = ")).count(), rows);
    assert!(!text.contains('…') && !text.contains("more rows"));
}

#[test]
fn the_extension_chooses_the_format_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let query = "print n = 1";
    for name in ["r.xyz", "report"] {
        let path = dir.path().join(name);
        let o = ntaq(&["run", "-c", query, "-o", path.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
        assert!(err(&o).contains("kql::io::unknown_extension"), "{}", err(&o));
        assert!(err(&o).contains(".csv .json .ndjson .jsonl .parquet .pq .md .txt .svg"), "{}", err(&o));
        assert!(!path.exists());
        // With --format, any name.
        let o = ntaq(&["run", "-q", "-c", query, "--format", "csv", "-o", path.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "n\n1\n");
    }
    // Charts and graphs by their extensions: an HTML page needs no `render`;
    // an SVG chart does, and a graph two columns — refused, nothing written.
    let html = dir.path().join("chart.html");
    let o = ntaq(&["run", "-q", "-c", query, "-o", html.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(std::fs::read_to_string(&html).unwrap().contains("<td class=\"num\">1</td>"));
    for (name, code) in
        [("chart.svg", "kql::io::no_chart"), ("flows.dot", "kql::io::graph"), ("flows.mmd", "kql::io::graph")]
    {
        let path = dir.path().join(name);
        let o = ntaq(&["run", "-c", query, "-o", path.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
        assert!(err(&o).contains(code), "{}", err(&o));
        assert!(!path.exists());
    }
    let md = dir.path().join("r.MD");
    let o = ntaq(&["run", "-q", "-c", query, "-o", md.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "|   n |\n|----:|\n|   1 |\n");
}

#[test]
fn the_shell_fits_tables_and_writes_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s3.txt");
    let scenario3 = std::fs::read_to_string(repo().join("queries/scenario3.kql")).unwrap();
    let scenario2 = std::fs::read_to_string(repo().join("queries/scenario2.kql")).unwrap();
    let input = format!(
        ".param timeInterval:startISO=2025-06-01T00:00:00Z\n.param timeInterval:endISO=2025-06-02T00:00:00Z\n\
         .now {NOW}\n.maxwidth 70\n\n{scenario2}\n\n.maxwidth\n.maxwidth 0\n.maxwidth wide\n\n\
         .output {}\n\n{scenario3}\n\n.output off\n.output {}\n\n.format line\n.timing on\n\nprint One = 1\n",
        file.display(),
        dir.path().join("x.xyz").display(),
    );
    let o = ntaq_with(&["repl"], None, &input);
    let (text, e) = (out(&o), err(&o));
    let table: Vec<&str> = text.lines().take_while(|l| !l.contains("One")).collect();
    assert!(table.len() > 5, "{text}");
    for line in &table {
        assert!(columns(line) <= 70, "{line}");
    }
    for v in scenario2_vnets() {
        assert!(text.contains(&format!("…/{}", name_of(&v))), "{}:\n{text}", name_of(&v));
    }
    assert!(e.contains("tables fit 70 columns"), "{e}");
    assert!(e.contains("`wide` is not a width"), "{e}");
    // The file: every row of scenario 3 (more than .maxrows' 100), whole.
    let csv = ntaq(&[&SCENARIO3[..], &["--format", "csv"]].concat(), None);
    let rows = out(&csv).lines().count() - 1;
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().filter(|l| l.starts_with('|')).count(), rows + 1, "{written}");
    assert!(!written.contains('…'));
    assert!(e.contains(&format!("{rows} rows appended to")), "{e}");
    // An unknown extension is refused; the line format; one row.
    assert!(e.contains("cannot tell the output format from the file name"), "{e}");
    assert!(text.ends_with("One = 1\n"), "{text}");
    assert!(e.lines().any(|l| l.starts_with("1 row (")), "{e}");
}

#[test]
fn a_chosen_format_names_any_file_and_an_explicit_row_limit_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The shell: after `.format csv`, a file without a known extension is CSV.
    let log = dir.path().join("results.log");
    let o = ntaq_with(&["repl"], None, &format!(".format csv\n.output {}\nprint n = 1\n", log.display()));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "n\n1\n");
    // run: --max-rows cuts a table file, and the report says so.
    let txt = dir.path().join("first.txt");
    let query = "datatable(i:long) [1, 2, 3]";
    let o = ntaq(&["run", "-c", query, "--max-rows", "2", "-o", txt.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("2 of 3 rows written to"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), "+---+\n| i |\n+---+\n| 1 |\n| 2 |\n+---+\n… 1 more row\n");
}
