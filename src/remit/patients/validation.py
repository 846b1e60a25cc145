"""Field rules for patient records, in one place; forms, services and the API all use them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

# Plausible adult and adolescent body sizes; outside these a typo is far likelier than a patient.
WEIGHT_KG_MIN, WEIGHT_KG_MAX = Decimal(20), Decimal(400)
HEIGHT_CM_MIN, HEIGHT_CM_MAX = Decimal(100), Decimal(250)
MAX_AGE_YEARS = 120
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,25}$")
_MRN = re.compile(r"^R\d{8}$")


def validate_date_of_birth(value: date, *, today: date | None = None) -> None:
    today = today or date.today()  # noqa: DTZ011 (a birth date is a calendar date, not an instant)
    if value > today:
        raise ValidationError("Date of birth cannot be in the future.")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError(f"Date of birth cannot be more than {MAX_AGE_YEARS} years ago.")


def validate_phone(value: str) -> None:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or not 7 <= digits <= 15:
        raise ValidationError(
            "Enter a phone number of 7 to 15 digits, e.g. +1 555 010 0199 or (555) 010-0199."
        )


def validate_weight_kg(value: Decimal) -> None:
    if not WEIGHT_KG_MIN <= value <= WEIGHT_KG_MAX:
        raise ValidationError(
            f"Weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg; check the scale "
            "reading and the unit (kg, not lb)."
        )


def validate_height_cm(value: Decimal) -> None:
    if not HEIGHT_CM_MIN <= value <= HEIGHT_CM_MAX:
        raise ValidationError(
            f"Height must be between {HEIGHT_CM_MIN} and {HEIGHT_CM_MAX} cm; check the unit "
            "(cm, not inches)."
        )


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def mrn_from_number(number: int) -> str:
    """R + 7 digits + a Luhn check digit, so a mistyped MRN is caught before it is searched."""
    body = f"{number:07d}"
    return f"R{body}{luhn_check_digit(body)}"


def validate_mrn(value: str) -> None:
    if not _MRN.match(value) or luhn_check_digit(value[1:8]) != value[8]:
        raise ValidationError("An MRN is R followed by 8 digits, the last a check digit.")
