-- Search index: one table per search-parameter type, filled at write time in the write transaction from the
-- SearchParameter definitions (src/search/search-parameters.ts). Each row belongs to the current version of
-- (res_type, id). `grp` numbers the instance of a correlated group (a capacity indicator, an equipment, a
-- price) the value was read in; 0 for parameters outside any group.

-- Instances of correlated groups: one row per capacity indicator, equipment, residential capacity, price.
CREATE TABLE sp_group (
  res_type text    NOT NULL,
  id       text    NOT NULL,
  grp_code text    NOT NULL,
  grp      integer NOT NULL,
  PRIMARY KEY (res_type, grp_code, id, grp)
);
CREATE INDEX sp_group_res ON sp_group (res_type, id);

-- token: codes, identifiers, booleans. text_norm = folded display/text for :text; type_* = identifier type for :of-type.
CREATE TABLE sp_token (
  res_type    text    NOT NULL,
  id          text    NOT NULL,
  code        text    NOT NULL,
  grp         integer NOT NULL DEFAULT 0,
  system      text,
  value       text,
  text_norm   text,
  type_system text,
  type_code   text
);
CREATE INDEX sp_token_value ON sp_token (res_type, code, value, system);
CREATE INDEX sp_token_res ON sp_token (res_type, id, code, grp);

-- string: norm = accent- and case-folded value (prefix and contains), raw = as written (:exact).
CREATE TABLE sp_string (
  res_type text    NOT NULL,
  id       text    NOT NULL,
  code     text    NOT NULL,
  grp      integer NOT NULL DEFAULT 0,
  norm     text    NOT NULL,
  raw      text    NOT NULL
);
CREATE INDEX sp_string_prefix ON sp_string (res_type, code, norm text_pattern_ops);
CREATE INDEX sp_string_trgm ON sp_string USING gin (norm gin_trgm_ops);
CREATE INDEX sp_string_res ON sp_string (res_type, id, code, grp);

-- date: the half-open interval [lo, hi) a value denotes; NULL bound = open (period without start or end).
CREATE TABLE sp_date (
  res_type text    NOT NULL,
  id       text    NOT NULL,
  code     text    NOT NULL,
  grp      integer NOT NULL DEFAULT 0,
  lo       timestamptz,
  hi       timestamptz
);
CREATE INDEX sp_date_lo ON sp_date (res_type, code, lo);
CREATE INDEX sp_date_hi ON sp_date (res_type, code, hi);
CREATE INDEX sp_date_res ON sp_date (res_type, id, code, grp);

-- number and quantity (system/unit only for quantities).
CREATE TABLE sp_number (
  res_type text    NOT NULL,
  id       text    NOT NULL,
  code     text    NOT NULL,
  grp      integer NOT NULL DEFAULT 0,
  value    numeric NOT NULL,
  system   text,
  unit     text
);
CREATE INDEX sp_number_value ON sp_number (res_type, code, value);
CREATE INDEX sp_number_res ON sp_number (res_type, id, code, grp);

-- reference: literal relative references, per search parameter.
CREATE TABLE sp_reference (
  res_type    text    NOT NULL,
  id          text    NOT NULL,
  code        text    NOT NULL,
  grp         integer NOT NULL DEFAULT 0,
  target_type text    NOT NULL,
  target_id   text    NOT NULL
);
CREATE INDEX sp_reference_target ON sp_reference (target_type, target_id, res_type, code);
CREATE INDEX sp_reference_res ON sp_reference (res_type, id, code);
