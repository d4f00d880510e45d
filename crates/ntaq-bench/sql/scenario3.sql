-- Scenario 3 (blast radius of malicious IPs): queries/scenario3.kql in
-- DuckDB SQL. Each `let` used twice is a MATERIALIZED CTE, as Kusto (and
-- ntaq) evaluate it once; `lookup kind=leftouter` is a LEFT JOIN; `join
-- kind=inner` keeps every pair. Empty strings join with empty strings, as in
-- Kusto.
WITH MaliciousIpList AS MATERIALIZED (
    SELECT DISTINCT Ip FROM ipd
    WHERE FlowIntervalStartTime BETWEEN {start} AND {end} AND FlowType = 'MaliciousFlow'
),
MaliciousFlows AS MATERIALIZED (
    SELECT SrcIp, DestIp, FlowLogResourceId, TargetResourceId FROM nta
    WHERE FlowStartTime BETWEEN {start} AND {end} AND SubType = 'FlowLog' AND FlowType = 'MaliciousFlow'
),
MaliciousIps AS (
    SELECT DISTINCT * FROM (
        SELECT f.SrcIp, f.DestIp FROM MaliciousFlows f LEFT JOIN MaliciousIpList m ON f.SrcIp = m.Ip
        UNION ALL
        SELECT f.SrcIp, f.DestIp FROM MaliciousFlows f LEFT JOIN MaliciousIpList m ON f.DestIp = m.Ip
    )
),
SpecificCountryIPs AS MATERIALIZED (
    SELECT Ip FROM ipd WHERE Location IN ('country1', 'country2')
),
SpecificCountryFlows AS (
    SELECT n.SrcIp, n.DestIp FROM SpecificCountryIPs c JOIN nta n ON c.Ip = n.SrcIp
    UNION ALL
    SELECT n.SrcIp, n.DestIp FROM SpecificCountryIPs c JOIN nta n ON c.Ip = n.DestIp
),
Observed AS MATERIALIZED (
    SELECT DISTINCT SrcIp, DestIp FROM (SELECT * FROM MaliciousIps UNION ALL SELECT * FROM SpecificCountryFlows)
),
Transitive AS (
    SELECT DISTINCT a.SrcIp, b.DestIp FROM Observed a JOIN Observed b ON a.DestIp = b.SrcIp
),
Observed1 AS MATERIALIZED (
    SELECT DISTINCT SrcIp, DestIp FROM (SELECT * FROM Observed UNION ALL SELECT * FROM Transitive)
),
Transitive1 AS (
    SELECT DISTINCT a.SrcIp, b.DestIp FROM Observed1 a JOIN Observed1 b ON a.DestIp = b.SrcIp
),
Observed2 AS (
    SELECT DISTINCT SrcIp, DestIp FROM (SELECT * FROM Observed1 UNION ALL SELECT * FROM Transitive1)
)
SELECT '🖥️ ' || SrcIp AS SrcIp, '🖥️ ' || DestIp AS DestIp FROM Observed2
