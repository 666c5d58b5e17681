-- Numbers of each group instance (a capacity indicator's nbCapacity, an equipment's limits, a price's amount) on
-- its sp_group row, as {"code": [values]}, so that a correlated number criterion (`nb-capacity=gt0` beside the
-- indicator's tokens) is a filter on the instance row instead of a semi-join into sp_number for every
-- candidate. sp_number keeps the rows (units, other modifiers, resource-level criteria). Backfilled here for
-- existing data; the indexer fills it from now on.
ALTER TABLE sp_group ADD COLUMN nums jsonb;
UPDATE sp_group g SET nums = n.nums
  FROM (SELECT res_type, id, grp, jsonb_object_agg(code, vals) AS nums
          FROM (SELECT res_type, id, grp, code, jsonb_agg(value ORDER BY value) AS vals FROM sp_number WHERE grp > 0 GROUP BY 1, 2, 3, 4) per_code
         GROUP BY 1, 2, 3) n
 WHERE g.res_type = n.res_type AND g.id = n.id AND g.grp = n.grp;
ANALYZE sp_group;
