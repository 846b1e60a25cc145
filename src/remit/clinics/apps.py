from __future__ import annotations

from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "remit.clinics"
    label = "clinics"
    verbose_name = "Clinics and resources"
