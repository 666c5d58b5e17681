-- Terminology: NOS code systems and value sets shipped with the product (data/nos/), loaded by src/terminology.

-- One row per shipped package; a package is replaced as a whole when a newer release (or changed content) is loaded.
CREATE TABLE terminology_package (
  name         text        PRIMARY KEY,
  release      text        NOT NULL,
  content_hash text        NOT NULL,
  loaded_at    timestamptz NOT NULL DEFAULT now()
);

-- Bumped by every load that changes something: instances compare it to notice a new release loaded elsewhere.
CREATE TABLE terminology_state (
  id         integer     PRIMARY KEY CHECK (id = 1),
  generation bigint      NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO terminology_state (id, generation) VALUES (1, 0);

CREATE TABLE code_system (
  url     text PRIMARY KEY,
  package text NOT NULL REFERENCES terminology_package (name) ON DELETE CASCADE,
  name    text NOT NULL,
  title   text,
  version text
);
CREATE INDEX code_system_package ON code_system (package);

-- Other URLs under which a code system appears in data (e.g. TRE_R13-Commune for TRE_R13-CommuneOM).
CREATE TABLE code_system_alias (
  alias_url text PRIMARY KEY,
  url       text NOT NULL REFERENCES code_system (url) ON DELETE CASCADE
);
CREATE INDEX code_system_alias_url ON code_system_alias (url);

CREATE TABLE concept (
  system  text NOT NULL REFERENCES code_system (url) ON DELETE CASCADE,
  code    text NOT NULL,
  display text NOT NULL,
  ord     integer NOT NULL,
  PRIMARY KEY (system, code)
);

CREATE TABLE value_set (
  url         text PRIMARY KEY,
  package     text NOT NULL REFERENCES terminology_package (name) ON DELETE CASCADE,
  name        text NOT NULL,
  title       text,
  version     text NOT NULL,
  status      text,
  date        text,
  description text
);
CREATE INDEX value_set_package ON value_set (package);

-- compose.include of a value set, in order: a whole code system (no members) or an enumerated list.
CREATE TABLE value_set_include (
  value_set text    NOT NULL REFERENCES value_set (url) ON DELETE CASCADE,
  ord       integer NOT NULL,
  system    text    NOT NULL REFERENCES code_system (url) ON DELETE CASCADE,
  all_codes boolean NOT NULL,
  PRIMARY KEY (value_set, ord)
);
CREATE INDEX value_set_include_system ON value_set_include (system);

-- Enumerated members of an include, in published order (pos).
CREATE TABLE value_set_member (
  value_set text    NOT NULL,
  ord       integer NOT NULL,
  system    text    NOT NULL,
  code      text    NOT NULL,
  pos       integer NOT NULL,
  PRIMARY KEY (value_set, ord, code),
  FOREIGN KEY (value_set, ord) REFERENCES value_set_include (value_set, ord) ON DELETE CASCADE,
  FOREIGN KEY (system, code) REFERENCES concept (system, code) ON DELETE CASCADE
);
CREATE INDEX value_set_member_concept ON value_set_member (system, code);
