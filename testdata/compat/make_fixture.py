"""Writes NTA tables the way other tools do, to test that ntaq reads them.

pyarrow (26) writes: timestamps in microseconds, with and without a UTC zone,
dictionary-encoded and large strings, 32-bit integers where the published
schema has long, nulls in string columns, and only some of the published
columns. The rows are those of the hand-made fixtures of scenarios 2 and 4
in crates/kql-exec/tests/integration/scenarios.rs, so the expected results are the same
hand-derived tables (see crates/ntaq/tests/integration/compat.rs).

Run: python3 testdata/compat/make_fixture.py (needs pyarrow).
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).parent
NOW = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
H = timedelta(hours=1)


def dict_strings(values):
    return pa.array(values, type=pa.string()).dictionary_encode()


def main():
    recent, old = NOW - H, NOW - 5 * H
    # Scenario 2 reads FlowIntervalStartTime: here timestamp[us] without a zone.
    ip = pa.table(
        {
            "Ip": pa.array(["20.1.1.1", "20.2.2.2", "20.3.3.3", "9.9.9.9"], type=pa.large_string()),
            "FlowType": dict_strings(["AzurePublic", "AzurePublic", "AzurePublic", "ExternalPublic"]),
            "FlowIntervalStartTime": pa.array([t.replace(tzinfo=None) for t in [recent, recent, old, recent]], type=pa.timestamp("us")),
            "PublicIpDetails": ["Azure Monitor", "Azure Arc", "Old Service", "Someone"],
        }
    )
    pq.write_table(ip, OUT / "NTAIpDetails.parquet", compression="snappy")

    t0 = NOW - 10 * H
    net = pa.table(
        {
            # Scenario 2 rows (0-4, their FlowStartTime after scenario 4's window) then
            # scenario 4 rows (5-11, their FlowIntervalStartTime older than 4 hours).
            "SubType": dict_strings(["FlowLog"] * 12),
            "FlowType": dict_strings(
                ["IntraVNet"] * 5 + ["InterVNet", "InterVNet", "InterVNet", "IntraVNet", "AzurePublic", "S2S", "S2S"]
            ),
            "FlowIntervalStartTime": pa.array([recent, recent, recent, old, recent] + [old] * 7, type=pa.timestamp("us", tz="UTC")),
            "FlowStartTime": pa.array(
                [NOW + 5 * H] * 5 + [t0, t0 + H, t0, t0, t0, NOW + 5 * H, t0], type=pa.timestamp("us", tz="UTC")
            ),
            "SrcPublicIps": [
                "20.1.1.1|1|1|1|1|1|1 20.2.2.2|1|1|1|1|1|1",
                None,
                "20.1.1.1|1|1|1|1|1|1",
                "20.1.1.1|1|1|1|1|1|1",
                None,
            ]
            + [None] * 7,
            "DestPublicIps": [None, "20.1.1.1|1|1|1|1|1|1", None, None, None] + [None] * 7,
            "SrcSubnet": ["rgA/vnetA/s1", None, "rgA/vnetA/s2", "rgA/vnetA/s1", "rgA/vnetA/s1"]
            + ["rgA/vnetA/s1", "rgA/vnetA/s1", "rgA/vnetA/s1", "rgA/vnetA/s1", "rgA/vnetA/s1", "rgC/vnetC/s1", "rgC/vnetC/x"],
            "DestSubnet": [None, "rgB/vnetB/s1", None, None, None]
            + ["rgB/vnetB/s1", "rgB/vnetB/s1", "rgB/vnetB/s1", "rgA/vnetA/s2", None, "rgB/vnetB/s1", None],
            "SrcSubscription": ["A", None, "A", "A", "A"] + ["A", "A", "A", "A", "A", "C", "C"],
            "DestSubscription": [None, "B", None, None, None] + ["B", "B", "B", "A", None, "B", None],
            "AclGroup": ["nsg0"] * 5 + ["nsg1", "nsg1", "Unspecified", "nsg2", "nsg3", "nsg4", "nsg5"],
            "AclRule": ["r0"] * 5 + ["r1", "r1", "r1", "r2", "r3", "r4", "r5"],
            "CompletedFlows": pa.array([0] * 5 + [5, 3, 100, 100, 100, 100, 7], type=pa.int32()),
        }
    )
    pq.write_table(net, OUT / "NTANetAnalytics.parquet", compression="zstd")


if __name__ == "__main__":
    main()
