"""Rewrites an ntaq-gen data set the way pyarrow, pandas, Spark or an Azure
Data Explorer export write Parquet, for ntaq-bench's `pyarrow` shape.

Usage: reshape.py SRC_DIR OUT_DIR SEED

Same rows and columns (timestamp[us, UTC], int32 ports and all other types
kept), but rows in random order (a permutation seeded by SEED), row groups
of 1,048,576 rows, snappy, pyarrow's default dictionaries and statistics,
and no page index. Memory stays near one output row group whatever the
size: each output row group is gathered from every input row group in
turn (so the input is read once per output row group), then put in its
shuffled order.
"""

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 1_048_576


def main() -> None:
    src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    for k, table in enumerate(("NTANetAnalytics", "NTAIpDetails")):
        source = pq.ParquetFile(os.path.join(src, f"{table}.parquet"))
        n = source.metadata.num_rows
        sizes = [source.metadata.row_group(i).num_rows for i in range(source.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)])
        order = np.random.default_rng([seed, k]).permutation(n)  # output row -> input row
        with pq.ParquetWriter(
            os.path.join(out, f"{table}.parquet"),
            source.schema_arrow,
            compression="snappy",
            write_page_index=False,
        ) as w:
            for at in range(0, max(n, 1), ROW_GROUP):
                rows = order[at : at + ROW_GROUP]
                wanted = np.sort(rows)
                pieces = []
                for i in range(source.num_row_groups):
                    lo, hi = np.searchsorted(wanted, [starts[i], starts[i + 1]])
                    if hi > lo:
                        pieces.append(source.read_row_group(i).take(wanted[lo:hi] - starts[i]))
                gathered = pa.concat_tables(pieces) if pieces else source.schema_arrow.empty_table()
                rank = np.empty(len(rows), dtype=np.int64)  # rows[j] is gathered[rank[j]]
                rank[np.argsort(rows)] = np.arange(len(rows))
                w.write_table(gathered.take(rank), row_group_size=ROW_GROUP)
        print(f"{table}: {n} rows shuffled into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
