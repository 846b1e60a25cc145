"""The chart's Documents tab lists every signed document of the patient, newest first."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from remit.charting.models import RemsForm, SessionNote
from remit.charting.tests.helpers import ESKETAMINE, checked_in
from remit.evaluation.services import evaluation_sign, evaluation_start, evaluation_update
from remit.patients.services import consent_record


def _signed_evaluation(cast):
    evaluation = evaluation_start(patient=cast.patient, by=cast.prescriber)
    evaluation_update(
        evaluation=evaluation,
        by=cast.prescriber,
        changes={
            "pregnancy_status": "not_pregnant",
            "systolic_at_rest_mmhg": 124,
            "diastolic_at_rest_mmhg": 78,
            "heart_rate_at_rest_bpm": 70,
        },
    )
    return evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        decision="not_eligible",
        decision_reason="Symptoms resolved",
        signature_confirmed=True,
    )


def _documents(cast, client_for, user=None):
    response = client_for(user or cast.nurse).get(
        reverse("patients:chart", args=[cast.patient.pk]) + "?tab=documents"
    )
    assert response.status_code == 200
    return response.context["documents"], response.content.decode()


def test_it_lists_notes_rems_forms_evaluations_and_consents_newest_first(cast, client_for):
    now = timezone.now()
    consent_record(
        patient=cast.patient,
        by=cast.intake,
        kind="privacy",
        document_version="3",
        signed_at=now - timedelta(days=30),
    )
    evaluation = _signed_evaluation(cast)
    session = checked_in(
        clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, code=ESKETAMINE
    )
    SessionNote.objects.create(
        session=session,
        text="Session note.",
        signed_by=cast.nurse,
        signed_at=now + timedelta(hours=3),
    )
    RemsForm.objects.create(
        session=session,
        submitted_at=now + timedelta(hours=4),
        submitted_by=cast.nurse,
        confirmation="RMS-123",
    )

    documents, html = _documents(cast, client_for)

    assert [d.kind for d in documents] == [
        "REMS monitoring form",
        "Session note",
        "Evaluation",
        "Consent",
    ]
    rems, note, signed, consent = documents
    assert rems.url == reverse("charting:rems_form", args=[session.pk])
    assert note.url == reverse("charting:session", args=[session.pk]) + "#note-card"
    assert note.status == "awaiting co-signature"
    assert signed.url == reverse("evaluation:detail", args=[evaluation.pk])
    assert signed.title == "Decision: Not eligible"
    assert consent.title == "Privacy notice (form version 3)"
    assert f'href="{signed.url}"' in html and "Nothing recorded here yet" not in html


def test_a_draft_evaluation_and_an_unsubmitted_rems_form_are_not_listed(cast, client_for):
    evaluation_start(patient=cast.patient, by=cast.prescriber)
    session = checked_in(
        clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, code=ESKETAMINE
    )
    RemsForm.objects.create(session=session, confirmation="")

    documents, html = _documents(cast, client_for)

    assert documents == []
    assert "No signed document" in html


def test_the_intake_coordinator_has_no_documents_tab(cast, client_for):
    response = client_for(cast.intake).get(
        reverse("patients:chart", args=[cast.patient.pk]) + "?tab=documents"
    )
    assert "documents" not in response.context
