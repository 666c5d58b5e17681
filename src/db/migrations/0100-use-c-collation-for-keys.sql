-- Keys compare byte-wise: the resource keys (res_type, id), search codes, systems, token values and reference
-- targets take the "C" collation, whatever the database's own (C.UTF-8, fr_FR.UTF-8…). With a libc locale every
-- btree comparison of these columns goes through strcoll() (PostgreSQL treats only "C" and "POSIX" as plain byte
-- order, and then also uses abbreviated sort keys): measured on PostgreSQL 15 with C.UTF-8, sorting or indexing
-- 200 000 UUIDs costs twice as much, and each write inserts ≈ 30 index entries keyed on them. The values are
-- codes, URLs and identifiers, where byte order is the only meaningful order; sp_string (names, sorted and
-- matched accent-folded) keeps the database collation. Only the indexes are rebuilt, the tables are not rewritten.
ALTER TABLE resource ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE resource_version ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE resource_identifier ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN system TYPE text COLLATE "C", ALTER COLUMN value TYPE text COLLATE "C";
ALTER TABLE resource_reference ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN target_type TYPE text COLLATE "C", ALTER COLUMN target_id TYPE text COLLATE "C";
ALTER TABLE sp_group ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN grp_code TYPE text COLLATE "C";
ALTER TABLE sp_token ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C", ALTER COLUMN system TYPE text COLLATE "C", ALTER COLUMN value TYPE text COLLATE "C";
ALTER TABLE sp_string ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE sp_date ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE sp_number ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE sp_reference ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C", ALTER COLUMN target_type TYPE text COLLATE "C", ALTER COLUMN target_id TYPE text COLLATE "C";
ALTER TABLE sp_geo ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN id TYPE text COLLATE "C",
  ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE finess_structure ALTER COLUMN nofiness TYPE text COLLATE "C", ALTER COLUMN resource_id TYPE text COLLATE "C";
ALTER TABLE rpps_resource ALTER COLUMN res_type TYPE text COLLATE "C", ALTER COLUMN resource_id TYPE text COLLATE "C";
-- Changing a column's type drops its statistics: without them the planner picks nested loops over whole indexes
-- (a national-scale search went from 13 ms to 30 s until ANALYZE ran).
ANALYZE resource, resource_version, resource_identifier, resource_reference, sp_group, sp_token, sp_string, sp_date,
  sp_number, sp_reference, sp_geo, finess_structure, rpps_resource;
