//! How far a query's table scans have got, for front ends that show
//! progress. The executor only counts; it never prints.
//!
//! A [`ScanProgress`] is shared (`Arc`) between the executor, which updates
//! it from whatever thread runs the query, and a reader that polls it.

use crate::ops::Executor;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows read by a query's table scans, and the rows those scans will read
/// in all when the tables say how many they have (Parquet footers do).
#[derive(Debug, Default)]
pub struct ScanProgress {
    rows_total: AtomicU64,
    rows_done: AtomicU64,
    scans: AtomicU64,
}

impl ScanProgress {
    pub fn new() -> Arc<ScanProgress> {
        Arc::new(ScanProgress::default())
    }

    /// Rows the scans started so far will read in all (0 while none has
    /// started or when the tables do not know their size). It grows as
    /// scans start: a table read twice counts twice.
    pub fn rows_total(&self) -> u64 {
        self.rows_total.load(Ordering::Relaxed)
    }

    /// Rows read so far.
    pub fn rows_done(&self) -> u64 {
        self.rows_done.load(Ordering::Relaxed)
    }

    /// Table scans started so far.
    pub fn scans(&self) -> u64 {
        self.scans.load(Ordering::Relaxed)
    }

    /// Counts the rows of `stream`, a scan of a table with `rows` rows if known.
    /// A scan starts that will read `rows` rows (if known).
    pub(crate) fn register(&self, rows: Option<u64>) {
        self.scans.fetch_add(1, Ordering::Relaxed);
        if let Some(n) = rows {
            self.rows_total.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// A scan read `rows` more rows.
    pub(crate) fn count(&self, rows: usize) {
        self.rows_done.fetch_add(rows as u64, Ordering::Relaxed);
    }
}

impl Executor<'_> {
    /// The same executor, counting the rows its table scans read into
    /// `progress` (call before running).
    pub fn with_progress(mut self, progress: Arc<ScanProgress>) -> Self {
        self.progress = Some(progress);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemTables;
    use arrow_array::{Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::atomic::AtomicBool;

    fn table(rows: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from_iter_values(0..rows))]).unwrap()
    }

    #[test]
    fn counts_the_rows_every_scan_reads() {
        let mut tables = MemTables::new();
        tables.insert("T", vec![table(5), table(7)]);
        tables.insert("U", vec![table(3)]);
        let catalog = {
            let mut c = kql_plan::Catalog::new();
            for name in ["T", "U"] {
                let schema = Schema::new(vec![Field::new("x", DataType::Int64, true)]);
                let (def, _) = kql_plan::TableDef::from_arrow(name, &schema, kql_plan::TableOrigin::Builtin);
                c.insert(def);
            }
            c
        };
        // T is read twice (the union and the `in` sub-query), U once.
        let text = "union T, U | where x in (T | project x) | count";
        let bound = kql_plan::bind(&kql_syntax::parse(text).script, &catalog, &kql_plan::Params::default());
        assert!(bound.diagnostics.is_empty(), "{:?}", bound.diagnostics);
        let progress = ScanProgress::new();
        let ex =
            Executor::new(&bound.program, &tables, 0, Arc::new(AtomicBool::new(false))).with_progress(progress.clone());
        let rows: usize = ex.collect(&bound.program.results[0]).unwrap().iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 1);
        assert_eq!(progress.scans(), 3);
        assert_eq!(progress.rows_done(), 12 + 3 + 12);
        assert_eq!(progress.rows_total(), 12 + 3 + 12);
    }

    #[test]
    fn parquet_tables_know_their_size_from_the_footers() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("T.parquet")).unwrap();
        let batch = table(10_000);
        let props =
            parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(1000)).build();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let data = Arc::new(kql_io::DataDir::open(dir.path()).unwrap());
        let tables = crate::ParquetTables::new(data.clone());
        let mut catalog = kql_plan::Catalog::new();
        let t = data.table("T").unwrap();
        catalog.insert(kql_plan::TableDef::from_arrow("T", &t.schema, kql_plan::TableOrigin::Builtin).0);
        let bound = kql_plan::bind(&kql_syntax::parse("T | where x % 2 == 0").script, &catalog, &Default::default());
        let progress = ScanProgress::new();
        let ex =
            Executor::new(&bound.program, &tables, 0, Arc::new(AtomicBool::new(false))).with_progress(progress.clone());
        // One thread: the scan reads two of the ten row groups at a time.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        pool.install(|| {
            let mut stream = ex.run(&bound.program.results[0]).unwrap();
            // The total is known as soon as the scan starts, before any row is read.
            assert_eq!((progress.rows_total(), progress.rows_done()), (10_000, 0));
            let first = stream.next().unwrap().unwrap();
            assert!(progress.rows_done() > 0 && progress.rows_done() < 10_000, "{}", progress.rows_done());
            let rest: usize = stream.map(|b| b.unwrap().num_rows()).sum();
            assert_eq!(first.num_rows() + rest, 5_000);
            assert_eq!(progress.rows_done(), 10_000);
        });
    }
}
