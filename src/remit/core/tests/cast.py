"""The named cast every endpoint test uses, built by factories.

- prescriber, nurse, tms_tech, intake: staff of the Harbour clinic, one role each
- admin: Harbour's clinic administrator (no clinical role)
- researcher: de-identified exports only
- outsider: a prescriber at the Summit clinic, who must never see Harbour's patients
- patient: a Harbour patient; other_patient: a Summit patient
"""

from __future__ import annotations

from dataclasses import dataclass

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.roles import Role
from remit.core.tests.factories import ClinicFactory, PatientFactory, staff_user
from remit.patients.models import Patient


@dataclass
class Cast:
    clinic: Clinic
    other_clinic: Clinic
    prescriber: StaffUser
    nurse: StaffUser
    tms_tech: StaffUser
    intake: StaffUser
    admin: StaffUser
    researcher: StaffUser
    outsider: StaffUser
    patient: Patient
    other_patient: Patient

    def everyone(self) -> dict[str, StaffUser]:
        return {
            "prescriber": self.prescriber,
            "nurse": self.nurse,
            "tms_tech": self.tms_tech,
            "intake": self.intake,
            "admin": self.admin,
            "researcher": self.researcher,
            "outsider": self.outsider,
        }


def build_cast() -> Cast:
    clinic = ClinicFactory(name="Harbour Ketamine & TMS")
    other = ClinicFactory(name="Summit Infusion Center")
    return Cast(
        clinic=clinic,
        other_clinic=other,
        prescriber=staff_user("prescriber", clinic, Role.PRESCRIBER),
        nurse=staff_user("nurse", clinic, Role.NURSE),
        tms_tech=staff_user("tms", clinic, Role.TMS_TECHNICIAN),
        intake=staff_user("intake", clinic, Role.INTAKE_COORDINATOR),
        admin=staff_user("admin", clinic, Role.CLINIC_ADMIN),
        researcher=staff_user("researcher", clinic, Role.RESEARCHER),
        outsider=staff_user("outsider", other, Role.PRESCRIBER),
        patient=PatientFactory(
            clinic=clinic, legal_given_name="Avery", legal_family_name="Testwood"
        ),
        other_patient=PatientFactory(
            clinic=other, legal_given_name="Basil", legal_family_name="Mockridge"
        ),
    )
