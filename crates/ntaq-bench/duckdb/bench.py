"""Runs one scenario's SQL in DuckDB for ntaq-bench.

Usage: bench.py DATA_DIR SQL_FILE RUNS THREADS START END NOW TIMEOUT OUT [CSV_OUT]

Each of the 1 + RUNS executions writes the whole result to OUT as CSV
(`COPY … TO`), as ntaq writes its result to a file, so both time the whole
query. An execution still running after TIMEOUT seconds is interrupted.
Prints one JSON object: the cold (first) and warm run times in seconds and
the result's row count, or {"timeout": true}. With CSV_OUT, the result is
also written there by Python's csv module (the harness compares it with
ntaq's on the bundled sample).
"""

import csv
import json
import os
import sys
import threading
import time

import duckdb


def main() -> None:
    data, sql_file, runs, threads, start, end, now, timeout, out = sys.argv[1:10]
    csv_out = sys.argv[10] if len(sys.argv) > 10 else None
    ts = lambda iso: f"TIMESTAMPTZ '{iso}'"
    sql = open(sql_file, encoding="utf-8").read().strip().rstrip(";")
    sql = sql.replace("{start}", ts(start)).replace("{end}", ts(end)).replace("{now}", ts(now))
    con = duckdb.connect(config={"threads": int(threads)})
    con.execute("SET TimeZone = 'UTC'")
    for table in ("NTANetAnalytics", "NTAIpDetails"):
        alias = "nta" if table == "NTANetAnalytics" else "ipd"
        con.execute(f"CREATE VIEW {alias} AS SELECT * FROM read_parquet('{source(data, table)}')")
    copy = f"COPY (\n{sql}\n) TO '{out}' (FORMAT csv, HEADER)"
    times = []
    rows = 0
    for _ in range(int(runs) + 1):
        # The last execution's output written out first (as the harness
        # does before each ntaq run): not timed.
        os.sync()
        timer = threading.Timer(float(timeout), con.interrupt)
        timer.start()
        t0 = time.perf_counter()
        try:
            rows = con.execute(copy).fetchone()[0]
        except duckdb.InterruptException:
            print(json.dumps({"timeout": True}))
            return
        finally:
            timer.cancel()
        times.append(time.perf_counter() - t0)
    if csv_out:
        result = con.sql(sql).to_arrow_table()
        with open(csv_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(result.column_names)
            for row in zip(*(c.to_pylist() for c in result.columns)):
                w.writerow(row)
    print(json.dumps({"cold": times[0], "warm": times[1:], "rows": rows}))


def source(data: str, table: str) -> str:
    folder = os.path.join(data, table)
    return f"{folder}/*.parquet" if os.path.isdir(folder) else f"{folder}.parquet"


if __name__ == "__main__":
    main()
