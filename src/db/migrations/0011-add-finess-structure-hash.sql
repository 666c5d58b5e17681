-- Fast path of FINESS re-imports: the hash of the FINESS-owned content last imported for a structure and the
-- resource version it produced (or found unchanged). Same hash and same version: nothing to read or compare.
ALTER TABLE finess_structure ADD COLUMN source_hash text;
ALTER TABLE finess_structure ADD COLUMN version_id integer;
