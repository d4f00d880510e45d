"""Rewrites an ntaq-gen data set the way pyarrow, pandas, Spark or an Azure
Data Explorer export write Parquet, for ntaq-bench's `pyarrow` shape.

Usage: reshape.py SRC_DIR OUT_DIR SEED

Same rows and columns (timestamp[us, UTC], int32 ports and all other types
kept), but rows in random order (a permutation seeded by SEED), row groups
of 1,048,576 rows, snappy, pyarrow's default dictionaries and statistics,
and no page index. Tables are read with their strings dictionary-encoded so
that 10M rows fit in memory; each row group is cast back to plain strings
before it is written.
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
        path = os.path.join(src, f"{table}.parquet")
        schema = pq.read_schema(path)
        strings = [f.name for f in schema if pa.types.is_string(f.type)]
        data = pq.read_table(path, read_dictionary=strings)
        order = np.random.default_rng([seed, k]).permutation(data.num_rows)
        with pq.ParquetWriter(
            os.path.join(out, f"{table}.parquet"),
            schema,
            compression="snappy",
            write_page_index=False,
        ) as w:
            for at in range(0, data.num_rows, ROW_GROUP):
                w.write_table(data.take(order[at : at + ROW_GROUP]).cast(schema), row_group_size=ROW_GROUP)
        print(f"{table}: {data.num_rows} rows shuffled into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
