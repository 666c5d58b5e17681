-- Raises SQLSTATE RORRF with the given message when a condition of a write statement does not hold, so a
-- write can check and write in one statement (e.g. "every referenced resource exists") and abort whole.
CREATE OR REPLACE FUNCTION ror_assert(ok boolean, msg text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN IF ok IS NOT TRUE THEN RAISE EXCEPTION USING ERRCODE = 'RORRF', MESSAGE = msg; END IF; RETURN true; END $$;
