from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from remit.core.audit import audit_verify
from remit.core.seeding import SeedContext, seed_all
from remit.patients.models import BodyMeasurement, Diagnosis, Patient
from remit.patients.seed import SURNAMES, build_patient

pytestmark = pytest.mark.django_db


def _seed(patients: int, seed: int = 7) -> SeedContext:
    return seed_all(SeedContext(seed=seed, patient_count=patients, progress=lambda _: None))


def _people(seed: int) -> list[tuple[object, ...]]:
    context = SeedContext(seed=seed, patient_count=0)
    built = [build_patient(context, i, date(2026, 11, 20))[0] for i in range(40)]
    return [(p.mrn, p.legal_given_name, p.legal_family_name, p.date_of_birth) for p in built]


def test_the_same_seed_gives_the_same_patients_and_another_seed_others():
    assert _people(7) == _people(7)
    assert _people(7) != _people(8)
    assert len({mrn for mrn, *_ in _people(7)}) == 40


def test_what_is_stored_is_what_the_seed_describes():
    _seed(40)
    assert sorted(_people(7)) == sorted(
        Patient.objects.values_list("mrn", "legal_given_name", "legal_family_name", "date_of_birth")
    )


def test_seeding_twice_adds_nothing():
    _seed(30)
    counts = (Patient.objects.count(), BodyMeasurement.objects.count(), Diagnosis.objects.count())
    context = _seed(30)
    assert context.report.get("patients", 0) == 0
    assert counts == (
        Patient.objects.count(),
        BodyMeasurement.objects.count(),
        Diagnosis.objects.count(),
    )


def test_asking_for_more_adds_only_the_missing_patients():
    _seed(20)
    before = set(Patient.objects.values_list("mrn", flat=True))
    _seed(25)
    after = set(Patient.objects.values_list("mrn", flat=True))
    assert before < after and len(after) == 25


def test_the_demo_population_looks_like_a_ketamine_clinic():
    _seed(400)
    sexes = Counter(Patient.objects.values_list("sex_at_birth", flat=True))
    assert sexes["female"] > sexes["male"] > 0
    weights = [float(w) for w in BodyMeasurement.objects.values_list("weight_kg", flat=True)]
    assert all(40 <= w <= 200 for w in weights)
    codes = Counter(code[:3] for code in Diagnosis.objects.values_list("code", flat=True))
    assert codes.most_common(1)[0][0] == "F33"  # recurrent depression leads
    assert codes["F41"] > 0 and codes["F43"] > 0


def test_demo_names_are_obviously_synthetic_and_contacts_fictional():
    _seed(50)
    for family, email, phone in Patient.objects.values_list("legal_family_name", "email", "phone"):
        assert email.endswith("@example.org")
        assert phone.startswith("+1 555 01")
        assert family in SURNAMES


def test_seeded_patients_are_audited_and_the_chain_holds():
    _seed(15)
    from remit.core.models import AuditEvent

    seeded = AuditEvent.objects.filter(
        action="create", detail__source="seed", object_type="patients.Patient"
    )
    assert seeded.count() == 15
    assert list(audit_verify()) == []
