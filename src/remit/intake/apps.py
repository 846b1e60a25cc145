from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "remit.intake"
    label = "intake"
    verbose_name = "Self-screen and consultation requests"
