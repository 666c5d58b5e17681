-- A rebuild of the search index (the parameter definitions changed) runs in batches, each its own transaction under
-- an advisory lock: `target` is the fingerprint being built and (`after_type`, `after_id`) the last resource done,
-- so that several instances starting together share the batches instead of each rebuilding everything (and
-- writing the rows twice), and a rebuild cut short resumes where it stopped.
ALTER TABLE sp_index_state ADD COLUMN target text, ADD COLUMN after_type text, ADD COLUMN after_id text;
