-- Token keys of each group instance (one capacity indicator = one row), so that the token criteria of a
-- correlated query are one containment test on one row (GIN), instead of one semi-join per criterion.
-- Keys: code␟*␟value (any system), code␟S<system>␟value, code␟-␟value (no system); ␟ = U+001F.
ALTER TABLE sp_group ADD COLUMN toks text[] NOT NULL DEFAULT '{}';
CREATE INDEX sp_group_toks ON sp_group USING gin (toks);
