-- Token matches in id order straight from the index: the id joins the key (it was an INCLUDE column), so a page
-- of a common code (`specialty=…`: 20 000 offers at national scale) reads its first `_count + 1` ids instead of
-- reading and sorting every match, and a driven page (search.service.ts) walks its candidates in order.
DROP INDEX IF EXISTS sp_token_value;
CREATE INDEX sp_token_value ON sp_token (res_type, code, value, system, id) INCLUDE (grp);
