-- Covering indexes for the search semi-joins: the matching ids (and group instance) come from the index
-- alone (index-only scans), without visiting the heap of the large sp_* tables.
DROP INDEX sp_token_value;
CREATE INDEX sp_token_value ON sp_token (res_type, code, value, system) INCLUDE (id, grp);
DROP INDEX sp_token_res;
CREATE INDEX sp_token_res ON sp_token (res_type, id, code, grp) INCLUDE (system, value);
DROP INDEX sp_number_value;
CREATE INDEX sp_number_value ON sp_number (res_type, code, value) INCLUDE (id, grp);
DROP INDEX sp_number_res;
CREATE INDEX sp_number_res ON sp_number (res_type, id, code, grp) INCLUDE (value, system, unit);
DROP INDEX sp_reference_target;
CREATE INDEX sp_reference_target ON sp_reference (target_type, target_id, res_type, code) INCLUDE (id);
DROP INDEX sp_reference_res;
CREATE INDEX sp_reference_res ON sp_reference (res_type, id, code) INCLUDE (target_type, target_id);
DROP INDEX sp_string_prefix;
CREATE INDEX sp_string_prefix ON sp_string (res_type, code, norm text_pattern_ops) INCLUDE (id);
