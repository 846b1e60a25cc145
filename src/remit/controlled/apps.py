from __future__ import annotations

from django.apps import AppConfig


class ControlledConfig(AppConfig):
    name = "remit.controlled"
    label = "controlled"
    verbose_name = "Controlled-substance ledger"
    remit_url_prefix = "controlled/"
