"""The patient chart's "Sessions" tab."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse

from remit.charting.models import RemsForm, SessionNote
from remit.charting.selectors import patient_sessions
from remit.core.extensions import ChartDocument, ChartTab, DocumentSource
from remit.core.http import StaffRequest
from remit.core.roles import Capability
from remit.patients.models import Patient


def _sessions(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    return {"charted_sessions": list(patient_sessions(patient)[:50])}


def _notes(patient: Patient) -> list[ChartDocument]:
    notes = (
        SessionNote.objects.filter(session__patient=patient)
        .select_related("session", "signed_by", "cosigned_by")
        .annotate(addenda_count=Count("addenda"))
    )
    return [
        ChartDocument(
            kind="Session note",
            title=f"{note.session.get_modality_display()} session",
            signed_at=note.signed_at,
            signed_by=note.signed_by.display_name,
            url=reverse("charting:session", args=[note.session_id]) + "#note-card",
            status=f"co-signed by {note.cosigned_by.display_name}"
            if note.cosigned_by
            else "awaiting co-signature",
            addenda=note.addenda_count,
        )
        for note in notes
    ]


def _rems_forms(patient: Patient) -> list[ChartDocument]:
    forms = RemsForm.objects.filter(
        session__patient=patient, submitted_at__isnull=False
    ).select_related("submitted_by")
    return [
        ChartDocument(
            kind="REMS monitoring form",
            title=f"Submitted, confirmation {form.confirmation or '—'}",
            signed_at=form.submitted_at,
            signed_by=form.submitted_by.display_name if form.submitted_by else "",
            url=reverse("charting:rems_form", args=[form.session_id]),
        )
        for form in forms
        if form.submitted_at is not None
    ]


DOCUMENTS = [
    DocumentSource(Capability.VIEW_CLINICAL, _notes),
    DocumentSource(Capability.VIEW_CLINICAL, _rems_forms),
]

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
