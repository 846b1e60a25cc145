"""Staff roles, in one place.

Roles are Django groups named by the `Role` values; what each role may do is the table below,
which `remit.accounts.services.role_groups_sync` turns into group permissions. docs/security.md
shows the same table for people.
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


# Roles that chart and read clinical content for the patients of their own clinic.
CLINICAL_ROLES: frozenset[Role] = frozenset({Role.PRESCRIBER, Role.NURSE, Role.TMS_TECHNICIAN})
# Roles that see a patient's demographics (the patient list, the chart header).
DEMOGRAPHIC_ROLES: frozenset[Role] = CLINICAL_ROLES | {Role.INTAKE_COORDINATOR}
# Roles that register patients and edit demographics.
REGISTRATION_ROLES: frozenset[Role] = frozenset({Role.INTAKE_COORDINATOR, Role.PRESCRIBER})

# Django permissions ("app_label.codename") granted to each role's group.
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.INTAKE_COORDINATOR: frozenset(
        {"patients.view_patient", "patients.add_patient", "patients.change_patient"}
    ),
    Role.PRESCRIBER: frozenset(
        {
            "patients.view_patient",
            "patients.add_patient",
            "patients.change_patient",
            "patients.view_bodymeasurement",
            "patients.add_bodymeasurement",
            "patients.view_diagnosis",
            "patients.add_diagnosis",
            "patients.change_diagnosis",
            "patients.view_consent",
            "patients.add_consent",
        }
    ),
    Role.NURSE: frozenset(
        {
            "patients.view_patient",
            "patients.view_bodymeasurement",
            "patients.add_bodymeasurement",
            "patients.view_diagnosis",
            "patients.view_consent",
            "patients.add_consent",
        }
    ),
    Role.TMS_TECHNICIAN: frozenset(
        {
            "patients.view_patient",
            "patients.view_bodymeasurement",
            "patients.add_bodymeasurement",
            "patients.view_diagnosis",
            "patients.view_consent",
        }
    ),
    Role.CLINIC_ADMIN: frozenset(
        {
            "clinics.view_clinic",
            "clinics.change_clinic",
            "clinics.view_resource",
            "clinics.add_resource",
            "clinics.change_resource",
            "accounts.view_staffuser",
            "accounts.add_staffuser",
            "accounts.change_staffuser",
            "core.view_auditevent",
        }
    ),
    Role.RESEARCHER: frozenset(),
}
