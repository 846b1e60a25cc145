from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

Sex = Literal["female", "male", "intersex", "unknown"]


class PatientPublic(Schema):
    id: int
    mrn: str
    legal_given_name: str
    legal_family_name: str
    preferred_name: str
    date_of_birth: date
    sex_at_birth: str
    pronouns: str
    phone: str
    email: str
    preferred_language: str
    active: bool


class PatientsPublic(Schema):
    data: list[PatientPublic]
    count: int


class PatientCreate(Schema):
    legal_given_name: str = Field(min_length=1, max_length=100)
    legal_family_name: str = Field(min_length=1, max_length=100)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: date
    sex_at_birth: Sex
    gender_identity: str = Field("", max_length=60)
    pronouns: str = Field("", max_length=30)
    phone: str = Field("", max_length=25)
    email: str = Field("", max_length=254)
    preferred_language: str = Field("English", min_length=1, max_length=40)
    weight_kg: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    height_cm: Decimal | None = Field(None, max_digits=4, decimal_places=1)


class PatientUpdate(Schema):
    legal_given_name: str | None = Field(None, min_length=1, max_length=100)
    legal_family_name: str | None = Field(None, min_length=1, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    date_of_birth: date | None = None
    sex_at_birth: Sex | None = None
    pronouns: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=25)
    email: str | None = Field(None, max_length=254)
    preferred_language: str | None = Field(None, min_length=1, max_length=40)
    active: bool | None = None


class MeasurementPublic(Schema):
    id: int
    weight_kg: Decimal
    height_cm: Decimal | None
    measured_at: datetime


class MeasurementCreate(Schema):
    weight_kg: Decimal = Field(max_digits=5, decimal_places=1)
    height_cm: Decimal | None = Field(None, max_digits=4, decimal_places=1)
