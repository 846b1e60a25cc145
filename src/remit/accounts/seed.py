"""Demo staff: one login per role, all in the demo clinic, with one shared demo password."""

from __future__ import annotations

from django.db import transaction

from remit.accounts.models import StaffUser
from remit.accounts.services import role_groups_sync, staff_user_create
from remit.core.roles import Role
from remit.core.seeding import SeedContext

DEMO_PASSWORD = "remit-demo-2026"  # noqa: S105 (printed by `remit demo`; synthetic clinic only)
DEMO_STAFF = {
    Role.INTAKE_COORDINATOR: ("demo-intake", "Ivy", "Intake"),
    Role.PRESCRIBER: ("demo-prescriber", "Dr Pat", "Prescriber"),
    Role.NURSE: ("demo-nurse", "Noor", "Nurse"),
    Role.TMS_TECHNICIAN: ("demo-tms", "Theo", "Technician"),
    Role.CLINIC_ADMIN: ("demo-admin", "Ada", "Admin"),
    Role.RESEARCHER: ("demo-researcher", "Rae", "Researcher"),
}


@transaction.atomic
def seed(context: SeedContext) -> None:
    role_groups_sync()
    for role, (username, first, last) in DEMO_STAFF.items():
        user = StaffUser.objects.filter(username=username).first()
        if user is None:
            user = staff_user_create(
                username=username,
                password=DEMO_PASSWORD,
                clinic=context.clinic,
                roles=[role],
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
            )
            context.count("staff", 1)
        context.staff[role.value] = user
