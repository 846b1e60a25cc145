"""Pages show times in the signed-in staff member's clinic time zone, not the server's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.urls import reverse

from remit.core.tests.factories import BodyMeasurementFactory


def test_a_los_angeles_clinic_reads_its_own_local_time_on_the_chart(cast, client_for):
    cast.clinic.time_zone = "America/Los_Angeles"
    cast.clinic.save()
    # 17:30 UTC on 9 March 2026 is 10:30 in Los Angeles (PDT, the day after the clock change)
    # and 13:30 in New York, the server's default zone.
    BodyMeasurementFactory(
        patient=cast.patient,
        weight_kg=Decimal("71.0"),
        measured_at=datetime(2026, 3, 9, 17, 30, tzinfo=UTC),
    )

    html = client_for(cast.nurse).get(reverse("patients:chart", args=[cast.patient.pk])).content

    assert b"Measured 2026-03-09 10:30" in html


def test_a_new_york_clinic_reads_new_york_time(cast, client_for):
    cast.clinic.time_zone = "America/New_York"
    cast.clinic.save()
    BodyMeasurementFactory(
        patient=cast.patient,
        weight_kg=Decimal("71.0"),
        measured_at=datetime(2026, 11, 2, 17, 30, tzinfo=UTC),
    )

    html = client_for(cast.nurse).get(reverse("patients:chart", args=[cast.patient.pk])).content

    assert b"Measured 2026-11-02 12:30" in html
