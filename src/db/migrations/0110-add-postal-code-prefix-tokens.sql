-- Postal codes also as tokens of their first 2 and 3 characters (code `address-postalcode:prefix`, see
-- src/search/search.values.ts), so that a département search (`address-postalcode=92`) reads its first page in
-- id order from sp_token_value instead of reading and sorting every postal code of the département. Backfilled
-- here from the postal codes already indexed; the indexer writes them from now on. Their system is '' (a
-- constant, so that the ids of one value come in index order).
INSERT INTO sp_token (res_type, id, code, grp, system, value)
SELECT res_type, id, 'address-postalcode:prefix', grp, '', left(norm, len)
  FROM sp_string, (VALUES (2), (3)) AS l(len)
 WHERE code = 'address-postalcode' AND length(norm) >= len;
ANALYZE sp_token;
