"""Staff roles and what each may do: the one table every page, API operation and export obeys.

A *capability* is a Django permission on the `core.Access` model; each role is a Django group
holding the capabilities of `ROLE_CAPABILITIES` (synchronised by
`remit.accounts.services.role_groups_sync`). Patient data is further scoped to the staff
member's own clinic by each app's selectors. docs/security.md shows the same table for people.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    INTAKE_COORDINATOR = "intake_coordinator", "Intake coordinator"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    TMS_TECHNICIAN = "tms_technician", "TMS technician"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"
    RESEARCHER = "researcher", "Researcher"


class Capability(models.TextChoices):
    VIEW_DEMOGRAPHICS = "view_demographics", "See patients' identity and contact details"
    EDIT_DEMOGRAPHICS = "edit_demographics", "Register patients and edit their details"
    VIEW_CLINICAL = "view_clinical", "Read clinical content (diagnoses, scores, notes, sessions)"
    CHART_SESSION = "chart_session", "Chart sessions: vitals, doses, side effects"
    SIGN_CLINICAL = "sign_clinical", "Sign evaluations and notes, acknowledge safety alerts"
    WORK_INTAKE = "work_intake", "Work the consultation-request queue"
    MANAGE_SCHEDULE = "manage_schedule", "Book, move and cancel appointments"
    VIEW_CALENDAR = "view_calendar", "See the clinic calendar"
    HANDLE_CONTROLLED = "handle_controlled", "Receive, draw, waste and count controlled drugs"
    MANAGE_STAFF = "manage_staff", "Manage staff accounts and roles"
    MANAGE_CLINIC = "manage_clinic", "Manage resources, hours and clinic settings"
    VIEW_AUDIT = "view_audit", "Read the audit trail and disclosures"
    EXPORT_DEIDENTIFIED = "export_deidentified", "Download de-identified research exports"
    BREAK_GLASS = "break_glass", "Emergency access to a patient outside one's clinic"


_C = Capability
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.INTAKE_COORDINATOR: frozenset(
        {
            _C.VIEW_DEMOGRAPHICS,
            _C.EDIT_DEMOGRAPHICS,
            _C.WORK_INTAKE,
            _C.MANAGE_SCHEDULE,
            _C.VIEW_CALENDAR,
        }
    ),
    Role.PRESCRIBER: frozenset(
        {
            _C.VIEW_DEMOGRAPHICS,
            _C.EDIT_DEMOGRAPHICS,
            _C.VIEW_CLINICAL,
            _C.CHART_SESSION,
            _C.SIGN_CLINICAL,
            _C.WORK_INTAKE,
            _C.MANAGE_SCHEDULE,
            _C.VIEW_CALENDAR,
            _C.HANDLE_CONTROLLED,
            _C.BREAK_GLASS,
        }
    ),
    Role.NURSE: frozenset(
        {
            _C.VIEW_DEMOGRAPHICS,
            _C.VIEW_CLINICAL,
            _C.CHART_SESSION,
            _C.VIEW_CALENDAR,
            _C.MANAGE_SCHEDULE,
            _C.HANDLE_CONTROLLED,
            _C.BREAK_GLASS,
        }
    ),
    Role.TMS_TECHNICIAN: frozenset(
        {_C.VIEW_DEMOGRAPHICS, _C.VIEW_CLINICAL, _C.CHART_SESSION, _C.VIEW_CALENDAR}
    ),
    Role.CLINIC_ADMIN: frozenset(
        {_C.MANAGE_STAFF, _C.MANAGE_CLINIC, _C.VIEW_AUDIT, _C.VIEW_CALENDAR, _C.EXPORT_DEIDENTIFIED}
    ),
    Role.RESEARCHER: frozenset({_C.EXPORT_DEIDENTIFIED}),
}
