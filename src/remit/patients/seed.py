"""Synthetic patients shaped like a ketamine/TMS clinic's: adults, more women than men,
recurrent depression first with anxiety and PTSD alongside, plausible body sizes.

Names are obviously synthetic (invented surnames), phone numbers use the fictional 555-01xx
range and emails use example.org, so no demo record can be mistaken for a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.patients.codes import diagnosis_codes
from remit.patients.models import (
    BodyMeasurement,
    Consent,
    ConsentKind,
    Diagnosis,
    Patient,
    SexAtBirth,
)
from remit.patients.validation import mrn_from_number

GIVEN_FEMALE = [
    "Avery",
    "Beatrix",
    "Clara",
    "Dana",
    "Elena",
    "Farah",
    "Greta",
    "Hana",
    "Iris",
    "June",
    "Kira",
    "Lena",
    "Mara",
    "Nadia",
    "Opal",
    "Priya",
    "Quinn",
    "Rosa",
    "Sana",
    "Tessa",
    "Uma",
    "Vera",
    "Wren",
    "Yara",
    "Zoe",
]
GIVEN_MALE = [
    "Aaron",
    "Basil",
    "Caleb",
    "Dev",
    "Eli",
    "Felix",
    "Gabe",
    "Hugo",
    "Ivan",
    "Jonah",
    "Kai",
    "Leo",
    "Milo",
    "Nico",
    "Omar",
    "Pablo",
    "Rafe",
    "Silas",
    "Tomas",
    "Victor",
    "Wes",
    "Yusuf",
    "Zane",
]
SURNAMES = [
    "Testwood",
    "Mockridge",
    "Sampleton",
    "Fakebury",
    "Demoski",
    "Placeholt",
    "Dummond",
    "Proxley",
    "Synthwick",
    "Exemplar",
    "Fixturo",
    "Stubworth",
    "Seedling",
    "Specimen",
    "Notreal",
    "Madeupson",
    "Pseudova",
    "Examplaar",
    "Testerman",
    "Mocksley",
    "Fauxhall",
    "Simmons-Synth",
    "Dataford",
    "Randomir",
    "Generova",
]
CITIES = [
    ("Springfield", "IL"),
    ("Riverton", "WY"),
    ("Fairview", "OR"),
    ("Madison", "WI"),
    ("Georgetown", "TX"),
    ("Salem", "MA"),
    ("Clinton", "NC"),
    ("Franklin", "TN"),
]
# Primary diagnosis mix (weights, not clinical facts): recurrent MDD dominates ketamine clinics.
PRIMARY = [
    ("F33.2", 30),
    ("F33.1", 20),
    ("F32.2", 8),
    ("F33.9", 6),
    ("F31.81", 5),
    ("F31.4", 4),
    ("F43.12", 8),
    ("F42.2", 4),
    ("F41.1", 5),
    ("G89.4", 3),
    ("F34.1", 3),
    ("F53.0", 2),
    ("F33.3", 2),
]
COMORBID = [("F41.1", 35), ("F43.10", 10), ("F41.0", 8), ("F40.10", 5), ("G89.29", 4)]
BATCH = 2000
BIRTH_ANCHOR = date(2026, 1, 1)


@dataclass(frozen=True)
class PatientHistory:
    """What the seed adds around a generated patient."""

    weight_kg: Decimal
    height_cm: Decimal
    codes: tuple[str, ...]
    onset_years: int
    registered_days_ago: int


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([code for code, _ in table], weights=[w for _, w in table])[0]


def _mrn_number(seed: int, index: int) -> int:
    # A fixed stride keeps a seed's MRNs distinct from each other and stable across runs.
    return (seed * 7_919 * 10_000 + index * 7_919 + 1) % 10_000_000


def build_patient(context: SeedContext, index: int, today: date) -> tuple[Patient, PatientHistory]:
    rng = context.rng("patient", index)
    sex = rng.choices(
        [SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX], weights=[61, 38, 1]
    )[0]
    given = rng.choice(GIVEN_MALE if sex == SexAtBirth.MALE else GIVEN_FEMALE)
    family = rng.choice(SURNAMES)
    age = min(82, max(18, round(rng.gauss(43, 13))))
    # Birth dates hang off a fixed date so a seed gives the same people whenever it runs.
    born = BIRTH_ANCHOR - timedelta(days=age * 365 + rng.randrange(365))
    city, region = rng.choice(CITIES)
    line = f"{rng.randrange(1, 9999)} {rng.choice(['Oak', 'Elm', 'Maple', 'Cedar', 'Birch'])} St"
    patient = Patient(
        clinic=context.clinic,
        mrn=mrn_from_number(_mrn_number(context.seed, index)),
        legal_given_name=given,
        legal_family_name=family,
        preferred_name=rng.choice(["", "", "", given[:3]]),
        date_of_birth=born,
        sex_at_birth=sex,
        pronouns={"female": "she/her", "male": "he/him"}.get(sex, "they/them"),
        phone=f"+1 555 01{rng.randrange(100):02d}",
        email=f"{given.lower()}.{family.lower()}.{index}@example.org",
        address_line=line,
        city=city,
        region=region,
        postal_code=f"{rng.randrange(10000, 99999)}",
        preferred_language=rng.choices(["English", "Spanish", "Vietnamese"], weights=[90, 8, 2])[0],
        emergency_contact_name=f"{rng.choice(GIVEN_FEMALE + GIVEN_MALE)} {family}",
        emergency_contact_relationship=rng.choice(["spouse", "parent", "sibling", "friend"]),
        emergency_contact_phone=f"+1 555 01{rng.randrange(100):02d}",
    )
    female = sex == SexAtBirth.FEMALE
    weight = rng.gauss(77 if female else 90, 17)
    height = rng.gauss(162 if female else 176, 7)
    primary = _weighted(rng, PRIMARY)
    codes = [primary] + [
        c for c in {_weighted(rng, COMORBID)} if c != primary and rng.random() < 0.5
    ]
    extras = PatientHistory(
        weight_kg=Decimal(str(round(min(180.0, max(42.0, weight)), 1))),
        height_cm=Decimal(str(round(min(205.0, max(145.0, height)), 1))),
        codes=tuple(codes),
        onset_years=rng.randrange(1, 25),
        registered_days_ago=rng.randrange(1, 720),
    )
    return patient, extras


@transaction.atomic
def _create_batch(context: SeedContext, indices: list[int], today: date) -> None:
    built = [build_patient(context, index, today) for index in indices]
    patients = Patient.objects.bulk_create([patient for patient, _ in built])
    zone = ZoneInfo(context.clinic.time_zone if context.clinic else "UTC")
    labels = diagnosis_codes()
    nurse = context.staff.get("nurse")
    prescriber = context.staff.get("prescriber")
    measurements, diagnoses, consents, audits = [], [], [], []
    for patient, (_, extras) in zip(patients, built, strict=True):
        registered = datetime.combine(
            today - timedelta(days=extras.registered_days_ago),
            time(10),
            tzinfo=zone,
        )
        measurements.append(
            BodyMeasurement(
                patient=patient,
                weight_kg=extras.weight_kg,
                height_cm=extras.height_cm,
                measured_at=registered,
                measured_by=nurse,
            )
        )
        for code in extras.codes:
            onset = today.replace(year=today.year - extras.onset_years)
            diagnoses.append(
                Diagnosis(
                    patient=patient,
                    code=code,
                    label=labels[code].label,
                    onset_date=onset,
                    recorded_by=prescriber,
                )
            )
        for kind in (ConsentKind.PRIVACY, ConsentKind.CONTACT):
            consents.append(
                Consent(
                    patient=patient,
                    kind=kind,
                    document_version="2026.1",
                    signed_at=registered,
                    witnessed_by=nurse,
                )
            )
        audits.append(
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=patient.clinic_id,
                patient_id=patient.pk,
                object_type="patients.Patient",
                object_id=str(patient.pk),
                detail={"source": "seed"},
            )
        )
    BodyMeasurement.objects.bulk_create(measurements)
    Diagnosis.objects.bulk_create(diagnoses)
    Consent.objects.bulk_create(consents)
    audit_record_many(audits)
    context.new_patient_ids.extend(patient.pk for patient in patients)
    context.count("patients", len(patients))


def seed(context: SeedContext) -> None:
    today = date.today()  # noqa: DTZ011 (registration dates follow the calendar)
    wanted = {
        mrn_from_number(_mrn_number(context.seed, i)): i for i in range(context.patient_count)
    }
    existing: set[str] = set()
    mrns = list(wanted)
    for start in range(0, len(mrns), 900):  # stay under SQLite's bound-parameter limit
        existing.update(
            Patient.objects.filter(mrn__in=mrns[start : start + 900]).values_list("mrn", flat=True)
        )
    missing = [index for mrn, index in wanted.items() if mrn not in existing]
    for start in range(0, len(missing), BATCH):
        _create_batch(context, missing[start : start + BATCH], today)
        context.progress(f"  patients: {min(start + BATCH, len(missing))}/{len(missing)}")
