-- Scenario 1 (risky regions): queries/scenario1.kql in DuckDB SQL.
-- Kusto strings are never null (the data holds ""), so `coalesce(SrcIp, IP)`
-- is "SrcIp unless empty"; split(...)[k] out of range is "" (split_part).
-- mv-expand of split(PublicIP, " ") is an unnest of string_split, which
-- like Kusto's split gives [""] for "".
WITH ExternalIps AS (
    SELECT DISTINCT Ip, ThreatType, DnsDomain, ThreatDescription, Location, PublicIpDetails, Url
    FROM ipd
    WHERE Location IN ('country1', 'country2')
      AND FlowType IN ('MaliciousFlow', 'ExternalPublic')
),
ExternalFlows AS (
    SELECT CASE WHEN SrcIp <> '' THEN SrcIp ELSE split_part(e.x, '|', 1) END AS AllSrcIps,
           DestIp, SrcVm, DestVm, SrcSubscription, DestSubscription, FlowType
    FROM nta, unnest(string_split(SrcPublicIps, ' ')) AS e(x)
    WHERE SubType = 'FlowLog' AND FlowType IN ('ExternalPublic', 'MaliciousFlow')
),
SrcMalicious AS (
    SELECT '🌐 ' || f.AllSrcIps AS SrcExternalIp,
           '🖥️' || f.DestIp AS DestCompromisedIp,
           CASE WHEN f.DestVm <> '' THEN '/subscriptions/' || f.DestSubscription || '/resourceGroups/'
                    || split_part(f.DestVm, '/', 1) || '/providers/Microsoft.Compute/virtualMachines/'
                    || split_part(f.DestVm, '/', 2)
                ELSE '' END AS CompromisedVM,
           i.PublicIpDetails, f.FlowType, i.ThreatType, i.DnsDomain, i.ThreatDescription, i.Location, i.Url
    FROM ExternalFlows f JOIN ExternalIps i ON f.AllSrcIps = i.Ip
)
SELECT SrcExternalIp, DestCompromisedIp, CompromisedVM, PublicIpDetails, FlowType, ThreatType,
       DnsDomain, ThreatDescription, Location, Url, count(*) AS count_
FROM SrcMalicious
GROUP BY ALL
