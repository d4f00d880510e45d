//! The scan floor: decoding only the columns a scenario reads, with the
//! parquet crate's Arrow reader on all cores. Every (file, row group,
//! column) is a task; a file with one row group still has one task per
//! column. ntaq's time divided by this is how much it spends beyond
//! reading its input.

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Seconds to decode `columns` (table → names) of the tables in `dir`; the
/// rows decoded are returned too, as a check.
pub fn decode(dir: &Path, columns: &BTreeMap<String, BTreeSet<String>>) -> Result<(f64, u64), String> {
    let data = kql_io::DataDir::open(dir).map_err(|e| e.to_string())?;
    // Footers are read once per file, before the clock starts: the floor
    // is decoding, not metadata parsing repeated per task.
    let mut tasks: Vec<(PathBuf, ArrowReaderMetadata, usize, usize)> = Vec::new();
    for (table, names) in columns {
        let t = data.table(table).ok_or_else(|| format!("no table {table} in {}", dir.display()))?;
        for f in &t.files {
            let path = f.path();
            let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| e.to_string())?;
            for name in names {
                let col = meta.schema().index_of(name).map_err(|e| e.to_string())?;
                for rg in 0..meta.metadata().num_row_groups() {
                    tasks.push((path.clone(), meta.clone(), rg, col));
                }
            }
        }
    }
    let start = Instant::now();
    let rows: Result<Vec<u64>, String> = tasks
        .par_iter()
        .map(|(path, meta, rg, col)| {
            let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
            let b = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone());
            let mask = ProjectionMask::roots(b.parquet_schema(), [*col]);
            let reader = b.with_row_groups(vec![*rg]).with_projection(mask).with_batch_size(8192).build();
            let mut n = 0;
            for batch in reader.map_err(|e| e.to_string())? {
                n += batch.map_err(|e| e.to_string())?.num_rows() as u64;
            }
            Ok(n)
        })
        .collect();
    Ok((start.elapsed().as_secs_f64(), rows?.iter().sum()))
}
