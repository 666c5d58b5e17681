-- Bulk Data $export (src/export/): jobs and the snapshot of what each one exports. Held in the database so any
-- server instance can run a job another accepted, answer its status and serve its files.
CREATE TABLE export_job (
  id               text        PRIMARY KEY,
  status           text        NOT NULL CHECK (status IN ('accepted', 'in-progress', 'completed', 'failed')),
  -- The kick-off request as received (the manifest's `request`) and its parsed parameters.
  request          text        NOT NULL,
  params           jsonb       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- The instant of the snapshot: every exported version is the current one at that instant.
  transaction_time timestamptz,
  finished_at      timestamptz,
  -- The instance running the job and when it last showed it was alive (a job whose runner died is taken again).
  worker           text,
  heartbeat        timestamptz,
  error            text
);
CREATE INDEX export_job_pending ON export_job (created_at) WHERE status IN ('accepted', 'in-progress');

-- One row per exported resource: the version the snapshot saw. The files read the contents from
-- resource_version, in id order, so a file's content never changes once the job is complete.
CREATE TABLE export_item (
  job_id     text    NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
  res_type   text    COLLATE "C" NOT NULL,
  id         text    COLLATE "C" NOT NULL,
  version_id integer NOT NULL,
  PRIMARY KEY (job_id, res_type, id)
);
