from __future__ import annotations

from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "remit.protocols"
    label = "protocols"
    verbose_name = "Protocols and treatment courses"
    remit_url_prefix = "protocols/"
