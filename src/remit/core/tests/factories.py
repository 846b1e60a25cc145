"""factory_boy factories for bulk synthetic test data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic, Resource, ResourceKind
from remit.core.roles import Role
from remit.patients.models import BodyMeasurement, Patient, SexAtBirth
from remit.patients.validation import mrn_from_number

TEST_PASSWORD = "correct-horse-battery-staple"


def totp_device(user: StaffUser) -> TOTPDevice:
    """A confirmed authenticator for `user`, so tests can pass the second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Test Clinic {n}")
    time_zone = "America/New_York"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    clinic = factory.SubFactory(ClinicFactory)
    kind = ResourceKind.INFUSION_CHAIR
    name = factory.Sequence(lambda n: f"Chair {n}")


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffUser
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    clinic = factory.SubFactory(ClinicFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj: StaffUser, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


def staff_user(username: str, clinic: Clinic, *roles: Role) -> StaffUser:
    user: StaffUser = StaffUserFactory(username=username, clinic=clinic)
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


# Family names the factories give test patients (the log scan looks for them).
SYNTHETIC_FAMILY_NAMES = ("Sampleton", "Fakebury", "Demoski", "Placeholt")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: mrn_from_number(9_000_000 + n))
    legal_given_name = factory.Iterator(["Clara", "Dev", "Elena", "Felix", "Greta"])
    legal_family_name = factory.Iterator(SYNTHETIC_FAMILY_NAMES)
    date_of_birth = factory.Sequence(lambda n: date(1960 + n % 40, 1 + n % 12, 1 + n % 28))
    sex_at_birth = SexAtBirth.FEMALE
    phone = "+1 555 0100"
    email = factory.Sequence(lambda n: f"patient{n}@example.org")


class BodyMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BodyMeasurement

    patient = factory.SubFactory(PatientFactory)
    weight_kg = Decimal("72.5")
    height_cm = Decimal("168.0")
    measured_at = factory.LazyFunction(timezone.now)
