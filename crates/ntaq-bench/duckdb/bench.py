"""Runs one scenario's SQL in DuckDB for ntaq-bench.

Usage: bench.py DATA_DIR SQL_FILE RUNS THREADS START END NOW [CSV_OUT]

Prints one JSON object: the cold (first) and warm run times in seconds and
the result's row count. With CSV_OUT, also writes the result there (the
harness compares it with ntaq's on the bundled sample).
"""

import csv
import json
import sys
import time

import duckdb


def main() -> None:
    data, sql_file, runs, threads, start, end, now = sys.argv[1:8]
    csv_out = sys.argv[8] if len(sys.argv) > 8 else None
    ts = lambda iso: f"TIMESTAMPTZ '{iso}'"
    sql = open(sql_file, encoding="utf-8").read()
    sql = sql.replace("{start}", ts(start)).replace("{end}", ts(end)).replace("{now}", ts(now))
    con = duckdb.connect(config={"threads": int(threads)})
    con.execute("SET TimeZone = 'UTC'")
    for table in ("NTANetAnalytics", "NTAIpDetails"):
        alias = "nta" if table == "NTANetAnalytics" else "ipd"
        con.execute(f"CREATE VIEW {alias} AS SELECT * FROM read_parquet('{source(data, table)}')")
    times = []
    rows = 0
    result = None
    for _ in range(int(runs) + 1):
        t0 = time.perf_counter()
        result = con.sql(sql).to_arrow_table()
        times.append(time.perf_counter() - t0)
        rows = result.num_rows
    if csv_out:
        with open(csv_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(result.column_names)
            for row in zip(*(c.to_pylist() for c in result.columns)):
                w.writerow(row)
    print(json.dumps({"cold": times[0], "warm": times[1:], "rows": rows}))


def source(data: str, table: str) -> str:
    import os

    folder = os.path.join(data, table)
    return f"{folder}/*.parquet" if os.path.isdir(folder) else f"{folder}.parquet"


if __name__ == "__main__":
    main()
