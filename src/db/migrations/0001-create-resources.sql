-- Core storage: every FHIR resource as JSON, with every version kept.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS cube SCHEMA public;
CREATE EXTENSION IF NOT EXISTS earthdistance SCHEMA public;

-- One global change sequence: orders every write (history paging, incremental sync, search tie-breaks).
CREATE SEQUENCE resource_seq;

-- Current version of each resource (deleted ones keep a tombstone row with content NULL).
CREATE TABLE resource (
  res_type     text        NOT NULL,
  id           text        NOT NULL,
  version_id   integer     NOT NULL CHECK (version_id > 0),
  seq          bigint      NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted      boolean     NOT NULL DEFAULT false,
  content      jsonb,
  PRIMARY KEY (res_type, id),
  CHECK (deleted OR content IS NOT NULL)
);
CREATE INDEX resource_type_updated ON resource (res_type, last_updated, seq);

-- Every version ever written, with who wrote it (the audit trail of resource writes).
CREATE TABLE resource_version (
  res_type     text        NOT NULL,
  id           text        NOT NULL,
  version_id   integer     NOT NULL,
  seq          bigint      NOT NULL,
  last_updated timestamptz NOT NULL,
  method       text        NOT NULL CHECK (method IN ('POST', 'PUT', 'PATCH', 'DELETE')),
  actor        text        NOT NULL,
  content      jsonb,
  PRIMARY KEY (res_type, id, version_id)
);
CREATE UNIQUE INDEX resource_version_seq ON resource_version (seq);
CREATE INDEX resource_version_type_seq ON resource_version (res_type, seq);
CREATE INDEX resource_version_updated ON resource_version (last_updated);

-- Business identifiers of current versions (conditional update/patch, identifier search).
CREATE TABLE resource_identifier (
  res_type text NOT NULL,
  id       text NOT NULL,
  system   text,
  value    text NOT NULL,
  type_code text
);
CREATE INDEX resource_identifier_value ON resource_identifier (res_type, value, system);
CREATE INDEX resource_identifier_res ON resource_identifier (res_type, id);

-- Literal references between current versions (referential integrity, includes, reverse chains).
CREATE TABLE resource_reference (
  res_type    text NOT NULL,
  id          text NOT NULL,
  path        text NOT NULL,
  target_type text NOT NULL,
  target_id   text NOT NULL
);
CREATE INDEX resource_reference_target ON resource_reference (target_type, target_id, path);
CREATE INDEX resource_reference_res ON resource_reference (res_type, id);
