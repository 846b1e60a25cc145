from __future__ import annotations

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "remit.measures"
    label = "measures"
    verbose_name = "Measurement-based care"
    remit_url_prefix = "measures/"
