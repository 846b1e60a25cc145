"""Database triggers that refuse UPDATE, DELETE and TRUNCATE of the audit table.

The migration installs them. The test suite removes them just before Django empties the
database between transactional tests, and puts them back afterwards.
"""

from __future__ import annotations

from typing import Any

_SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]
_POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse()""",
    # TRUNCATE bypasses row triggers, so it is refused by its own statement trigger.
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse()""",
]
_POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    pg = connection.vendor == "postgresql"
    _run(connection, _POSTGRES_INSTALL if pg else _SQLITE_INSTALL)


def uninstall(connection: Any) -> None:
    pg = connection.vendor == "postgresql"
    _run(connection, _POSTGRES_UNINSTALL if pg else _SQLITE_UNINSTALL)
