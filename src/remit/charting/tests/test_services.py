from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from remit.charting import integrations, services
from remit.charting.documents import note_text
from remit.charting.models import (
    DoseRecord,
    GateOverride,
    Session,
    SessionAlert,
    SessionNote,
    Stage,
    VitalSigns,
)
from remit.charting.selectors import board_rows, thresholds_for
from remit.charting.tests.helpers import (
    ESKETAMINE,
    NORMAL,
    TMS,
    checked_in,
    esketamine_dosed,
    ready,
)
from remit.core.models import AuditEvent
from remit.core.tests.factories import BodyMeasurementFactory
from remit.patients.models import BodyMeasurement

pytestmark = pytest.mark.django_db

HIGH = {**NORMAL, "systolic": 185, "diastolic": 110}


def _criteria(session):
    from remit.charting.discharge import DISCHARGE_CHECKLISTS

    now = timezone.now()
    return {c.code: now for c in DISCHARGE_CHECKLISTS[session.modality].criteria}


def test_check_in_opens_a_session_and_marks_the_appointment_arrived(cast):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    session.appointment.refresh_from_db()
    assert session.stage == Stage.GATE
    assert session.modality == "iv_ketamine"
    assert session.vitals_interval_min == 10
    assert session.appointment.status == "arrived"
    assert session.appointment.status_changes.get().new_status == "arrived"


def test_checking_in_twice_gives_the_same_session(cast):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    again = services.session_check_in(appointment=session.appointment, by=cast.nurse)
    assert again.pk == session.pk
    assert Session.objects.count() == 1


def test_the_gate_blocks_the_dose_until_it_is_clear(cast):
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70"))
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    check = services.gate_check(session=session, by=cast.nurse, answers=services.GateAnswers())
    failed = {i["code"] for i in check.items if i["status"] == "fail"}
    assert {"vitals", "fasting", "ride_home"} <= failed
    with pytest.raises(ValidationError, match="gate has not passed"):
        services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    assert not DoseRecord.objects.exists()


def test_a_pre_dose_reading_of_185_over_110_fails_the_gate(cast):
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70"))
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    _, alerts = services.vitals_record(session=session, by=cast.nurse, **HIGH)
    assert [a.level for a in alerts] == ["stop"]
    check = services.gate_check(
        session=session,
        by=cast.nurse,
        answers=services.GateAnswers(fasting_confirmed=True, ride_home_confirmed=True),
    )
    vitals = next(i for i in check.items if i["code"] == "vitals")
    assert vitals["status"] == "fail" and "185/110" in vitals["detail"]


def test_only_a_prescriber_with_a_reason_can_override_a_failed_item(cast):
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70"))
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.weight_basis_set(patient=cast.patient, basis="actual", by=cast.nurse)
    services.vitals_record(session=session, by=cast.nurse, **NORMAL)
    services.gate_check(
        session=session, by=cast.nurse, answers=services.GateAnswers(fasting_confirmed=True)
    )
    with pytest.raises(PermissionDenied):
        services.gate_override(
            session=session, item_code="ride_home", reason="Sister waiting outside", by=cast.nurse
        )
    with pytest.raises(ValidationError, match="at least 10 characters"):
        services.gate_override(
            session=session, item_code="ride_home", reason="ok", by=cast.prescriber
        )
    with pytest.raises(ValidationError, match="has not failed"):
        services.gate_override(
            session=session, item_code="fasting", reason="Not needed at all", by=cast.prescriber
        )
    services.gate_override(
        session=session,
        item_code="ride_home",
        reason="Taxi booked by the clinic, escort confirmed by phone",
        by=cast.prescriber,
    )
    session.refresh_from_db()
    assert session.stage == Stage.READY
    override = GateOverride.objects.get()
    assert AuditEvent.objects.filter(
        object_type="charting.GateOverride", object_id=str(override.pk), actor=cast.prescriber
    ).exists()


def test_the_iv_dose_comes_from_the_latest_weight_on_the_patients_basis(cast):
    session = ready(
        clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, weight_kg=Decimal("70.3")
    )
    dose = services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    assert dose.dose_mg == Decimal("35.2")  # 0.5 × 70.3 = 35.15, half-up
    assert dose.ml_per_hour == Decimal("150.0")
    assert dose.weight_basis == "actual"
    assert "Weight basis: actual" in dose.arithmetic
    assert any("35.15 mg, rounded half-up to 35.2 mg" in line for line in dose.arithmetic)
    session.refresh_from_db()
    assert session.stage == Stage.MONITORING


def test_it_refuses_a_dose_on_a_weight_of_zero(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    # A 0 kg row can only come from outside the form (the form refuses it); dosing still refuses.
    BodyMeasurement.objects.create(
        patient=cast.patient, weight_kg=Decimal("0"), measured_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="Weight must be between 30 and 300 kg; 0 kg"):
        services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    assert not DoseRecord.objects.exists()
    session.refresh_from_db()
    assert session.stage == Stage.READY


def test_a_dose_needs_an_explicit_weight_basis(cast):
    BodyMeasurementFactory(patient=cast.patient, weight_kg=Decimal("70"))
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.vitals_record(session=session, by=cast.nurse, **NORMAL)
    services.gate_check(
        session=session,
        by=cast.nurse,
        answers=services.GateAnswers(fasting_confirmed=True, ride_home_confirmed=True),
    )
    with pytest.raises(ValidationError, match="weight basis"):
        services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())


@pytest.mark.parametrize(
    ("reading", "field", "message"),
    [
        ({"systolic": 400, "diastolic": 20}, "systolic", "Systolic blood pressure of 400 mmHg"),
        ({"systolic": 120, "diastolic": 130}, "diastolic", "must be below systolic"),
        ({"spo2": 140}, "spo2", "SpO2 of 140 % is not possible"),
    ],
)
def test_it_refuses_impossible_readings_and_saves_nothing(cast, reading, field, message):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    with pytest.raises(ValidationError) as refused:
        services.vitals_record(session=session, by=cast.nurse, **{**NORMAL, **reading})
    assert message in " ".join(refused.value.message_dict[field])
    assert not VitalSigns.objects.exists()
    assert not SessionAlert.objects.exists()


def test_a_high_reading_during_the_infusion_raises_a_stop_alert_that_needs_an_action(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    _, alerts = services.vitals_record(session=session, by=cast.nurse, **HIGH)
    assert [(a.level, a.vital) for a in alerts] == [("stop", "blood_pressure")]
    assert "185/110 mmHg" in alerts[0].reason
    assert not alerts[0].setting_confirmed
    with pytest.raises(ValidationError, match="Say what was done"):
        services.alert_acknowledge(alert=alerts[0], by=cast.nurse, action_taken="")
    acked = services.alert_acknowledge(
        alert=alerts[0], by=cast.nurse, action_taken="Infusion stopped, prescriber called"
    )
    assert acked.acknowledged_by == cast.nurse
    again = services.alert_acknowledge(alert=acked, by=cast.prescriber, action_taken="other")
    assert again.acknowledged_by == cast.nurse and again.action_taken.startswith("Infusion")


def test_the_board_shows_running_sessions_with_next_check_and_open_alerts(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    services.vitals_record(session=session, by=cast.nurse, **HIGH)
    [row] = board_rows(cast.clinic.pk)
    assert row.session.pk == session.pk
    assert len(row.open_alerts) == 1
    assert row.next_due is not None and not row.overdue
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert board_rows(cast.clinic.pk)[0].overdue
    assert board_rows(cast.other_clinic.pk) == []


def _dosed(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    return session


def test_discharge_needs_the_checklist_and_no_open_alert(cast):
    session = _dosed(cast)
    _, alerts = services.vitals_record(session=session, by=cast.nurse, **HIGH)
    with pytest.raises(ValidationError, match="Walking steadily"):
        services.discharge_record(session=session, by=cast.nurse, criteria={})
    with pytest.raises(ValidationError, match="1 alert"):
        services.discharge_record(session=session, by=cast.nurse, criteria=_criteria(session))
    services.alert_acknowledge(alert=alerts[0], by=cast.nurse, action_taken="Rechecked, settled")
    discharge = services.discharge_record(
        session=session, by=cast.nurse, criteria=_criteria(session), escort_name="Sam (partner)"
    )
    session.refresh_from_db()
    session.appointment.refresh_from_db()
    assert session.stage == Stage.DISCHARGED
    assert session.appointment.status == "fulfilled"
    assert set(discharge.criteria) == set(_criteria(session))


def test_a_signed_note_is_read_only_and_corrected_by_addendum(cast):
    session = _dosed(cast)
    services.side_effect_record(
        session=session, by=cast.nurse, symptom="dissociation", severity="mild"
    )
    services.discharge_record(session=session, by=cast.nurse, criteria=_criteria(session))
    note = services.note_sign(session=session, by=cast.nurse)
    assert "Dose given at" in note.text and "Dissociation (mild)" in note.text
    with pytest.raises(ValidationError, match="A signed note cannot be changed"):
        services.note_edit(note=note, by=cast.nurse, text="rewritten")
    with pytest.raises(ValidationError, match="A signed note cannot be changed"):
        services.note_sign(session=session, by=cast.nurse)
    assert SessionNote.objects.get().text == note.text
    with pytest.raises(PermissionDenied):
        services.note_cosign(note=note, by=cast.nurse)
    services.note_cosign(note=note, by=cast.prescriber)
    addendum = services.note_addendum_add(note=note, by=cast.nurse, text="BP 185/110 was at 10:40")
    assert addendum.note == note
    note.refresh_from_db()
    assert note.cosigned_by == cast.prescriber


def test_a_prescriber_cannot_co_sign_their_own_note(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.prescriber)
    services.dose_record(session=session, by=cast.prescriber, entry=services.DoseInput())
    services.discharge_record(session=session, by=cast.prescriber, criteria=_criteria(session))
    note = services.note_sign(session=session, by=cast.prescriber)
    with pytest.raises(ValidationError, match="different person"):
        services.note_cosign(note=note, by=cast.prescriber)


def test_esketamine_needs_rems_enrolment_and_a_prescriber_on_site(cast, other_capabilities):
    other_capabilities.rems_enrolled = integrations.UNAVAILABLE
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse, code=ESKETAMINE)
    check = session.gate_checks.first()
    assert check is not None
    statuses = {i["code"]: i["status"] for i in check.items}
    # Enrolment cannot be checked while the evaluation capability is missing: it blocks.
    assert statuses["rems_enrolment"] == "fail"
    assert statuses["prescriber_on_site"] == "fail"
    assert session.stage == Stage.GATE


def test_an_esketamine_dose_is_two_or_three_devices_with_a_lot(cast, other_capabilities):
    other_capabilities.rems_enrolled = False
    session = ready(
        clinic=cast.clinic,
        patient=cast.patient,
        nurse=cast.nurse,
        prescriber=cast.prescriber,
        code=ESKETAMINE,
    )
    services.gate_override(
        session=session,
        item_code="rems_enrolment",
        reason="Enrolment confirmed on the REMS portal today",
        by=cast.prescriber,
    )
    with pytest.raises(ValidationError, match="lot"):
        services.dose_record(
            session=session, by=cast.nurse, entry=services.DoseInput(dose_mg=Decimal(84))
        )
    with pytest.raises(ValidationError, match="56 or 84"):
        services.dose_record(
            session=session, by=cast.nurse, entry=services.DoseInput(dose_mg=Decimal(70), lot="L1")
        )
    dose = services.dose_record(
        session=session, by=cast.nurse, entry=services.DoseInput(dose_mg=Decimal(84), lot="L1")
    )
    assert dose.devices == 3 and dose.dose_mg == Decimal("84.0")


def test_esketamine_device_1_is_recorded_with_the_dose_and_the_rest_as_given(
    cast, other_capabilities
):
    session, dose = esketamine_dosed(cast, mg=84)
    (first,) = session.devices.all()
    assert (first.number, first.given_at, first.short_rest) == (1, dose.given_at, "")
    with time_machine.travel(dose.given_at + timedelta(minutes=5, seconds=10)):
        second = services.esketamine_device_record(session=session, by=cast.nurse, number=2)
    assert second.short_rest == ""
    # Given early: still recorded (the chart says what happened), with the reason it matters.
    with time_machine.travel(second.given_at + timedelta(minutes=3)):
        third = services.esketamine_device_record(session=session, by=cast.nurse, number=3)
    assert "3.0 min after device 2" in third.short_rest and "5-minute rest" in third.short_rest
    with pytest.raises(ValidationError, match="All 3 devices"):
        services.esketamine_device_record(session=session, by=cast.nurse, number=4)
    assert session.devices.count() == 3
    assert AuditEvent.objects.filter(object_type="charting.EsketamineDevice").count() == 2
    note = note_text(session)
    assert "Device 3 given" in note and "5-minute rest" in note


def test_a_repeated_device_tap_records_nothing_twice(cast, other_capabilities):
    session, dose = esketamine_dosed(cast)
    with time_machine.travel(dose.given_at + timedelta(minutes=6)):
        services.esketamine_device_record(session=session, by=cast.nurse, number=2)
        with pytest.raises(ValidationError, match="Device 2 is already recorded"):
            services.esketamine_device_record(session=session, by=cast.nurse, number=2)
        with pytest.raises(ValidationError, match="Device 1 is already recorded"):
            services.esketamine_device_record(session=session, by=cast.nurse, number=1)
    assert list(session.devices.values_list("number", flat=True)) == [1, 2]


def test_devices_are_refused_for_a_session_without_an_esketamine_dose(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    with pytest.raises(ValidationError, match="after an esketamine dose"):
        services.esketamine_device_record(session=session, by=cast.nurse, number=1)
    services.dose_record(session=session, by=cast.nurse, entry=services.DoseInput())
    with pytest.raises(ValidationError, match="after an esketamine dose"):
        services.esketamine_device_record(session=session, by=cast.nurse, number=2)
    assert not session.devices.exists()


def test_a_tms_session_records_its_parameters(cast):
    session = checked_in(clinic=cast.clinic, patient=cast.patient, nurse=cast.tms_tech, code=TMS)
    services.gate_check(session=session, by=cast.tms_tech, answers=services.GateAnswers())
    session.refresh_from_db()
    assert session.stage == Stage.READY
    dose = services.dose_record(
        session=session,
        by=cast.tms_tech,
        entry=services.DoseInput(
            tms={
                "motor_threshold_pct": "50",
                "percent_of_mt": "120",
                "frequency_hz": "10",
                "pulses": "3000",
                "trains": "75",
                "coil": "Figure-8",
                "target": "Left DLPFC",
            }
        ),
    )
    assert dose.parameters["output_pct"] == "60.0"


def test_the_medical_director_confirms_a_limit_with_its_source(cast):
    assert not thresholds_for(cast.clinic.pk).spo2_pause_below.confirmed
    with pytest.raises(PermissionDenied):
        services.threshold_set(
            clinic=cast.clinic,
            by=cast.nurse,
            name="spo2_pause_below",
            value=Decimal(94),
            source="Clinic protocol v3",
        )
    with pytest.raises(ValidationError, match="must not be above"):
        services.threshold_set(
            clinic=cast.clinic,
            by=cast.prescriber,
            name="spo2_stop_below",
            value=Decimal(95),
            source="Clinic protocol v3",
        )
    services.threshold_set(
        clinic=cast.clinic,
        by=cast.prescriber,
        name="spo2_pause_below",
        value=Decimal(94),
        source="Clinic protocol v3",
    )
    limit = thresholds_for(cast.clinic.pk).spo2_pause_below
    assert (limit.value, limit.confirmed, limit.source) == (Decimal(94), True, "Clinic protocol v3")
    assert not thresholds_for(cast.other_clinic.pk).spo2_pause_below.confirmed
