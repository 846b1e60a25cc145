from __future__ import annotations

from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "remit.charting"
    label = "charting"
    verbose_name = "Session charting"
    remit_url_prefix = "charting/"
