from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.charting.dosing import (
    IM_MG_PER_KG,
    Modality,
    Number,
    Range,
    WeightBasis,
    dosing_weight,
    esketamine_device_due,
    esketamine_device_timing,
    esketamine_dose,
    ideal_body_weight_kg,
    im_ketamine,
    iv_ketamine,
    oral_ketamine,
    sublingual_ketamine,
    tms_record,
    to_decimal,
)

# --- IV ketamine: hand-worked examples ----------------------------------------------------------


def test_it_doses_70_kg_at_the_standard_half_mg_per_kg_as_35_mg():
    dose = iv_ketamine(70)
    assert dose.mg == Decimal("35.0")
    assert "0.5 mg/kg × 70.0 kg = 35.0 mg" in dose.arithmetic


def test_it_runs_a_100_ml_bag_over_40_minutes_at_150_ml_per_hour():
    dose = iv_ketamine(70, minutes=40, bag_ml=100)
    assert dose.ml_per_hour == Decimal("150.0")
    assert dose.mg_per_minute == Decimal("0.875")


def test_it_rounds_the_dose_half_up_to_a_tenth_of_a_mg():
    # 0.5 × 70.25 = 35.125 → 35.1; 0.5 × 70.3 = 35.15 → 35.2 (half-up, not banker's 35.2/35.1)
    assert iv_ketamine("70.25").mg == Decimal("35.1")
    assert iv_ketamine("70.3").mg == Decimal("35.2")
    assert iv_ketamine("70.5", "0.5").mg == Decimal("35.3")


def test_it_shows_the_unrounded_dose_when_rounding_changed_it():
    dose = iv_ketamine("70.25")
    assert "0.5 mg/kg × 70.25 kg = 35.125 mg, rounded half-up to 35.1 mg" in dose.arithmetic


def test_it_rounds_the_pump_rate_half_up_to_a_tenth_of_a_ml_per_hour():
    # 100 mL over 45 min = 133.333… mL/h; 250 mL over 90 min = 166.666… mL/h
    assert iv_ketamine(70, minutes=45).ml_per_hour == Decimal("133.3")
    assert iv_ketamine(70, minutes=90, bag_ml=250).ml_per_hour == Decimal("166.7")


def test_it_gives_the_same_answer_for_float_int_str_and_decimal_input():
    inputs: list[tuple[Number, Number]] = [
        (70.1, 0.3),
        ("70.1", "0.3"),
        (Decimal("70.1"), Decimal("0.3")),
    ]
    results = {iv_ketamine(w, m).mg for w, m in inputs}
    assert results == {Decimal("21.0")}  # 0.3 × 70.1 = 21.03


def test_it_returns_decimals_not_floats():
    dose = iv_ketamine(82.4, 0.75, 52, 250)
    assert all(isinstance(v, Decimal) for v in (dose.mg, dose.ml_per_hour, dose.mg_per_minute))


def test_the_result_reads_the_same_by_attribute_or_by_name():
    dose = iv_ketamine(70)
    assert (dose["mg"], dose["ml_per_hour"], dose["mg_per_minute"]) == (
        dose.mg,
        dose.ml_per_hour,
        dose.mg_per_minute,
    )
    assert esketamine_dose(84)["devices"] == esketamine_dose(84).devices
    with pytest.raises(KeyError):
        dose["arithmetic_"]


# --- IV ketamine: bad input and edges -----------------------------------------------------------


def test_it_refuses_a_weight_of_zero():
    with pytest.raises(ValueError, match=r"Weight must be between 30 and 300 kg; 0 kg was entered"):
        iv_ketamine(0)


@pytest.mark.parametrize("weight", ["29.9", "300.1", "-70", "700"])
def test_it_refuses_a_weight_just_outside_30_to_300_kg(weight):
    with pytest.raises(ValueError, match="Weight"):
        iv_ketamine(weight)


@pytest.mark.parametrize(("weight", "mg"), [("30", "15.0"), ("300", "150.0")])
def test_it_accepts_the_weight_limits_themselves(weight, mg):
    assert iv_ketamine(weight).mg == Decimal(mg)


@pytest.mark.parametrize("mg_per_kg", ["0.09", "1.01", "5"])
def test_it_refuses_a_dose_per_kilogram_outside_0_1_to_1_0(mg_per_kg):
    with pytest.raises(ValueError, match="Dose per kilogram must be between 0.1 and 1 mg/kg"):
        iv_ketamine(70, mg_per_kg)


@pytest.mark.parametrize(("mg_per_kg", "mg"), [("0.1", "7.0"), ("1.0", "70.0")])
def test_it_accepts_the_dose_per_kilogram_limits(mg_per_kg, mg):
    assert iv_ketamine(70, mg_per_kg).mg == Decimal(mg)


@pytest.mark.parametrize("minutes", [19, "120.5", 0])
def test_it_refuses_an_infusion_time_outside_20_to_120_minutes(minutes):
    with pytest.raises(ValueError, match="Infusion time must be between 20 and 120 min"):
        iv_ketamine(70, minutes=minutes)


def test_it_accepts_infusion_times_of_exactly_20_and_120_minutes():
    assert iv_ketamine(70, minutes=20).ml_per_hour == Decimal("300.0")
    assert iv_ketamine(70, minutes=120).ml_per_hour == Decimal("50.0")


@pytest.mark.parametrize("bag_ml", [9, "1000.1", 0])
def test_it_refuses_a_bag_volume_outside_10_to_1000_ml(bag_ml):
    with pytest.raises(ValueError, match="Bag volume must be between 10 and 1000 mL"):
        iv_ketamine(70, bag_ml=bag_ml)


def test_it_accepts_bag_volumes_of_exactly_10_and_1000_ml():
    assert iv_ketamine(70, bag_ml=10).ml_per_hour == Decimal("15.0")
    assert iv_ketamine(70, bag_ml=1000).ml_per_hour == Decimal("1500.0")


@pytest.mark.parametrize("value", ["seventy", "70,5", True, None, float("nan"), "inf"])
def test_it_refuses_something_that_is_not_a_number(value):
    with pytest.raises(ValueError, match="Weight must be a number"):
        iv_ketamine(value)


def test_to_decimal_reads_a_float_as_it_was_typed():
    assert to_decimal(0.1, field="x") == Decimal("0.1")


# --- IV ketamine: properties --------------------------------------------------------------------

weights = st.decimals(min_value=30, max_value=300, places=2)
per_kg = st.decimals(min_value=Decimal("0.1"), max_value=1, places=3)
minutes = st.integers(min_value=20, max_value=120)
bags = st.decimals(min_value=10, max_value=1000, places=1)


@given(weight=weights, mg_per_kg=per_kg)
def test_the_dose_is_always_within_a_rounding_step_of_mg_per_kg_times_weight(weight, mg_per_kg):
    dose = iv_ketamine(weight, mg_per_kg)
    assert abs(dose.mg - mg_per_kg * weight) <= Decimal("0.05")
    assert Decimal("3.0") <= dose.mg <= Decimal("300.0")


@given(weight=weights, mg_per_kg=per_kg, minutes=minutes, bag=bags)
def test_rounding_is_consistently_half_up_to_one_decimal(weight, mg_per_kg, minutes, bag):
    dose = iv_ketamine(weight, mg_per_kg, minutes, bag)
    assert dose.mg == (mg_per_kg * weight).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert dose.mg.as_tuple().exponent == -1
    assert dose.ml_per_hour.as_tuple().exponent == -1
    # The pump runs the whole bag: the rate over the minutes gives back the bag within rounding.
    exact_rate = bag * 60 / minutes
    assert dose.ml_per_hour == exact_rate.quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert abs(dose.ml_per_hour - exact_rate) <= Decimal("0.05")
    assert abs(dose.mg_per_minute * minutes - dose.mg) < Decimal("1e-20")


@given(a=weights, b=weights, mg_per_kg=per_kg)
def test_a_heavier_patient_never_gets_a_smaller_dose(a, b, mg_per_kg):
    lighter, heavier = sorted((a, b))
    assert iv_ketamine(heavier, mg_per_kg).mg >= iv_ketamine(lighter, mg_per_kg).mg


# --- Weight basis --------------------------------------------------------------------------------


def test_the_actual_weight_basis_uses_the_weight_as_entered():
    weight = dosing_weight(basis="actual", actual_weight_kg=92)
    assert weight.weight_kg == Decimal("92")
    assert weight.basis is WeightBasis.ACTUAL


def test_it_computes_devine_ideal_body_weight_for_a_man_of_180_cm():
    # 50 + 2.3 × (180 / 2.54 − 60) = 50 + 2.3 × 10.866… = 74.99 → 75.0
    ibw, line = ideal_body_weight_kg(height_cm=180, sex="male")
    assert ibw == Decimal("75.0")
    assert "Devine 1974" in line


def test_it_computes_devine_ideal_body_weight_for_a_woman_of_165_cm():
    # 45.5 + 2.3 × (165 / 2.54 − 60) = 45.5 + 2.3 × 4.961 = 56.91 → 56.9
    ibw, _ = ideal_body_weight_kg(height_cm=165, sex="female")
    assert ibw == Decimal("56.9")


def test_it_computes_adjusted_body_weight_with_the_default_factor_of_0_4():
    # IBW 75.0; adjusted = 75.0 + 0.4 × (125 − 75.0) = 95.0
    weight = dosing_weight(basis="adjusted", actual_weight_kg=125, height_cm=180, sex="male")
    assert weight.weight_kg == Decimal("95.0")
    assert (
        "Adjusted body weight: 75.0 kg + 0.4 × (125.0 kg − 75.0 kg) = 95.0 kg" in weight.arithmetic
    )


def test_the_adjustment_factor_is_a_setting():
    weight = dosing_weight(
        basis="adjusted", actual_weight_kg=125, height_cm=180, sex="male", adjustment_factor="0.3"
    )
    assert weight.weight_kg == Decimal("90.0")


def test_it_never_doses_on_more_than_the_actual_weight_by_default():
    weight = dosing_weight(basis="ideal", actual_weight_kg=55, height_cm=185, sex="male")
    assert weight.ideal_weight_kg == Decimal("79.5")
    assert weight.weight_kg == Decimal("55")
    assert any("actual weight 55.0 kg is used" in line for line in weight.arithmetic)


def test_the_cap_at_actual_weight_can_be_turned_off():
    weight = dosing_weight(
        basis="ideal", actual_weight_kg=55, height_cm=185, sex="male", cap_at_actual=False
    )
    assert weight.weight_kg == Decimal("79.5")


def test_the_dose_records_its_weight_basis_and_shows_its_arithmetic():
    weight = dosing_weight(basis="ideal", actual_weight_kg=110, height_cm=180, sex="male")
    dose = iv_ketamine(weight)
    assert dose.weight_basis is WeightBasis.IDEAL
    assert dose.mg == Decimal("37.5")
    assert "Weight basis: ideal, dosing weight 75.0 kg" in dose.arithmetic


def test_a_bare_weight_says_its_basis_was_not_recorded():
    assert "Weight basis: not recorded" in iv_ketamine(70).arithmetic


def test_it_refuses_ideal_weight_without_a_height():
    with pytest.raises(ValueError, match="needs the patient's height and sex"):
        dosing_weight(basis="ideal", actual_weight_kg=110, sex="male")


def test_it_refuses_an_unknown_weight_basis():
    with pytest.raises(ValueError, match="actual, ideal or adjusted"):
        dosing_weight(basis="lean", actual_weight_kg=110)


def test_it_refuses_a_height_outside_its_range():
    with pytest.raises(ValueError, match="Height must be between 120 and 250 cm"):
        ideal_body_weight_kg(height_cm=18, sex="female")


# --- IM, oral, sublingual -----------------------------------------------------------------------


def test_it_doses_im_ketamine_by_weight_and_gives_the_volume_to_draw():
    dose = im_ketamine(80, "0.25", concentration_mg_per_ml=50)
    assert dose.modality is Modality.IM_KETAMINE
    assert dose.mg == Decimal("20.0")
    assert dose.volume_ml == Decimal("0.40")


def test_it_accepts_the_studied_im_doses_and_refuses_above_them_by_default():
    assert im_ketamine(70, "0.5").mg == Decimal("35.0")
    with pytest.raises(ValueError, match="IM dose per kilogram must be between 0.25 and 0.5"):
        im_ketamine(70, "0.6")


def test_a_protocol_can_widen_the_im_range():
    wider = Range(Decimal("0.1"), Decimal("1.0"), "mg/kg", IM_MG_PER_KG.label, "clinic protocol")
    assert im_ketamine(70, "0.75", mg_per_kg_range=wider).mg == Decimal("52.5")


def test_it_takes_an_oral_dose_from_the_protocol():
    dose = oral_ketamine(50, concentration_mg_per_ml=10)
    assert dose.mg == Decimal("50.0")
    assert dose.volume_ml == Decimal("5.00")


@pytest.mark.parametrize("dose_mg", [24, 301, 0])
def test_it_refuses_an_oral_dose_outside_the_reported_25_to_300_mg(dose_mg):
    with pytest.raises(ValueError, match="Oral dose must be between 25 and 300 mg"):
        oral_ketamine(dose_mg)


def test_it_takes_the_studied_10_mg_sublingual_dose_as_0_1_ml_of_100_mg_per_ml():
    dose = sublingual_ketamine(10, concentration_mg_per_ml=100)
    assert dose.volume_ml == Decimal("0.10")


def test_it_refuses_another_sublingual_dose_unless_the_protocol_allows_it():
    with pytest.raises(ValueError, match="Sublingual dose"):
        sublingual_ketamine(20)
    wider = Range(Decimal(5), Decimal(30), "mg", "Sublingual dose", "clinic protocol")
    assert sublingual_ketamine(20, mg_range=wider).mg == Decimal("20.0")


# --- Esketamine ---------------------------------------------------------------------------------


def test_it_gives_56_mg_of_esketamine_as_two_devices_five_minutes_apart():
    dose = esketamine_dose(56)
    assert (dose.devices, dose.device_offsets_min) == (2, (0, 5))


def test_it_gives_84_mg_of_esketamine_as_three_devices():
    dose = esketamine_dose("84")
    assert (dose.devices, dose.device_offsets_min) == (3, (0, 5, 10))


def test_it_refuses_28_mg_of_esketamine_without_the_explicit_flag():
    with pytest.raises(ValueError, match="28 mg"):
        esketamine_dose(28)
    assert esketamine_dose(28, allow_28_mg=True).devices == 1


@pytest.mark.parametrize("dose_mg", [0, 42, 112, "56.5"])
def test_it_refuses_an_esketamine_dose_that_is_not_56_or_84_mg(dose_mg):
    with pytest.raises(ValueError, match="must be 56 or 84 mg"):
        esketamine_dose(dose_mg)


# --- TMS ----------------------------------------------------------------------------------------


def _tms(**overrides):
    values: dict[str, Any] = dict(
        motor_threshold_pct=55,
        percent_of_mt=120,
        frequency_hz=10,
        pulses=3000,
        trains=75,
        coil="figure-8",
        target="left DLPFC",
    )
    values.update(overrides)
    return tms_record(**values)


def test_it_records_a_standard_10_hz_session_with_its_stimulator_output():
    record = _tms()
    assert record.output_pct == Decimal("66.0")
    assert (record.pulses, record.trains) == (3000, 75)


def test_it_records_an_snt_session_at_90_percent_of_motor_threshold():
    record = _tms(percent_of_mt=90, frequency_hz=50, pulses=1800, trains=60)
    assert record.output_pct == Decimal("49.5")


def test_it_refuses_an_output_above_the_stimulators_maximum():
    with pytest.raises(ValueError, match="above its maximum of 100%"):
        _tms(motor_threshold_pct=90, percent_of_mt=120)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent_of_mt", 130, "Intensity must be between 90 and 120"),
        ("motor_threshold_pct", 0, "Motor threshold must be between 1 and 100"),
        ("pulses", 3001, "Pulses must be between 1 and 3000"),
        ("pulses", "600.5", "Pulses must be a whole number"),
        ("trains", 76, "Trains must be between 1 and 75"),
        ("frequency_hz", 0, "Frequency must be between 1 and 50"),
        ("coil", " ", "Coil must be filled in"),
        ("target", "", "Target must be filled in"),
    ],
)
def test_it_refuses_a_tms_value_outside_its_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        _tms(**{field: value})


# --- Esketamine devices, as given -----------------------------------------------------------------

FIRST_DEVICE = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def test_the_first_device_needs_no_rest():
    timing = esketamine_device_timing(devices=2, given_at=[], at=FIRST_DEVICE)
    assert (timing.number, timing.minutes_after_previous, timing.short_rest) == (1, None, "")


def test_the_next_device_is_due_five_minutes_after_the_one_before():
    assert esketamine_device_due(FIRST_DEVICE) == FIRST_DEVICE + timedelta(minutes=5)
    timing = esketamine_device_timing(
        devices=3, given_at=[FIRST_DEVICE], at=FIRST_DEVICE + timedelta(minutes=5)
    )
    assert (timing.number, timing.minutes_after_previous, timing.short_rest) == (
        2,
        Decimal("5.0"),
        "",
    )


def test_a_device_given_before_its_rest_is_over_says_so():
    timing = esketamine_device_timing(
        devices=3, given_at=[FIRST_DEVICE], at=FIRST_DEVICE + timedelta(minutes=4, seconds=57)
    )
    assert timing.minutes_after_previous == Decimal("5.0")  # rounded for people, not for the rule
    assert "5-minute rest" in timing.short_rest


def test_a_device_beyond_the_dose_or_before_the_previous_one_is_refused():
    with pytest.raises(ValueError, match="All 2 devices"):
        esketamine_device_timing(
            devices=2,
            given_at=[FIRST_DEVICE, FIRST_DEVICE + timedelta(minutes=5)],
            at=FIRST_DEVICE + timedelta(minutes=10),
        )
    with pytest.raises(ValueError, match="before device 1"):
        esketamine_device_timing(
            devices=2, given_at=[FIRST_DEVICE], at=FIRST_DEVICE - timedelta(minutes=1)
        )
