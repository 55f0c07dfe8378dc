"""search index: name bigrams for substring search, and an index of profiles with text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 23:55:00

The portal's search matches substrings of folded name keys, so a one-word full-text index would miss
two-character Japanese words (花火, 温泉), and trigram indexes (FTS5 trigram, pg_trgm) cannot serve
patterns shorter than three characters. `municipality_name_gram` holds every two-character slice of
every name key with its municipality: a search looks up the slices of its text there and only checks
the names of the municipalities holding all of them. Database triggers fill it, so every way of
writing names (the ORM, bulk inserts of an import, SQL by hand) keeps it complete; it may hold
slices of names since removed, which only costs a check, never a miss.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keys are at most 300 characters (municipality_name.key is VARCHAR(300)).
MAX_KEY_LENGTH = 300
SKELETON_PREFIX = "~"  # tsunagari.names.normalize.SKELETON_PREFIX: coarse keys never searched

_SQLITE_GRAMS = """
INSERT OR IGNORE INTO municipality_name_gram (gram, municipality_id)
SELECT substr({key}, p.n, 2), {municipality_id}
FROM search_position p
WHERE p.n < length({key}) AND substr({key}, 1, 1) <> '{skeleton}'
"""

_POSTGRES_GRAMS = """
INSERT INTO municipality_name_gram (gram, municipality_id)
SELECT DISTINCT substr(k.key, n, 2), k.municipality_id
FROM {rows} k, generate_series(1, length(k.key) - 1) AS n
WHERE substr(k.key, 1, 1) <> '{skeleton}'
ON CONFLICT DO NOTHING
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TABLE municipality_name_gram ("
            " gram VARCHAR(2) NOT NULL,"
            " municipality_id INTEGER NOT NULL REFERENCES municipality (id) ON DELETE CASCADE,"
            " CONSTRAINT pk_municipality_name_gram PRIMARY KEY (gram, municipality_id)"
            ") WITHOUT ROWID"
        )
        # Triggers cannot use recursive CTEs in SQLite: a table of positions stands in for a series.
        op.execute(
            "CREATE TABLE search_position (n INTEGER NOT NULL, CONSTRAINT pk_search_position PRIMARY KEY (n))"
        )
        op.execute(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < "
            f"{MAX_KEY_LENGTH}) INSERT INTO search_position (n) SELECT n FROM s"
        )
        op.execute(
            "INSERT OR IGNORE INTO municipality_name_gram (gram, municipality_id) "
            "SELECT substr(k.key, p.n, 2), k.municipality_id FROM municipality_name k "
            "JOIN search_position p ON p.n < length(k.key) "
            f"WHERE substr(k.key, 1, 1) <> '{SKELETON_PREFIX}'"
        )
        grams = _SQLITE_GRAMS.format(
            key="NEW.key", municipality_id="NEW.municipality_id", skeleton=SKELETON_PREFIX
        )
        op.execute(
            "CREATE TRIGGER tr_municipality_name_gram_insert AFTER INSERT ON municipality_name "
            f"BEGIN {grams}; END"
        )
        op.execute(
            "CREATE TRIGGER tr_municipality_name_gram_update AFTER UPDATE OF key, municipality_id "
            f"ON municipality_name BEGIN {grams}; END"
        )
    else:
        op.execute(
            "CREATE TABLE municipality_name_gram ("
            " gram VARCHAR(2) NOT NULL,"
            " municipality_id INTEGER NOT NULL REFERENCES municipality (id) ON DELETE CASCADE,"
            " CONSTRAINT pk_municipality_name_gram PRIMARY KEY (gram, municipality_id)"
            ")"
        )
        op.execute(_POSTGRES_GRAMS.format(rows="municipality_name", skeleton=SKELETON_PREFIX))
        # Statement-level triggers over the transition table: a bulk insert costs one set-based insert.
        op.execute(
            "CREATE FUNCTION municipality_name_gram_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + _POSTGRES_GRAMS.format(rows="new_names", skeleton=SKELETON_PREFIX)
            + "; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_municipality_name_gram_insert AFTER INSERT ON municipality_name "
            "REFERENCING NEW TABLE AS new_names FOR EACH STATEMENT "
            "EXECUTE FUNCTION municipality_name_gram_fill()"
        )
        op.execute(
            "CREATE TRIGGER tr_municipality_name_gram_update AFTER UPDATE ON municipality_name "
            "REFERENCING NEW TABLE AS new_names FOR EACH STATEMENT "
            "EXECUTE FUNCTION municipality_name_gram_fill()"
        )
    op.execute(
        "CREATE INDEX ix_municipality_name_gram_municipality_id ON municipality_name_gram (municipality_id)"
    )
    # Profile texts are searched by scanning; this keeps the scan to the municipalities that have one.
    op.execute(
        "CREATE INDEX ix_municipality_with_overview ON municipality (id) "
        "WHERE overview_ja IS NOT NULL OR overview_en IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_municipality_with_overview")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER tr_municipality_name_gram_update")
        op.execute("DROP TRIGGER tr_municipality_name_gram_insert")
        op.execute("DROP TABLE search_position")
    else:
        op.execute("DROP TRIGGER tr_municipality_name_gram_update ON municipality_name")
        op.execute("DROP TRIGGER tr_municipality_name_gram_insert ON municipality_name")
        op.execute("DROP FUNCTION municipality_name_gram_fill()")
    op.execute("DROP TABLE municipality_name_gram")
