"""The patient chart's "Sessions" tab."""

from __future__ import annotations

from typing import Any

from remit.charting.selectors import patient_sessions
from remit.core.extensions import ChartTab
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.patients.models import Patient


def _sessions(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    return {"charted_sessions": list(patient_sessions(patient)[:50])}


TABS = [
    ChartTab(
        "sessions",
        "Sessions",
        50,
        Capability.VIEW_CLINICAL,
        "charting/_tab_sessions.html",
        _sessions,
    )
]
