from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "remit.patients"
    label = "patients"
    verbose_name = "Patients"
    remit_url_prefix = "patients/"
