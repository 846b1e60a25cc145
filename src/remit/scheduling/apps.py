from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "remit.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    remit_url_prefix = "schedule/"
