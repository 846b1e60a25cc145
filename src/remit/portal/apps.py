from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "remit.portal"
    label = "portal"
    verbose_name = "Patient links and portal"
