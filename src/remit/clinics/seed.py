"""The demo clinic: opening hours and the chairs, rooms and devices of a mid-sized practice."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from remit.clinics.models import Clinic, OpeningHours, Resource, ResourceKind
from remit.core.seeding import SeedContext

DEMO_CLINIC_NAME = "Remit Demo Clinic"
RESOURCES = (
    [(ResourceKind.INFUSION_CHAIR, f"Chair {n}") for n in range(1, 7)]
    + [(ResourceKind.ESKETAMINE_ROOM, f"Esketamine room {n}") for n in (1, 2)]
    + [(ResourceKind.TMS_DEVICE, f"TMS device {n}") for n in (1, 2)]
)


@transaction.atomic
def seed(context: SeedContext) -> None:
    clinic, created = Clinic.objects.get_or_create(
        name=DEMO_CLINIC_NAME, defaults={"time_zone": "America/New_York"}
    )
    context.clinic = clinic
    if created:
        hours = [
            OpeningHours(clinic=clinic, weekday=day, opens_at=time(8), closes_at=time(18))
            for day in range(5)
        ]
        hours.append(OpeningHours(clinic=clinic, weekday=5, opens_at=time(9), closes_at=time(13)))
        OpeningHours.objects.bulk_create(hours)
        context.count("clinics", 1)
    existing = set(Resource.objects.filter(clinic=clinic).values_list("name", flat=True))
    new = [
        Resource(clinic=clinic, kind=kind, name=name)
        for kind, name in RESOURCES
        if name not in existing
    ]
    Resource.objects.bulk_create(new)
    context.count("resources", len(new))
