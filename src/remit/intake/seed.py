"""Demo consultation requests in every status, some urgent, some with a self-screen.

Synthetic names and the fictional 555-01xx phone range, like the patient seed. Each request is
keyed by its email (seed and index), so a second run adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.intake.models import ConsultationRequest, RequestStatusChange
from remit.intake.screening import ClinicianSuggested, Condition, ScreenAnswers, screen_result
from remit.intake.services import screen_answers_dict, screen_result_dict
from remit.intake.transitions import RequestStatus
from remit.patients.models import Patient

GIVEN = ["Ada", "Bea", "Cal", "Dot", "Eve", "Fay", "Gil", "Hal", "Ivy", "Jo", "Kit", "Lou"]
FAMILY = ["Inquirer", "Askwell", "Probeson", "Wonderly", "Queryton", "Seekers"]
# Status of each demo request, in order; every status appears several times.
PATH = {
    RequestStatus.NEW: [RequestStatus.NEW],
    RequestStatus.CONTACTED: [RequestStatus.NEW, RequestStatus.CONTACTED],
    RequestStatus.CONSULTATION_BOOKED: [
        RequestStatus.NEW,
        RequestStatus.CONTACTED,
        RequestStatus.CONSULTATION_BOOKED,
    ],
    RequestStatus.BECAME_PATIENT: [
        RequestStatus.NEW,
        RequestStatus.CONTACTED,
        RequestStatus.CONSULTATION_BOOKED,
        RequestStatus.BECAME_PATIENT,
    ],
    RequestStatus.DECLINED: [RequestStatus.NEW, RequestStatus.CONTACTED, RequestStatus.DECLINED],
}
DECLINE_REASONS = [
    "Chose a clinic closer to home",
    "Insurance does not cover the treatment",
    "Decided to continue current treatment",
]
COUNT = 30


def _email(context: SeedContext, index: int) -> str:
    return f"request.{context.seed}.{index}@example.org"


def seed(context: SeedContext) -> None:
    if context.clinic is None:
        return
    wanted = {_email(context, i): i for i in range(COUNT)}
    existing = set(
        ConsultationRequest.objects.filter(email__in=list(wanted)).values_list("email", flat=True)
    )
    missing = [i for email, i in wanted.items() if email not in existing]
    if not missing:
        return
    _create(context, missing)


@transaction.atomic
def _create(context: SeedContext, indices: list[int]) -> None:
    assert context.clinic is not None  # noqa: S101 (checked by the caller)
    statuses = list(PATH)
    now = timezone.now()
    coordinator = context.staff.get("intake")
    patient_ids = list(
        Patient.objects.filter(clinic=context.clinic)
        .order_by("id")
        .values_list("id", flat=True)[:COUNT]
    )
    built: list[tuple[ConsultationRequest, list[RequestStatus]]] = []
    for index in indices:
        rng = context.rng("intake-request", index)
        status = statuses[index % len(statuses)]
        screened = rng.random() < 0.8
        answers = ScreenAnswers(
            conditions=frozenset(
                rng.sample(
                    [Condition.DEPRESSION, Condition.ANXIETY, Condition.PTSD, Condition.OCD],
                    k=rng.randint(1, 2),
                )
            ),
            antidepressants_tried=rng.randint(0, 5),
            talk_therapy_tried=rng.random() < 0.7,
            clinician_suggested=rng.choice(list(ClinicianSuggested)),
            phq9_answers=tuple(rng.randint(0, 3) for _ in range(8))
            + ((1,) if index % 7 == 3 else (0,)),
            thoughts_of_ending_life=False,
        )
        result = screen_result(answers) if screened else None
        request = ConsultationRequest(
            clinic=context.clinic,
            status=status.value,
            urgent=bool(result and result.urgent),
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            email=_email(context, index),
            phone=f"+1 555 01{rng.randrange(100):02d}",
            contact_method=rng.choice(["phone", "email", "text"]),
            contact_times=rng.choice(["Weekday mornings", "After 5 pm", "Any time", ""]),
            consent_to_contact=True,
            heard_from=rng.choice(["clinician", "search", "friend", "social", ""]),
            screen_answers=screen_answers_dict(answers) if screened else {},
            screen_result=screen_result_dict(result) if result else {},
            decline_reason=rng.choice(DECLINE_REASONS) if status is RequestStatus.DECLINED else "",
            patient_id=(
                patient_ids[index % len(patient_ids)]
                if status is RequestStatus.BECAME_PATIENT and patient_ids
                else None
            ),
        )
        built.append((request, PATH[status]))
    created = ConsultationRequest.objects.bulk_create([request for request, _ in built])
    changes = []
    for (request, path), saved in zip(built, created, strict=True):
        saved.created_at = now - timedelta(days=len(path) * 2, hours=saved.pk % 24)
        old = ""
        for step, status in enumerate(path):
            changes.append(
                RequestStatusChange(
                    request=saved,
                    old_status=old,
                    new_status=status.value,
                    reason=request.decline_reason if status is RequestStatus.DECLINED else "",
                    changed_by=coordinator if step else None,
                )
            )
            old = status.value
    # Backdated after the insert: created_at is auto_now_add, and the hour comes from the id.
    ConsultationRequest.objects.bulk_update(created, ["created_at"])
    RequestStatusChange.objects.bulk_create(changes)
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=context.clinic.pk,
                object_type="intake.ConsultationRequest",
                object_id=str(saved.pk),
                detail={"source": "seed"},
            )
            for saved in created
        ]
    )
    context.count("consultation requests", len(created))
