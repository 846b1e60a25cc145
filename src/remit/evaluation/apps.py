from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "remit.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation and eligibility"
    remit_url_prefix = "evaluation/"
