"""Writes the `many-groups` NTA data set for ntaq-bench: flows from random
public IPs, so that scenario 1's `summarize` has about 1.7 groups per
NTANetAnalytics row (~17M at 10M rows) — the result size issue 17 reports
for real flow logs, and the case that needs spilling to stay in memory.

Usage: many_groups.py ROWS OUT_DIR SEED

How scenario 1 sees it:
- every NTANetAnalytics row passes its filter (SubType "FlowLog", FlowType
  "ExternalPublic" or "MaliciousFlow");
- SrcIp is "" (so coalesce(SrcIp, IP) takes the public IP) and
  SrcPublicIps holds one (30 % of rows) or two (70 %) `ip|counts…`
  entries, so mv-expand makes 1.7 rows per row;
- the public IPs are a pool of ROWS / 10 random public addresses, each
  described by exactly one NTAIpDetails row (ROWS / 10 rows) with Location
  country1 or country2 and FlowType MaliciousFlow or ExternalPublic: every
  expanded row finds exactly one ExternalIps row;
- DestIp is drawn from 1,048,576 private addresses, so (source, destination)
  pairs, and with them the groups, almost never repeat.
The other columns are typed as the published schema says and filled from
small pools. Written as pyarrow writes by default: snappy, row groups of
1,048,576 rows, no page index.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pyarrow_layout import DAY_US, HOUR_US, T0, TS, write_tables


def dotted(v):
    """IPv4 text of uint32 values, as an Arrow string array."""
    v = np.asarray(v, dtype=np.uint64)
    parts = [pa.array(((v >> s) & 255).astype(np.int64)).cast(pa.string()) for s in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*parts, ".")


def main() -> None:
    n, out, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    pool = max(n // 10, 1)
    # Distinct random public addresses: first octet 11-222, not 127.
    public = np.unique(rng.integers(11 << 24, 223 << 24, pool * 2, dtype=np.uint64))
    public = public[(public >> 24) != 127]
    public = rng.permutation(public)[:pool]
    public_text = dotted(public)
    counts = [pa.array(rng.integers(lo, hi, pool)).cast(pa.string()) for lo, hi in ((1, 9), (0, 9), (1, 999), (1, 999), (64, 99999), (64, 99999))]
    entries = pc.binary_join_element_wise(public_text, *counts, "|")
    private = dotted((10 << 24) + rng.permutation(1 << 24)[: 1 << 20].astype(np.uint64))
    subs = [f"{rng.integers(0, 2**32):08x}-0000-4000-8000-{rng.integers(0, 2**48):012x}" for _ in range(8)]
    vms = [""] + [f"rg{i % 16}/vm{i}" for i in range(256)]
    subnets = [""] + [f"rg{i % 16}/vnet{i % 32}/subnet{i}" for i in range(64)]
    nsgs = ["Unspecified"] + [f"/subscriptions/{subs[i % 8]}/resourceGroups/rg{i}/providers/Microsoft.Network/networkSecurityGroups/nsg{i}" for i in range(24)]
    rules = ["platformrule", "DefaultRule_AllowVnetInBound", "DefaultRule_DenyAllInBound", "UserRule_AllowHttps", "UserRule_AllowSsh"]

    def pick(values, k):
        """k values drawn uniformly from `values`, as plain strings."""
        if not isinstance(values, pa.Array):
            values = pa.array(values, pa.string())
        idx = pa.array(rng.integers(0, len(values), k, dtype=np.int32))
        return pc.take(values, idx)

    def times(k):
        return pa.array(T0 + rng.integers(0, DAY_US, k), TS)

    def net(k):
        start = times(k)
        one, two = pick(entries, k), pick(entries, k)
        src_public = pc.if_else(pa.array(rng.random(k) < 0.3), one, pc.binary_join_element_wise(one, two, " "))
        return pa.table({
            "TimeGenerated": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US + 600_000_000), TS),
            "SubType": pick(["FlowLog"], k),
            "FlowType": pick(["MaliciousFlow", "ExternalPublic"], k),
            "FlowStartTime": start,
            "FlowIntervalStartTime": times(k),
            "SrcIp": pick([""], k),
            "DestIp": pick(private, k),
            "SrcPublicIps": src_public,
            "DestPublicIps": pick([""], k),
            "SrcVm": pick([""], k),
            "DestVm": pick(vms, k),
            "SrcSubscription": pick(subs, k),
            "DestSubscription": pick(subs, k),
            "SrcSubnet": pick([""], k),
            "DestSubnet": pick(subnets, k),
            "AclGroup": pick(nsgs, k),
            "AclRule": pick(rules, k),
            "CompletedFlows": pa.array(rng.integers(0, 10, k), pa.int64()),
            "FlowLogResourceId": pick(["a", "b", "c"], k),
            "TargetResourceId": pick(["x", "y"], k),
        })

    threats = ["Botnet", "C2", "CryptoMining", "DarkNet", "DDos", "MaliciousUrl", "Malware", "Phishing", "Proxy", "PUA", "WatchList"]

    def ip_details(at, k):
        """Rows at..at+k of the IP pool, one row per IP."""
        idx = np.arange(at, at + k)
        t = rng.integers(0, len(threats), k)
        start = pa.array((T0 + rng.integers(0, 24, k) * HOUR_US), TS)
        name = pc.binary_join_element_wise(pa.array(["host"] * k), pa.array(idx).cast(pa.string()), "")
        return pa.table({
            "TimeGenerated": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US + 600_000_000), TS),
            "FlowIntervalStartTime": start,
            "FlowIntervalEndTime": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US), TS),
            "FlowType": pick(["MaliciousFlow", "ExternalPublic"], k),
            "Ip": public_text.slice(at, k),
            "Location": pick(["country1", "country2"], k),
            "SubType": pick(["FlowLog"], k),
            "FaSchemaVersion": pick(["2"], k),
            "Type": pick(["NTAIpDetails"], k),
            "ThreatType": pc.take(pa.array(threats), pa.array(t)),
            "DnsDomain": pc.binary_join_element_wise(name, pa.array([".example.net"] * k), ""),
            "ThreatDescription": pc.binary_join_element_wise(pc.take(pa.array(threats), pa.array(t)), pa.array([" activity reported"] * k), ""),
            "Url": pc.binary_join_element_wise(pa.array(["http://"] * k), name, pa.array([".example.net/x"] * k), ""),
            "PublicIpDetails": pick(["Contoso Ltd", "Fabrikam Inc", "Example ISP", "AzureCloud"], k),
        })

    write_tables(out, [("NTANetAnalytics", n, lambda at, k: net(k)), ("NTAIpDetails", pool, ip_details)])

if __name__ == "__main__":
    main()
