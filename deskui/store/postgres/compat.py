"""SQLite's functions the store's queries call, as PostgreSQL functions of the same names, so one
SQL text runs on both stores (the adapter in ``postgres/connection.py`` translates the rest).

Applied on every open (``CREATE OR REPLACE``: idempotent, no migration, no version change): a
database made by an older deskui gets the functions a newer one's queries need. Times are
deskui's UTC ISO-8601 text (``2026-11-25T12:00:00Z``); the functions read them as SQLite does
and answer in SQLite's forms (julianday a day number, strftime text, date ``YYYY-MM-DD``).
Only the forms the store uses are covered: ``%s`` and the calendar fields of strftime, and
``'+N minutes'``-style modifiers.
"""

from __future__ import annotations

COMPAT_VERSION = 4  # a new version re-creates the functions in databases made before it
# A function, not a table: the schema's tables stay those of the SQLite file.
_MARK = f"deskui_compat_v{COMPAT_VERSION}"

# raw: the regular expressions in it keep their backslashes
COMPAT_SQL = rf"""
-- A time in one of the forms SQLite reads, else NULL (SQLite's julianday('soon') is NULL; a
-- plain cast would fail the whole query, and would read 'yesterday' or 'now' as times). Text
-- without a zone is UTC, as in SQLite, whatever the server's TimeZone. Not covered: a day past
-- its month's end ('2026-04-31'), which SQLite rolls over and the cast refuses.
CREATE OR REPLACE FUNCTION deskui_ts(t text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t !~ '^\d{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$'
            THEN NULL
        WHEN t ~ '(Z|[+-]\d\d:\d\d)$' THEN t::timestamptz
        ELSE t::timestamp AT TIME ZONE 'UTC'
    END $$;

-- The modifier is added in UTC: '+1 day' is 24 hours, not the server zone's calendar day.
CREATE OR REPLACE FUNCTION deskui_ts(t text, modifier text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT ((deskui_ts(t) AT TIME ZONE 'UTC') + modifier::interval) AT TIME ZONE 'UTC' $$;

-- Unix seconds of a time, NULL when it is none. deskui's own form (what it writes) is read by a
-- plain cast; any other by deskui_ts. Written so that PostgreSQL inlines it into the query (one
-- SQL expression, STABLE as the cast is, not STRICT): a call of a SQL function that is not
-- inlined costs more than the whole cast. julianday and strftime('%s') below are this too,
-- inlined in turn: the board's read of five instants of 40k open tickets took 3.6 s as
-- strftime -> deskui_ts calls. (A day past its month's end fails the cast, as in deskui_ts.)
CREATE OR REPLACE FUNCTION deskui_epoch(t text) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t ~ '^\d{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$'
            THEN extract(epoch FROM t::timestamp)::double precision  -- no zone read: the Z is UTC
        ELSE extract(epoch FROM deskui_ts(t))::double precision
    END $$;

CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT deskui_epoch(t) / 86400.0 + 2440587.5 $$;

CREATE OR REPLACE FUNCTION strftime(fmt text, t text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN fmt = '%s' THEN floor(deskui_epoch(t))::bigint::text
        ELSE to_char(deskui_ts(t) AT TIME ZONE 'UTC',
            replace(replace(replace(replace(replace(replace(replace(fmt,
                '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS'), '%%', '%'))
    END $$;

CREATE OR REPLACE FUNCTION strftime(fmt text, t text, modifier text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT strftime(fmt, to_char(deskui_ts(t, modifier) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) $$;

CREATE OR REPLACE FUNCTION date(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT to_char(deskui_ts(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;

CREATE OR REPLACE FUNCTION date(t text, modifier text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT to_char(deskui_ts(t, modifier) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;

CREATE OR REPLACE FUNCTION datetime(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT to_char(deskui_ts(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') $$;

CREATE OR REPLACE FUNCTION datetime(t text, modifier text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT to_char(deskui_ts(t, modifier) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') $$;

CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT strpos(haystack, needle)::bigint $$;

CREATE OR REPLACE FUNCTION ifnull(a anycompatible, b anycompatible) RETURNS anycompatible
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(a, b) $$;

CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT doc::jsonb #>> string_to_array(substr(path, 3), '.') $$;

-- sum() and total() of a comparison: SQLite's booleans are 0 and 1. The transition functions
-- are PL/pgSQL, not SQL: an aggregate's step is never inlined, and a SQL function called per row
-- took 3.3 us a row against 1.1 us (150k orders); the check-up's six sums over 50k orders were
-- 0.88 s of its server time on the 100k demo (version 4 of these functions).
CREATE OR REPLACE FUNCTION deskui_add_bool(acc bigint, value boolean) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF value IS NULL THEN
        RETURN acc;
    END IF;
    RETURN coalesce(acc, 0) + value::int;
END $$;

CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = deskui_add_bool, STYPE = bigint);

CREATE OR REPLACE FUNCTION deskui_total(acc double precision, value double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN acc + coalesce(value, 0);
END $$;

CREATE OR REPLACE AGGREGATE total(double precision) (SFUNC = deskui_total, STYPE = double precision, INITCOND = '0');

CREATE OR REPLACE FUNCTION deskui_concat(acc text, value text, sep text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN value IS NULL THEN acc
        WHEN acc IS NULL THEN value ELSE acc || sep || value END $$;

CREATE OR REPLACE FUNCTION deskui_concat(acc text, value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT deskui_concat(acc, value, ',') $$;

CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = deskui_concat, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = deskui_concat, STYPE = text);

CREATE OR REPLACE FUNCTION {_MARK}() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
"""


def apply(raw) -> None:
    """Create the functions unless this database has this version of them already (one cheap
    catalog read on every open). Two processes applying at once serialise on an advisory lock."""
    if raw.execute("SELECT to_regproc(%s)", (_MARK,)).fetchone()[0] is not None:
        return
    from deskui.store.postgres.db import MIGRATION_LOCK

    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        raw.execute(COMPAT_SQL)
