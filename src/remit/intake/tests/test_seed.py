from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from remit.accounts import seed as accounts_seed
from remit.clinics import seed as clinics_seed
from remit.core.seeding import SeedContext
from remit.intake import seed as intake_seed
from remit.intake.models import ConsultationRequest
from remit.patients import seed as patients_seed

pytestmark = pytest.mark.django_db


def test_seeded_requests_are_backdated_by_their_path():
    context = SeedContext(seed=3, patient_count=20, progress=lambda _: None)
    for module in (clinics_seed, accounts_seed, patients_seed, intake_seed):
        module.seed(context)
    received = list(ConsultationRequest.objects.values_list("created_at", flat=True))
    assert received
    # Two days per status step, so none was received in the last two days.
    assert max(received) <= timezone.now() - timedelta(days=2)
