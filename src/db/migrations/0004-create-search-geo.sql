-- Positions for near / near-insee-code (WGS84 degrees; great-circle distances computed in SQL), and the
-- fingerprint of the search-parameter definitions the index was built with (a change triggers a reindex).
CREATE TABLE sp_geo (
  res_type text             NOT NULL,
  id       text             NOT NULL,
  code     text             NOT NULL,
  grp      integer          NOT NULL DEFAULT 0,
  lat      double precision NOT NULL,
  lon      double precision NOT NULL
);
CREATE INDEX sp_geo_box ON sp_geo (res_type, code, lat, lon);
CREATE INDEX sp_geo_res ON sp_geo (res_type, id);

CREATE TABLE sp_index_state (
  name        text        PRIMARY KEY,
  fingerprint text        NOT NULL,
  indexed_at  timestamptz NOT NULL DEFAULT now()
);
