"""Writes a random NTA data set for ntaq-bench's `random` shape: the kind of
data a demanding tester makes, uniform random values with none of
ntaq-gen's topology. It is the data set that showed scenario 3's blow-up:
SrcIp and DestIp come from one pool of 1,024 private IPs plus "", so the
transitive self-joins link (almost) every pair (at 1M rows scenario 3
returns 1,025² = 1,050,625 rows).

Usage: random_nta.py ROWS OUT_DIR SEED

NTANetAnalytics gets ROWS rows, NTAIpDetails ROWS / 10, each with the
columns the four scenarios read (and those scenario 1 projects away), typed
as the published schema says (string, long, datetime as timestamp[us, UTC]).
Written as pyarrow writes by default: snappy, row groups of 1,048,576 rows,
no page index. Values:
- SubType, FlowType, Location, FlowLogResourceId, TargetResourceId: uniform
  over a few values, as in the tester's script;
- times: uniform over 2025-06-01 (the harness's window);
- Src/DestPublicIps: empty or 1-3 `ip|counts…` entries of 1,024 public IPs;
- NTAIpDetails.Ip: the private pool or the public IPs; an IP's threat
  fields, owner and URL are fixed per IP (as in real data), its Location
  and FlowType random per row;
- VMs, subnets, subscriptions, NSGs and rules: small pools, some empty.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pyarrow_layout import DAY_US, HOUR_US, T0, TS, write_tables


def main() -> None:
    n, out, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    private = [""] + [f"10.{i // 256}.{i % 256}.{rng.integers(1, 255)}" for i in range(1024)]
    public = [f"{rng.integers(11, 223)}.{rng.integers(0, 256)}.{rng.integers(0, 256)}.{rng.integers(1, 255)}" for _ in range(1024)]
    entries = [f"{ip}|{rng.integers(1, 9)}|{rng.integers(0, 9)}|{rng.integers(1, 999)}|{rng.integers(1, 999)}|{rng.integers(64, 99999)}|{rng.integers(64, 99999)}" for ip in public]
    subs = [f"{rng.integers(0, 2**32):08x}-0000-4000-8000-{rng.integers(0, 2**48):012x}" for _ in range(8)]
    vms = [""] + [f"rg{i % 16}/vm{i}" for i in range(256)]
    subnets = [""] + [f"rg{i % 16}/vnet{i % 32}/subnet{i}" for i in range(64)]
    nsgs = ["Unspecified"] + [f"/subscriptions/{subs[i % 8]}/resourceGroups/rg{i}/providers/Microsoft.Network/networkSecurityGroups/nsg{i}" for i in range(24)]
    rules = ["platformrule", "DefaultRule_AllowVnetInBound", "DefaultRule_DenyAllInBound", "UserRule_AllowHttps", "UserRule_AllowSsh"]

    def pick(values, k):
        """k values drawn uniformly from `values`, as plain strings."""
        idx = pa.array(rng.integers(0, len(values), k, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(idx, pa.array(values, pa.string())).cast(pa.string())

    def public_ips(k):
        """Empty (half the rows) or 1-3 space-separated public IP entries."""
        e = [pick(entries, k) for _ in range(3)]
        many = rng.integers(1, 4, k)
        two = pc.binary_join_element_wise(e[0], e[1], " ")
        three = pc.binary_join_element_wise(two, e[2], " ")
        value = pc.if_else(pa.array(many == 1), e[0], pc.if_else(pa.array(many == 2), two, three))
        return pc.if_else(pa.array(rng.random(k) < 0.5), "", value)

    def times(k):
        return pa.array(T0 + rng.integers(0, DAY_US, k), TS)

    def net(k):
        start = times(k)
        return pa.table({
            "TimeGenerated": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US + 600_000_000), TS),
            "SubType": pick(["FlowLog", "Topology"], k),
            "FlowType": pick(["MaliciousFlow", "IntraVNet", "InterVNet", "ExternalPublic", "AzurePublic", "S2S"], k),
            "FlowStartTime": start,
            "FlowIntervalStartTime": times(k),
            "SrcIp": pick(private, k),
            "DestIp": pick(private, k),
            "SrcPublicIps": public_ips(k),
            "DestPublicIps": public_ips(k),
            "SrcVm": pick(vms, k),
            "DestVm": pick(vms, k),
            "SrcSubscription": pick(subs, k),
            "DestSubscription": pick(subs, k),
            "SrcSubnet": pick(subnets, k),
            "DestSubnet": pick(subnets, k),
            "AclGroup": pick(nsgs, k),
            "AclRule": pick(rules, k),
            "CompletedFlows": pa.array(rng.integers(0, 10, k), pa.int64()),
            "FlowLogResourceId": pick(["a", "b", "c"], k),
            "TargetResourceId": pick(["x", "y"], k),
        })

    # Per-IP details: index i describes ips[i].
    ips = private + public
    threats = ["", "Botnet", "C2", "CryptoMining", "DarkNet", "DDos", "MaliciousUrl", "Malware", "Phishing", "Proxy", "PUA", "WatchList"]
    threat_idx = rng.integers(0, len(threats), len(ips))
    per_ip = {
        "ThreatType": [threats[t] for t in threat_idx],
        "DnsDomain": ["" if t == 0 else f"host{i}.example{i % 7}.net" for i, t in enumerate(threat_idx)],
        "ThreatDescription": ["" if t == 0 else f"{threats[t]} activity reported" for t in threat_idx],
        "Url": ["" if t == 0 else f"http://host{i}.example{i % 7}.net/x" for i, t in enumerate(threat_idx)],
        "PublicIpDetails": [["Microsoft Virtual Public IP", "AzureCloud", "Contoso Ltd", "Fabrikam Inc", "Example ISP"][i % 5] for i in range(len(ips))],
    }

    def ip_details(k):
        idx = pa.array(rng.integers(0, len(ips), k, dtype=np.int32))
        by_ip = lambda values: pa.DictionaryArray.from_arrays(idx, pa.array(values, pa.string())).cast(pa.string())
        start = pa.array((T0 + rng.integers(0, 24, k) * HOUR_US), TS)
        cols = {
            "TimeGenerated": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US + 600_000_000), TS),
            "FlowIntervalStartTime": start,
            "FlowIntervalEndTime": pa.array(pc.add(pc.cast(start, pa.int64()), HOUR_US), TS),
            "FlowType": pick(["MaliciousFlow", "ExternalPublic", "AzurePublic"], k),
            "Ip": by_ip(ips),
            "Location": pick(["country1", "country2", "country3", "country4"], k),
            "SubType": pick(["FlowLog"], k),
            "FaSchemaVersion": pick(["2"], k),
            "Type": pick(["NTAIpDetails"], k),
        }
        cols.update({name: by_ip(values) for name, values in per_ip.items()})
        return pa.table(cols)

    write_tables(out, [("NTANetAnalytics", n, lambda at, k: net(k)), ("NTAIpDetails", n // 10, lambda at, k: ip_details(k))])

if __name__ == "__main__":
    main()
