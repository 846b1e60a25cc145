"""The gate and the ratings against the other capabilities as they are installed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from remit.charting import integrations, services
from remit.charting.tests.helpers import NORMAL, checked_in, ready
from remit.core.tests.factories import BodyMeasurementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_integrations]


def _gate(cast, session):
    check = services.gate_check(
        session=session,
        by=cast.nurse,
        answers=services.GateAnswers(fasting_confirmed=True, ride_home_confirmed=True),
    )
    return {i["code"]: i for i in check.items}


def test_todays_phq9_recorded_by_the_measures_service_clears_the_questionnaire_item(cast):
    pytest.importorskip("remit.measures.services")
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70"))
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.vitals_record(session=session, by=cast.nurse, **NORMAL)
    assert _gate(cast, session)["questionnaires"]["detail"] == "Not done: phq9"
    from remit.measures.services import assessment_record

    assessment_record(
        patient=cast.patient,
        code="phq9",
        answers=[0] * 9,
        method="clinician",
        collected_by=cast.nurse,
    )
    items = _gate(cast, session)
    assert items["questionnaires"]["status"] == "pass"
    assert items["safety_alerts"]["status"] == "pass"


def test_without_a_signed_evaluation_the_contraindication_item_fails(cast):
    pytest.importorskip("remit.evaluation.selectors")
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    assert integrations.latest_evaluation_signed_at(cast.patient) is None
    assert _gate(cast, session)["contraindications"]["detail"] == "No signed evaluation on file."
    assert integrations.rems_enrolment(cast.patient) is False


def test_a_cadss6_rating_goes_through_the_measures_service(cast, monkeypatch):
    pytest.importorskip("remit.measures.services")
    # The gate's other items are not what this test is about.
    monkeypatch.setattr(integrations, "assessment_codes_since", lambda p, s, c: set(c))
    monkeypatch.setattr(
        integrations, "latest_evaluation_signed_at", lambda p: timezone.now() - timedelta(days=3)
    )
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    answers = {"cadss-1": 1, "cadss-2": 0, "cadss-6": 2, "cadss-7": 0, "cadss-15": 1, "cadss-22": 0}
    saved = services.rating_record(session=session, by=cast.nurse, code="cadss6", answers=answers)
    assert saved.appointment_id == session.appointment_id
    assert saved.instrument == "cadss6"


def test_when_a_capability_is_missing_its_item_is_shown_as_not_checked(cast, monkeypatch):
    monkeypatch.setattr(integrations, "_function", lambda module, name: None)
    assert integrations.open_safety_alert_count(cast.patient) is integrations.UNAVAILABLE
    assert integrations.rems_enrolment(cast.patient) is integrations.UNAVAILABLE
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    items = _gate(cast, session)
    assert items["questionnaires"]["status"] == "unavailable"
    assert items["safety_alerts"]["status"] == "unavailable"
    assert items["contraindications"]["status"] == "unavailable"
    with pytest.raises(Exception, match="not installed"):
        services.rating_record(session=session, by=cast.nurse, code="moaas", answers={"moaas": 5})
