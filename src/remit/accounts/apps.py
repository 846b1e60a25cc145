from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender: AppConfig, **kwargs: Any) -> None:
    # Permissions exist only once every app has migrated, so act after the last one.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from remit.accounts.services import role_groups_sync

    role_groups_sync()


class AccountsConfig(AppConfig):
    name = "remit.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, dispatch_uid="remit.role_groups_sync")
