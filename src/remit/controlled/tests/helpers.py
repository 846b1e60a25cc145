from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from remit.controlled import services
from remit.controlled.models import Vial


def received(
    cast,
    label: str = "K-001",
    *,
    volume_ml: str = "10",
    drug: str = "ketamine",
    concentration: str = "50",
    expiry: date | None = None,
) -> Vial:
    return services.vial_receive(
        clinic=cast.clinic,
        by=cast.nurse,
        label=label,
        drug=drug,
        concentration_mg_per_ml=Decimal(concentration),
        volume_ml=Decimal(volume_ml),
        lot="LOT-7",
        expiry=expiry or timezone.localdate() + timedelta(days=180),
        supplier="Example Pharma",
    )
