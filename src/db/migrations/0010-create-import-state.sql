-- Import state: runs with their checkpoint (for resume after a crash), the issues of bad rows, and the
-- structures each FINESS import has seen (to close those missing from a newer file).
CREATE TABLE import_run (
  id            bigserial   PRIMARY KEY,
  source        text        NOT NULL CHECK (source IN ('finess', 'rpps', 'nos')),
  file_name     text        NOT NULL,
  file_sha256   text        NOT NULL,
  file_date     text,
  status        text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  dry_run       boolean     NOT NULL DEFAULT false,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  -- Data lines of the file fully committed: a resumed run skips them.
  checkpoint    bigint      NOT NULL DEFAULT 0,
  counters      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error         text
);
CREATE INDEX import_run_resume ON import_run (source, file_sha256, status);

CREATE TABLE import_issue (
  run_id  bigint NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
  line    bigint NOT NULL,
  col     text,
  code    text   NOT NULL,
  message text   NOT NULL
);
CREATE INDEX import_issue_run ON import_issue (run_id, line);

-- Every structure a FINESS import created or updated: its resource, and the last run that saw it.
CREATE TABLE finess_structure (
  nofiness    text    PRIMARY KEY,
  kind        text    NOT NULL CHECK (kind IN ('EJ', 'EG')),
  resource_id text    NOT NULL,
  last_run    bigint  NOT NULL,
  closed      boolean NOT NULL DEFAULT false
);
CREATE INDEX finess_structure_run ON finess_structure (last_run) WHERE NOT closed;
