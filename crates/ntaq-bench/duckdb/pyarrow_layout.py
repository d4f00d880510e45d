"""What the harness's Python-written NTA shapes share (random_nta.py,
many_groups.py): the time constants and writing tables the way pyarrow,
pandas or Spark write them by default — snappy, row groups of 1,048,576
rows, no page index, datetimes as timestamp[us, UTC].

ntaq-bench fingerprints this file with each script that imports it, so
editing it regenerates their cached data sets.
"""

import os
import sys
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1_048_576  # rows per generated chunk = per row group
DAY_US = 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000
T0 = int(datetime(2025, 6, 1, tzinfo=timezone.utc).timestamp() * 1_000_000)
TS = pa.timestamp("us", tz="UTC")


def write_tables(out, tables):
    """Writes each (name, total rows, make(at, k) -> pa.Table) as
    OUT/name.parquet, one row group per chunk of CHUNK rows; an empty
    table is still written (make(0, 0))."""
    os.makedirs(out, exist_ok=True)
    for name, total, make in tables:
        writer = None
        for at in range(0, total, CHUNK) or [0]:
            t = make(at, min(CHUNK, total - at))
            if writer is None:
                writer = pq.ParquetWriter(os.path.join(out, f"{name}.parquet"), t.schema, compression="snappy",
                                          write_page_index=False)
            writer.write_table(t, row_group_size=CHUNK)
        if writer is not None:
            writer.close()
        print(f"{name}: {total} rows into {out}", file=sys.stderr)
