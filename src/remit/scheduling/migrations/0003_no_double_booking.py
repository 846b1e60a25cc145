"""No double-booking, enforced by PostgreSQL itself: exclusion constraints over the time range.

A resource, or a staff member booked one-to-one, cannot hold two overlapping appointments while
both are in a status that holds the slot (``transitions.HOLDS_RESOURCE``). SQLite has no
exclusion constraints; there the booking service checks inside its BEGIN IMMEDIATE transaction,
which serialises every writer. Keep the status list in step with ``HOLDS_RESOURCE`` (a test
compares them).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

HOLDING = "('proposed', 'pending', 'booked', 'arrived', 'checked-in', 'fulfilled')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_double_booking_resource "
    "EXCLUDE USING gist (resource_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
    f"WHERE (status IN {HOLDING})",
    "ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_double_booking_staff "
    "EXCLUDE USING gist (staff_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
    f"WHERE (staff_id IS NOT NULL AND status IN {HOLDING})",
]
BACKWARD = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS "
    "appointment_no_double_booking_staff",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS "
    "appointment_no_double_booking_resource",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_hours_availability_planner")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
