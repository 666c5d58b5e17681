-- Every resource an RPPS import created or updated (Practitioner, cabinet Organization, its HealthcareService,
-- PractitionerRole): the last run that saw it, whether a newer file ended it, and the fast path of re-imports
-- (hash of the RPPS-owned content last imported and the resource version it produced or found unchanged).
CREATE TABLE rpps_resource (
  res_type    text    NOT NULL,
  resource_id text    NOT NULL,
  last_run    bigint  NOT NULL,
  ended       boolean NOT NULL DEFAULT false,
  source_hash text,
  version_id  integer,
  PRIMARY KEY (res_type, resource_id)
);
CREATE INDEX rpps_resource_run ON rpps_resource (last_run) WHERE NOT ended;
