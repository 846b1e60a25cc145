from __future__ import annotations

import pytest

from remit.core.models import AuditEvent
from remit.evaluation.models import Evaluation

pytestmark = pytest.mark.django_db


def _start(client, cast) -> Evaluation:
    response = client.post(f"/evaluation/patient/{cast.patient.pk}/start/")
    assert response.status_code == 302
    return Evaluation.objects.get(patient=cast.patient)


def test_a_prescriber_starts_an_evaluation_from_the_chart_tab(cast, client_for):
    client = client_for(cast.prescriber)
    tab = client.get(f"/patients/{cast.patient.pk}/?tab=evaluation")
    assert b"Start an evaluation" in tab.content
    evaluation = _start(client, cast)
    assert _start(client, cast) == evaluation  # a double submit gives the same draft
    page = client.get(f"/evaluation/{evaluation.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Findings per treatment" in text and "Esketamine (Spravato)" in text
    assert "Pregnancy status is not recorded" in text
    assert AuditEvent.objects.filter(action="view", patient_id=cast.patient.pk).exists()


def test_a_nurse_reads_the_evaluation_but_gets_no_forms(cast, client_for):
    evaluation = _start(client_for(cast.prescriber), cast)
    page = client_for(cast.nurse).get(f"/evaluation/{evaluation.pk}/")
    assert page.status_code == 200
    assert b"Sign decision" not in page.content
    assert client_for(cast.nurse).post(f"/evaluation/{evaluation.pk}/history/").status_code == 403


def test_impossible_vitals_on_the_page_give_a_field_message_and_save_nothing(cast, client_for):
    client = client_for(cast.prescriber)
    evaluation = _start(client, cast)
    response = client.post(
        f"/evaluation/{evaluation.pk}/history/",
        {
            "systolic_at_rest_mmhg": "1200",
            "diastolic_at_rest_mmhg": "80",
            "pregnancy_status": "unknown",
            "episode_severity": "moderate",
        },
    )
    assert response.status_code == 422
    assert "is not a possible reading" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.systolic_at_rest_mmhg is None


def test_a_negative_trial_duration_on_the_page_is_refused(cast, client_for):
    client = client_for(cast.prescriber)
    evaluation = _start(client, cast)
    response = client.post(
        f"/evaluation/{evaluation.pk}/trials/",
        {
            "drug": "sertraline",
            "daily_dose_mg": "100",
            "duration_weeks": "-3",
            "adherence": "good",
            "outcome": "no_response",
            "reason_stopped": "not_effective",
        },
    )
    assert response.status_code == 422
    assert "cannot be negative" in response.content.decode()
    assert not evaluation.trials.exists()


def test_signing_without_the_signature_box_is_refused_on_the_page(cast, client_for):
    client = client_for(cast.prescriber)
    evaluation = _start(client, cast)
    response = client.post(
        f"/evaluation/{evaluation.pk}/sign/",
        {"decision": "not_eligible", "decision_reason": "Not depressed"},
    )
    assert response.status_code == 422
    assert "Confirm your signature" in response.content.decode()
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_a_signed_evaluation_page_is_read_only_with_an_addendum_form(cast, client_for):
    client = client_for(cast.prescriber)
    evaluation = _start(client, cast)
    signed = client.post(
        f"/evaluation/{evaluation.pk}/sign/",
        {
            "decision": "not_eligible",
            "decision_reason": "Not depressed",
            "signature_confirmed": "on",
        },
    )
    assert signed.status_code == 302
    page = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    assert "Save history and vitals" not in page and "Add addendum" in page
    refused = client.post(
        f"/evaluation/{evaluation.pk}/history/",
        {"pregnancy_status": "pregnant", "episode_severity": "mild"},
    )
    assert refused.status_code == 422
    assert "add an addendum instead" in refused.content.decode()
    assert (
        client.post(f"/evaluation/{evaluation.pk}/addenda/", {"text": "Seen again."}).status_code
        == 302
    )
    assert evaluation.addenda.count() == 1


def test_the_thresholds_page_shows_the_default_and_then_the_clinics_protocol(cast, client_for):
    client = client_for(cast.prescriber)
    page = client.get("/evaluation/settings/").content.decode()
    assert "180/100 mmHg" in page and "[S77]" in page
    response = client.post(
        "/evaluation/settings/",
        {
            "name": "ketamine_caution_above",
            "systolic_mmhg": "150",
            "diastolic_mmhg": "95",
            "protocol": "Harbour BP protocol v2",
        },
    )
    assert response.status_code == 302
    page = client.get("/evaluation/settings/").content.decode()
    assert "the clinic&#x27;s own protocol: Harbour BP protocol v2" in page
    bad = client.post(
        "/evaluation/settings/",
        {
            "name": "ketamine_caution_above",
            "systolic_mmhg": "900",
            "diastolic_mmhg": "95",
            "protocol": "x",
        },
    )
    assert bad.status_code == 422
