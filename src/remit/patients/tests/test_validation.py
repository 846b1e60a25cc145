from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from remit.patients.models import BodyMeasurement
from remit.patients.services import body_measurement_record, patient_update
from remit.patients.validation import (
    luhn_check_digit,
    mrn_from_number,
    validate_date_of_birth,
    validate_height_cm,
    validate_mrn,
    validate_phone,
    validate_weight_kg,
)

TODAY = date(2026, 11, 20)


def test_it_refuses_a_date_of_birth_in_the_future():
    with pytest.raises(ValidationError, match="future"):
        validate_date_of_birth(date(2026, 11, 21), today=TODAY)


def test_it_refuses_a_date_of_birth_more_than_120_years_ago():
    validate_date_of_birth(date(1906, 11, 20), today=TODAY)
    with pytest.raises(ValidationError, match="120 years"):
        validate_date_of_birth(date(1906, 11, 19), today=TODAY)


@pytest.mark.django_db
def test_it_accepts_today_as_a_date_of_birth(cast):
    today = timezone.localdate()
    patient_update(patient=cast.patient, by=cast.intake, changes={"date_of_birth": today})
    cast.patient.refresh_from_db()
    assert cast.patient.date_of_birth == today


@pytest.mark.django_db
@pytest.mark.parametrize("kg", ["20", "20.0", "72.5", "400"])
def test_it_accepts_weights_from_20_to_400_kg(cast, kg):
    body_measurement_record(patient=cast.patient, by=cast.nurse, weight_kg=Decimal(kg))
    saved = BodyMeasurement.objects.get(patient=cast.patient)
    assert saved.weight_kg == Decimal(kg)


@pytest.mark.parametrize("kg", ["0", "19.9", "400.1", "-70"])
def test_it_refuses_a_weight_outside_20_to_400_kg(kg):
    with pytest.raises(ValidationError, match="between 20 and 400 kg"):
        validate_weight_kg(Decimal(kg))


@pytest.mark.parametrize("cm", ["99.9", "250.1", "0"])
def test_it_refuses_a_height_outside_100_to_250_cm(cm):
    with pytest.raises(ValidationError, match="between 100 and 250 cm"):
        validate_height_cm(Decimal(cm))


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["+1 555 010 0199", "(555) 010-0199", "0044 20 7946 0000"])
def test_it_accepts_ordinary_phone_numbers(cast, phone):
    patient_update(patient=cast.patient, by=cast.intake, changes={"phone": phone})
    cast.patient.refresh_from_db()
    assert cast.patient.phone == phone


@pytest.mark.parametrize(
    "phone", ["12345", "call me", "+1 555 010 0199 ext 4 5 6 7 8 9 0", "555-CALL"]
)
def test_it_refuses_malformed_phone_numbers(phone):
    with pytest.raises(ValidationError, match="phone number"):
        validate_phone(phone)


def test_a_generated_mrn_carries_a_luhn_check_digit():
    mrn = mrn_from_number(1234567)
    assert mrn == "R1234567" + luhn_check_digit("1234567")
    validate_mrn(mrn)


def test_it_refuses_an_mrn_with_a_wrong_check_digit():
    mrn = mrn_from_number(1234567)
    wrong = mrn[:-1] + str((int(mrn[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="check digit"):
        validate_mrn(wrong)


def test_the_check_digit_catches_a_swap_of_two_adjacent_digits():
    assert luhn_check_digit("1234567") != luhn_check_digit("1234576")
