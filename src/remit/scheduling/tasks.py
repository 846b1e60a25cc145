"""Background work for scheduling, run by `remit worker`: reminders and clinic planner runs."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.protocols.selectors import protocol_of
from remit.scheduling.models import Appointment
from remit.scheduling.selectors import zone
from remit.scheduling.transitions import AppointmentStatus


def reminder_text(appointment: Appointment) -> tuple[str, str]:
    """Subject and body of a reminder: when and where, and the protocol's preparation
    instructions (fasting, a ride home, no driving until the next day)."""
    clinic = appointment.clinic
    local = appointment.start.astimezone(zone(clinic))
    subject = f"Your appointment at {clinic.name} on {local:%A %d %B}"
    lines = [
        f"This is a reminder of your appointment at {clinic.name} on {local:%A %d %B %Y} "
        f"at {local:%H:%M}.",
    ]
    if appointment.course is not None:
        preparation = protocol_of(appointment.course.protocol_version).preparation
        if preparation:
            lines += ["", "Before you come:"]
            lines += [f"- {p.text}" for p in preparation]
    lines += ["", "If you cannot come, please call the clinic so we can offer you another time."]
    return subject, "\n".join(lines)


@task()
def appointment_reminder_send(appointment_id: int, start_iso: str) -> str:
    """Send the reminder if the appointment is still booked at the time it was booked for."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("clinic", "patient", "course", "course__protocol_version")
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None:
            return "gone"
        if appointment.status != AppointmentStatus.BOOKED or appointment.reminder_sent_at:
            return "skipped"
        if appointment.start != datetime.fromisoformat(start_iso):
            return "moved"
        if not appointment.patient.email:
            return "no email"
        subject, body = reminder_text(appointment)
        send_mail(subject, body, None, [appointment.patient.email])
        appointment.reminder_sent_at = timezone.now()
        appointment.save(update_fields=["reminder_sent_at"])
        audit_record(
            action=AuditAction.EXPORT,
            obj=appointment,
            patient_id=appointment.patient_id,
            clinic_id=appointment.clinic_id,
            detail={"channel": "email", "what": "appointment reminder"},
        )
    return "sent"


@task()
def planner_run_execute(run_id: int) -> str:
    from remit.scheduling.planner_runs import planner_run_execute as execute

    execute(run_id)
    return "done"
