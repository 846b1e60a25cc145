"""The chart's tabs. Every tab is declared here with a placeholder, so the chart always has the
same shape; the capability that fills a tab declares a tab with the same key."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects

from remit.core.access import user_can
from remit.core.extensions import ChartDocument, ChartTab, DocumentSource, document_sources
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.patients.models import Patient
from remit.patients.selectors import latest_measurement

PENDING = "patients/_tab_pending.html"


def _overview(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    prefetch_related_objects([patient], "diagnoses", "consents")
    return {"latest_measurement": latest_measurement(patient)}


def _documents(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    documents = [
        document
        for source in document_sources()
        if user_can(request.user, source.capability)
        for document in source.documents(patient)
    ]
    documents.sort(key=lambda document: document.signed_at, reverse=True)
    return {"documents": documents}


def _consents(patient: Patient) -> list[ChartDocument]:
    # A consent keeps the version of the form the patient signed, not its text; the form itself
    # is the clinic's document of that version.
    return [
        ChartDocument(
            kind="Consent",
            title=f"{consent.get_kind_display()} (form version {consent.document_version})",
            signed_at=consent.signed_at,
            signed_by=consent.witnessed_by.display_name if consent.witnessed_by else "",
            url="",
            status="withdrawn" if consent.withdrawn_at else "",
        )
        for consent in patient.consents.select_related("witnessed_by")
    ]


DOCUMENTS = [DocumentSource(Capability.VIEW_CLINICAL, _consents)]

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
    ChartTab(
        "documents",
        "Documents",
        60,
        Capability.VIEW_CLINICAL,
        "patients/_tab_documents.html",
        _documents,
    ),
]
