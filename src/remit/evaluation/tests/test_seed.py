from __future__ import annotations

import pytest

from remit.accounts import seed as accounts_seed
from remit.clinics import seed as clinics_seed
from remit.core.seeding import SeedContext
from remit.evaluation import seed as evaluation_seed
from remit.evaluation.models import Evaluation, RemsEnrolment
from remit.intake import seed as intake_seed
from remit.intake.models import ConsultationRequest
from remit.intake.transitions import RequestStatus
from remit.patients import seed as patients_seed

pytestmark = pytest.mark.django_db


def _run(seed: int = 3, patients: int = 60) -> SeedContext:
    context = SeedContext(seed=seed, patient_count=patients, progress=lambda _: None)
    for module in (clinics_seed, accounts_seed, patients_seed, intake_seed, evaluation_seed):
        module.seed(context)
    return context


def test_the_demo_has_requests_in_every_status_and_evaluated_patients():
    context = _run()
    statuses = set(ConsultationRequest.objects.values_list("status", flat=True))
    assert statuses == {status.value for status in RequestStatus}
    assert ConsultationRequest.objects.filter(urgent=True).exists()
    converted = ConsultationRequest.objects.filter(status="became_patient")
    assert all(request.patient_id for request in converted)
    evaluations = Evaluation.objects.filter(patient_id__in=context.new_patient_ids)
    assert evaluations.count() >= len(context.new_patient_ids) // 3
    assert set(evaluations.values_list("decision", flat=True)) >= {"eligible", "needs_clearance"}
    signed = evaluations.first()
    assert signed is not None and signed.is_signed and signed.signed_outcome["findings"]
    for enrolment in RemsEnrolment.objects.all():
        assert Evaluation.objects.filter(
            patient=enrolment.patient, decision_modality="esketamine"
        ).exists()


def test_seeding_twice_adds_nothing():
    _run()
    counts = (ConsultationRequest.objects.count(), Evaluation.objects.count())
    _run()
    assert (ConsultationRequest.objects.count(), Evaluation.objects.count()) == counts
