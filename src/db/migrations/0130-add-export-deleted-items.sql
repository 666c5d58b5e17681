-- Bulk export with _since: the resources deleted since then are listed too (the manifest's `deleted` files,
-- Bulk Data 2.0), as rows of the snapshot marked deleted (version_id is then the deletion's version).
ALTER TABLE export_item ADD COLUMN deleted boolean NOT NULL DEFAULT false;
