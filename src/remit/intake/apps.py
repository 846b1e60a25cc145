from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "remit.intake"
    label = "intake"
    verbose_name = "Self-screen and consultation requests"
    # Public pages live under /intake/start/<clinic id>/; the staff queue under /intake/.
    remit_url_prefix = "intake/"
