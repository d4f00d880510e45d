-- Scenario 4 (cross-subscription traffic): queries/scenario4.kql in DuckDB
-- SQL. `!contains` is case-insensitive (NOT ILIKE); `between` is inclusive.
SELECT Src, Dest, SrcSubscription, DestSubscription, AclGroup, AclRule, FlowType, sum(CompletedFlows) AS Flows
FROM (
    SELECT CASE WHEN SrcSubnet <> '' THEN '/subscriptions/' || SrcSubscription || '/resourceGroups/'
                    || split_part(SrcSubnet, '/', 1) || '/providers/Microsoft.Network/virtualNetworks/'
                    || split_part(SrcSubnet, '/', 2)
                ELSE '' END AS Src,
           CASE WHEN DestSubnet <> '' THEN '/subscriptions/' || DestSubscription || '/resourceGroups/'
                    || split_part(DestSubnet, '/', 1) || '/providers/Microsoft.Network/virtualNetworks/'
                    || split_part(DestSubnet, '/', 2)
                ELSE '' END AS Dest,
           '/subscriptions/' || SrcSubscription AS SrcSubscription,
           '/subscriptions/' || DestSubscription AS DestSubscription,
           AclGroup, AclRule, FlowType, CompletedFlows
    FROM nta
    WHERE SubType = 'FlowLog'
      AND FlowType NOT IN ('AzurePublic', 'ExternalPublic', 'Unknown', 'UnknownPrivate')
      AND FlowStartTime BETWEEN {start} AND {end}
      AND AclGroup NOT ILIKE '%Unspecified%'
)
WHERE SrcSubscription <> DestSubscription
GROUP BY ALL
