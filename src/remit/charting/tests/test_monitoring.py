from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.charting.dosing import Modality
from remit.charting.monitoring import (
    DEFAULT_THRESHOLDS,
    MONITORING_SCHEDULES,
    SETTING_LABELS,
    AlertLevel,
    Threshold,
    VitalsThresholds,
    check_is_overdue,
    check_vitals,
    next_check_due,
    threshold_settings,
    unconfirmed_thresholds,
)

CALM = dict(systolic=120, diastolic=80, heart_rate=72, spo2=98, respiratory_rate=14)


def vitals(phase="pre", **overrides):
    return check_vitals(**{**CALM, **overrides}, phase=phase)


def levels(alerts):
    return [a.level for a in alerts]


# --- Impossible readings --------------------------------------------------------------------------


def test_it_refuses_a_blood_pressure_of_400_over_20():
    with pytest.raises(ValueError, match="Systolic blood pressure of 400 mmHg is not possible"):
        vitals(systolic=400, diastolic=20)


def test_it_refuses_an_spo2_of_140_percent():
    with pytest.raises(ValueError, match="SpO2 of 140 % is not possible"):
        vitals(spo2=140)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("systolic", 39),
        ("systolic", 301),
        ("diastolic", 19),
        ("diastolic", 201),
        ("heart_rate", 19),
        ("heart_rate", 251),
        ("spo2", 49),
        ("spo2", "100.1"),
        ("respiratory_rate", 3),
        ("respiratory_rate", 61),
    ],
)
def test_it_refuses_a_reading_just_outside_what_is_possible(field, value):
    with pytest.raises(ValueError, match="is not possible"):
        vitals(**{field: value})


def test_it_accepts_readings_at_the_edges_of_what_is_possible_and_alerts_on_them():
    high = vitals(systolic=300, diastolic=200, heart_rate=250, spo2=100, respiratory_rate=60)
    low = vitals(systolic=40, diastolic=20, heart_rate=20, spo2=50, respiratory_rate=4)
    assert [(a.level, a.vital) for a in high] == [
        (AlertLevel.STOP, "blood_pressure"),
        (AlertLevel.STOP, "heart_rate"),
        (AlertLevel.NOTIFY, "respiratory_rate"),
    ]
    assert [(a.level, a.vital) for a in low] == [
        (AlertLevel.STOP, "spo2"),
        (AlertLevel.STOP, "respiratory_rate"),
        (AlertLevel.PAUSE, "blood_pressure"),
        (AlertLevel.PAUSE, "heart_rate"),
    ]


@pytest.mark.parametrize("diastolic", [120, 130])
def test_it_refuses_a_diastolic_that_is_not_below_the_systolic(diastolic):
    with pytest.raises(ValueError, match="must be below systolic"):
        vitals(systolic=120, diastolic=diastolic)


def test_it_refuses_an_unknown_phase():
    with pytest.raises(ValueError, match="Phase must be pre, during or post"):
        vitals(phase="later")


def test_it_refuses_a_reading_that_is_not_a_number():
    with pytest.raises(ValueError, match="Heart rate must be a number"):
        vitals(heart_rate="fast")


# --- Blood pressure before the dose -------------------------------------------------------------


def test_calm_readings_raise_no_alert_in_any_phase():
    for phase in ("pre", "during", "post"):
        assert vitals(phase) == []


def test_an_alert_reads_the_same_by_attribute_or_by_name():
    (alert,) = vitals(systolic=185, diastolic=110)
    assert (alert["level"], alert["reason"]) == (alert.level, alert.reason)
    assert alert["level"] == "stop"


def test_140_over_90_before_a_dose_is_not_yet_an_alert():
    assert vitals(systolic=140, diastolic=90) == []


@pytest.mark.parametrize(("systolic", "diastolic"), [(141, 80), (130, 91), (180, 100)])
def test_it_holds_the_dose_for_prescriber_review_above_140_over_90(systolic, diastolic):
    alerts = vitals(systolic=systolic, diastolic=diastolic)
    assert levels(alerts) == [AlertLevel.PAUSE]
    assert alerts[0].vital == "blood_pressure"
    assert alerts[0].source == "[S69], [S70]"
    assert "prescriber" in alerts[0].reason


@pytest.mark.parametrize(("systolic", "diastolic"), [(181, 90), (170, 101), (185, 110)])
def test_it_says_do_not_start_above_180_over_100_before_a_dose(systolic, diastolic):
    alerts = vitals(systolic=systolic, diastolic=diastolic)
    assert levels(alerts) == ["stop"]
    assert alerts[0].source == "[S77]"
    assert alerts[0].confirmed is True
    assert "do not start" in alerts[0].reason


def test_it_says_the_reading_and_the_limit_in_plain_words():
    (alert,) = vitals(systolic=185, diastolic=110)
    assert alert.reason.startswith("Blood pressure 185/110 mmHg is above 180/100 mmHg")


# --- Blood pressure during and after the dose (unconfirmed defaults) -----------------------------


@pytest.mark.parametrize("phase", ["during", "post"])
def test_it_stops_at_185_over_110_during_or_after_a_dose(phase):
    (alert,) = vitals(phase, systolic=185, diastolic=110)
    assert alert.level == "stop"
    assert alert.confirmed is False
    assert "call the prescriber" in alert.reason


@pytest.mark.parametrize("phase", ["during", "post"])
def test_it_notifies_above_140_over_90_during_or_after_a_dose(phase):
    assert levels(vitals(phase, systolic=150, diastolic=85)) == ["notify"]
    assert vitals(phase, systolic=140, diastolic=90) == []


def test_it_pauses_when_the_systolic_falls_below_90():
    assert levels(vitals("during", systolic=89, diastolic=60)) == ["pause"]
    assert vitals("during", systolic=90, diastolic=60) == []


# --- Heart rate, SpO2, respiratory rate ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("heart_rate", 110, []),
        ("heart_rate", 111, ["pause"]),
        ("heart_rate", 130, ["pause"]),
        ("heart_rate", 131, ["stop"]),
        ("heart_rate", 50, []),
        ("heart_rate", 49, ["pause"]),
        ("spo2", 92, []),
        ("spo2", "91.9", ["pause"]),
        ("spo2", 90, ["pause"]),
        ("spo2", 89, ["stop"]),
        ("respiratory_rate", 10, []),
        ("respiratory_rate", 9, ["pause"]),
        ("respiratory_rate", 8, ["pause"]),
        ("respiratory_rate", 7, ["stop"]),
        ("respiratory_rate", 24, []),
        ("respiratory_rate", 25, ["notify"]),
    ],
)
def test_it_alerts_at_each_edge_of_the_default_limits(field, value, expected):
    alerts = vitals("during", **{field: value})
    assert levels(alerts) == expected
    assert all(a.vital == field and a.confirmed is False for a in alerts)


def test_it_lists_the_most_severe_alerts_first():
    alerts = vitals("during", heart_rate=115, spo2=88, respiratory_rate=26)
    assert levels(alerts) == ["stop", "pause", "notify"]
    assert [a.vital for a in alerts] == ["spo2", "heart_rate", "respiratory_rate"]


def test_a_low_spo2_before_the_dose_says_do_not_start():
    (alert,) = vitals("pre", spo2=85)
    assert "do not start" in alert.reason


# --- Thresholds as clinic settings ----------------------------------------------------------------


def test_a_clinic_can_change_a_limit_and_record_its_own_source():
    clinic = dataclasses.replace(
        DEFAULT_THRESHOLDS,
        spo2_pause_below=Threshold(Decimal(94), "Clinic protocol v3", confirmed=True),
    )
    (alert,) = check_vitals(**{**CALM, "spo2": 93}, phase="during", thresholds=clinic)
    assert alert.level == "pause"
    assert alert.source == "Clinic protocol v3"
    assert alert.confirmed is True


def test_it_refuses_settings_where_the_stop_limit_is_milder_than_the_pause_limit():
    with pytest.raises(ValueError, match="SpO2"):
        dataclasses.replace(
            DEFAULT_THRESHOLDS, spo2_stop_below=Threshold(Decimal(95), "clinic", True)
        )


def test_only_the_two_regulator_sourced_blood_pressure_anchors_ship_confirmed():
    confirmed = {s.name for s in threshold_settings() if s.confirmed}
    assert confirmed == {
        "pre_review_systolic_above",
        "pre_review_diastolic_above",
        "pre_stop_systolic_above",
        "pre_stop_diastolic_above",
    }


def test_the_admin_page_lists_every_unconfirmed_setting_with_the_reason():
    unconfirmed = unconfirmed_thresholds()
    names = {s.name for s in unconfirmed}
    assert {"spo2_pause_below", "spo2_stop_below", "heart_rate_pause_above"} <= names
    assert all("medical director must confirm" in s.note for s in unconfirmed)
    assert len(unconfirmed) + 4 == len(dataclasses.fields(VitalsThresholds))


def test_confirming_a_setting_takes_it_off_the_unconfirmed_list():
    confirmed = dataclasses.replace(
        DEFAULT_THRESHOLDS, spo2_stop_below=Threshold(Decimal(90), "Clinic protocol v3", True)
    )
    assert "spo2_stop_below" not in {s.name for s in unconfirmed_thresholds(confirmed)}


def test_every_setting_has_a_label_and_a_source():
    assert set(SETTING_LABELS) == {f.name for f in dataclasses.fields(VitalsThresholds)}
    assert all(s.source for s in threshold_settings())


# --- Properties -----------------------------------------------------------------------------------

readings = st.fixed_dictionaries(
    {
        "systolic": st.integers(60, 300),
        "diastolic": st.integers(20, 59),
        "heart_rate": st.integers(20, 250),
        "spo2": st.integers(50, 100),
        "respiratory_rate": st.integers(4, 60),
        "phase": st.sampled_from(["pre", "during", "post"]),
    }
)


@given(readings)
def test_every_possible_reading_gives_well_formed_alerts(values):
    alerts = check_vitals(**values)
    assert {a.level for a in alerts} <= {"notify", "pause", "stop"}
    assert all(a.reason and a.source for a in alerts)
    # one alert per concern at most, most severe first
    concerns = [(a.vital, "above" if "above" in a.reason else "below") for a in alerts]
    assert len(concerns) == len(set(concerns))
    order = {"notify": 1, "pause": 2, "stop": 3}
    assert [order[a.level] for a in alerts] == sorted(
        (order[a.level] for a in alerts), reverse=True
    )


@given(readings, st.integers(1, 40))
def test_a_worse_blood_pressure_never_gives_a_milder_alert(values, rise):
    def bp_level(systolic):
        alerts = [
            a
            for a in check_vitals(**{**values, "systolic": systolic})
            if a.vital == "blood_pressure" and "above" in a.reason
        ]
        return max(({"notify": 1, "pause": 2, "stop": 3}[a.level] for a in alerts), default=0)

    assert bp_level(min(values["systolic"] + rise, 300)) >= bp_level(values["systolic"])


# --- When the next check is due -------------------------------------------------------------------

LAST = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def test_the_next_check_is_due_one_interval_after_the_last():
    assert next_check_due(LAST, 10) == LAST + timedelta(minutes=10)


def test_a_check_is_overdue_exactly_at_the_interval_and_not_a_minute_before():
    due = LAST + timedelta(minutes=15)
    assert check_is_overdue(last_check_at=LAST, interval_min=15, now=due)
    assert not check_is_overdue(last_check_at=LAST, interval_min=15, now=due - timedelta(minutes=1))


def test_it_refuses_a_naive_time_for_the_last_check():
    with pytest.raises(ValueError, match="time zone"):
        next_check_due(datetime(2025, 3, 4, 9, 30), 10)  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize("interval", [0, -5, True, 2.5])
def test_it_refuses_an_interval_that_is_not_a_positive_whole_number(interval):
    with pytest.raises(ValueError, match="whole number of minutes"):
        next_check_due(LAST, interval)


def test_iv_ketamine_is_checked_every_10_minutes_as_in_research_practice():
    schedule = MONITORING_SCHEDULES[Modality.IV_KETAMINE]
    assert schedule.interval_min == 10
    assert "[S83]" in schedule.source


def test_esketamine_is_checked_before_at_40_minutes_and_before_discharge():
    schedule = MONITORING_SCHEDULES[Modality.ESKETAMINE]
    assert schedule.interval_min is None
    assert [c.after_dose_min for c in schedule.planned_checks] == [None, 40, None]
    assert schedule.pulse_oximetry
    assert "[S66c]" in schedule.source


def test_every_modality_has_a_monitoring_schedule():
    assert set(MONITORING_SCHEDULES) == set(Modality)
    assert all(s.confirmed or s.note for s in MONITORING_SCHEDULES.values())
