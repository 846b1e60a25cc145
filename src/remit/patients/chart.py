"""The chart's tabs. Every tab is declared here with a placeholder, so the chart always has the
same shape; the capability that fills a tab declares a tab with the same key."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects

from remit.core.extensions import ChartTab
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.patients.models import Patient
from remit.patients.selectors import latest_measurement

PENDING = "patients/_tab_pending.html"


def _overview(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    prefetch_related_objects([patient], "diagnoses", "consents")
    return {"latest_measurement": latest_measurement(patient)}


TABS = [
    ChartTab(
        "overview",
        "Overview",
        10,
        Capability.VIEW_DEMOGRAPHICS,
        "patients/_tab_overview.html",
        _overview,
    ),
    ChartTab("measures", "Measures", 20, Capability.VIEW_CLINICAL, PENDING),
    ChartTab("evaluation", "Evaluation", 30, Capability.VIEW_CLINICAL, PENDING),
    ChartTab("course", "Course", 40, Capability.VIEW_CLINICAL, PENDING),
    ChartTab("sessions", "Sessions", 50, Capability.VIEW_CLINICAL, PENDING),
    ChartTab("documents", "Documents", 60, Capability.VIEW_CLINICAL, PENDING),
]
