-- Search: the live rows of each type by id, with last_updated, so that the semi-joins, counts and chained
-- target subqueries of a search (`r.res_type = … AND NOT r.deleted AND r.id IN (…)`) resolve with
-- index-only scans instead of visiting the resource heap, whose rows carry the large jsonb content.
CREATE INDEX resource_live ON resource (res_type, id) INCLUDE (last_updated) WHERE NOT deleted;
