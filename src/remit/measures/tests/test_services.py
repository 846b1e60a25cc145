"""Assessments, alerts and the selectors other capabilities use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from remit.core.models import AuditEvent
from remit.core.tests.factories import PatientFactory
from remit.measures import InvalidAnswers, score
from remit.measures.models import AlertStatus, Assessment, MeasuresSettings, SafetyAlert
from remit.measures.selectors import (
    assessments_since,
    clinic_open_alerts,
    latest_assessments,
    open_safety_alerts,
)
from remit.measures.services import (
    alert_acknowledge,
    assessment_record,
    measures_settings_update,
)
from remit.measures.tests.helpers import (
    GAD7_MODERATE,
    PHQ9_ITEM9,
    PHQ9_MILD,
    PHQ9_SEVERE,
    course_for,
)

pytestmark = pytest.mark.django_db


def _record(cast, answers, code="phq9", **kwargs):
    return assessment_record(
        patient=cast.patient, code=code, answers=answers, method="clinician", **kwargs
    )


def test_the_score_is_computed_by_the_scoring_code(cast):
    assessment = _record(cast, [3, 2, 1, 0, 1, 2, 3, 0, 1], collected_by=cast.nurse)
    expected = score("phq9", [3, 2, 1, 0, 1, 2, 3, 0, 1])
    assert assessment.total == expected.total == 13
    assert assessment.severity == "moderate"
    assert assessment.instrument_version == expected.version
    assert assessment.answers["phq9-9"] == 1
    assert assessment.subscores == {"phq2": 5}
    assert assessment.alerts[0]["link_id"] == "phq9-9"


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ([1, 1, 1, 1, 1, 1, 1, 1], "phq9-9"),  # a missing item
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], "phq9-9"),  # out of range
        ([1, 1, 1, 1, 1, 1, 1, 1, "2"], "phq9-9"),  # not a number
        ({"phq9-1": 1, "phq9-99": 1}, "phq9-99"),  # not an item
    ],
)
def test_bad_answers_are_refused_naming_the_item_and_nothing_is_saved(cast, answers, item):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidAnswers) as refused:
        _record(cast, answers)
    assert refused.value.link_id == item
    assert not Assessment.objects.exists()
    assert not SafetyAlert.objects.exists()
    assert AuditEvent.objects.count() == before


def test_an_unknown_instrument_or_method_is_refused(cast):
    with pytest.raises(InvalidAnswers, match="Unknown instrument"):
        _record(cast, [0] * 9, code="phq99")
    with pytest.raises(ValidationError):
        assessment_record(patient=cast.patient, code="phq9", answers=[0] * 9, method="fax")
    assert not Assessment.objects.exists()


def test_another_patients_course_or_a_future_date_is_refused(cast):
    other_course = course_for(cast.other_patient)
    with pytest.raises(ValidationError, match="another patient"):
        _record(cast, PHQ9_MILD, course=other_course)
    with pytest.raises(ValidationError, match="future"):
        _record(cast, PHQ9_MILD, collected_at=timezone.now() + timedelta(days=1))
    assert not Assessment.objects.exists()


def test_item_9_above_zero_raises_a_safety_alert_with_what_fired(cast):
    assessment = _record(cast, PHQ9_ITEM9)
    alert = SafetyAlert.objects.get()
    assert alert.assessment == assessment and alert.status == AlertStatus.OPEN
    assert alert.reasons[0]["kind"] == "item"
    assert "item 9" in alert.reasons[0]["rule"]
    assert list(open_safety_alerts(cast.patient)) == [alert]


def test_a_severe_band_raises_an_alert_and_a_mild_one_does_not(cast):
    _record(cast, PHQ9_MILD)
    assert not SafetyAlert.objects.exists()
    _record(cast, PHQ9_SEVERE)
    alert = SafetyAlert.objects.get()
    assert alert.reasons == [
        {
            "kind": "band",
            "text": "PHQ-9 severe (total 21)",
            "rule": "severe band raises an alert (clinic setting)",
            "source": alert.assessment.severity_source if alert.assessment else None,
        }
    ]


def test_a_clinic_can_turn_off_band_alerts_but_not_item_9(cast):
    MeasuresSettings.objects.create(clinic=cast.clinic, alert_bands=[])
    _record(cast, PHQ9_SEVERE)
    assert not SafetyAlert.objects.exists()
    _record(cast, PHQ9_ITEM9)
    assert SafetyAlert.objects.count() == 1


def test_the_madrs_item_10_level_is_the_clinics(cast):
    measures_settings_update(
        clinic=cast.clinic, by=cast.admin, changes={"madrs_item10_alert_at": 4}
    )
    _record(cast, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], code="madrs")
    assert not SafetyAlert.objects.exists()
    _record(cast, [2, 2, 2, 2, 2, 2, 2, 2, 2, 4], code="madrs")
    assert SafetyAlert.objects.get().reasons[0]["kind"] == "item"


def test_change_from_baseline_is_stored_with_its_definition(cast):
    now = timezone.now()
    baseline = _record(cast, [2, 2, 2, 2, 2, 2, 2, 2, 0], collected_at=now - timedelta(days=14))
    assert baseline.baseline is None and baseline.response is None
    later = _record(cast, [1, 1, 1, 1, 0, 0, 0, 0, 0], collected_at=now)
    assert later.baseline == baseline
    assert later.change_percent == pytest.approx(-75)
    assert later.response is True
    assert later.remission is True  # 4 < 5
    assert "PHQ-9 reduced by at least 50% from the baseline" in later.change_definition
    assert "[S" in later.change_definition


def test_a_baseline_of_zero_gives_no_response_and_no_error(cast):
    now = timezone.now()
    _record(cast, [0] * 9, collected_at=now - timedelta(days=7))
    later = _record(cast, [0] * 9, collected_at=now)
    assert later.change_percent is None
    assert later.response is False
    assert "baseline total is 0" in later.change_definition


def test_the_baseline_is_taken_within_the_course(cast):
    now = timezone.now()
    _record(cast, PHQ9_SEVERE, collected_at=now - timedelta(days=60))
    course = course_for(cast.patient)
    first = _record(cast, PHQ9_MILD, course=course, collected_at=now - timedelta(days=7))
    later = _record(cast, [0] * 9, course=course, collected_at=now)
    assert later.baseline == first


def test_a_prescriber_acknowledges_an_alert_with_a_note_and_it_is_audited(cast):
    alert = _record(cast, PHQ9_ITEM9).safety_alert
    with pytest.raises(ValidationError):
        alert_acknowledge(alert=alert, by=cast.prescriber, note="   ")
    alert_acknowledge(alert=alert, by=cast.prescriber, note="Called; safety plan reviewed.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == cast.prescriber and alert.acknowledged_at is not None
    event = AuditEvent.objects.filter(object_type="measures.SafetyAlert", action="change").get()
    assert event.actor_id == cast.prescriber.pk
    assert "safety plan" not in str(event.detail)
    assert not open_safety_alerts(cast.patient).exists()
    with pytest.raises(ValidationError, match="already acknowledged"):
        alert_acknowledge(alert=alert, by=cast.prescriber, note="again")


def test_only_a_prescriber_of_the_patients_clinic_may_acknowledge(cast):
    alert = _record(cast, PHQ9_ITEM9).safety_alert
    for user in (cast.nurse, cast.outsider):
        with pytest.raises(PermissionDenied):
            alert_acknowledge(alert=alert, by=user, note="seen")
    assert SafetyAlert.objects.get().status == AlertStatus.OPEN


def test_the_start_page_alerts_are_the_prescribers_own_clinics(cast):
    _record(cast, PHQ9_ITEM9)
    assessment_record(
        patient=cast.other_patient, code="phq9", answers=PHQ9_ITEM9, method="clinician"
    )
    assert [a.patient for a in clinic_open_alerts(cast.prescriber)] == [cast.patient]
    assert [a.patient for a in clinic_open_alerts(cast.outsider)] == [cast.other_patient]


def test_latest_assessments_gives_the_newest_of_each_instrument_asked_for(cast):
    now = timezone.now()
    _record(cast, PHQ9_SEVERE, collected_at=now - timedelta(days=7))
    newest = _record(cast, PHQ9_MILD, collected_at=now)
    gad = _record(cast, GAD7_MODERATE, code="gad7", collected_at=now - timedelta(days=3))
    assert latest_assessments(cast.patient, ["phq9", "gad7", "madrs"]) == {
        "phq9": newest,
        "gad7": gad,
    }
    assert latest_assessments(cast.patient, ["gad7"]) == {"gad7": gad}
    assert latest_assessments(PatientFactory(clinic=cast.clinic), ["phq9"]) == {}


def test_assessments_since_is_oldest_first_and_filters_by_instrument(cast):
    now = timezone.now()
    old = _record(cast, PHQ9_MILD, collected_at=now - timedelta(days=30))
    a = _record(cast, PHQ9_MILD, collected_at=now - timedelta(days=6))
    b = _record(cast, GAD7_MODERATE, code="gad7", collected_at=now - timedelta(days=2))
    since = now - timedelta(days=7)
    assert list(assessments_since(cast.patient, since)) == [a, b]
    assert list(assessments_since(cast.patient, since, ["gad7"])) == [b]
    assert old not in assessments_since(cast.patient, since)


def test_clinic_settings_refuse_an_alert_level_the_scoring_refuses(cast):
    with pytest.raises(ValidationError):
        measures_settings_update(
            clinic=cast.clinic, by=cast.admin, changes={"madrs_item10_alert_at": 9}
        )
    assert not MeasuresSettings.objects.exists()
