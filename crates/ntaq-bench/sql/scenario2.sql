-- Scenario 2 (Azure-service interactions): queries/scenario2.kql in DuckDB
-- SQL. ago(4h) is {now} - 4 hours with the --now the harness passes to ntaq.
WITH SpecificServices AS (
    SELECT Ip, PublicIpDetails
    FROM ipd
    WHERE FlowType = 'AzurePublic' AND FlowIntervalStartTime > {now} - INTERVAL 4 HOUR
),
Flows AS (
    SELECT CASE WHEN SrcPublicIps <> '' THEN SrcPublicIps ELSE DestPublicIps END AS PublicIP,
           CASE WHEN SrcSubnet <> '' THEN '/subscriptions/' || SrcSubscription || '/resourceGroups/'
                    || split_part(SrcSubnet, '/', 1) || '/providers/Microsoft.Network/virtualNetworks/'
                    || split_part(SrcSubnet, '/', 2)
                WHEN DestSubnet <> '' THEN '/subscriptions/' || DestSubscription || '/resourceGroups/'
                    || split_part(DestSubnet, '/', 1) || '/providers/Microsoft.Network/virtualNetworks/'
                    || split_part(DestSubnet, '/', 2)
                ELSE '' END AS Vnet
    FROM nta
    WHERE SubType = 'FlowLog' AND FlowIntervalStartTime > {now} - INTERVAL 4 HOUR
      AND (SrcPublicIps <> '' OR DestPublicIps <> '')
),
PublicIPs AS (
    SELECT f.Vnet, s.PublicIpDetails
    FROM (SELECT Vnet, split_part(e.x, '|', 1) AS IP FROM Flows, unnest(string_split(PublicIP, ' ')) AS e(x)) f
    JOIN SpecificServices s ON f.IP = s.Ip
)
SELECT Vnet, PublicIpDetails, count(*) AS CounterValue
FROM PublicIPs
GROUP BY ALL
ORDER BY CounterValue DESC
LIMIT 100
