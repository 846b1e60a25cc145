"""Make the audit table append-only in the database itself, not only in the application."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from remit.core import append_only


def forwards(apps: Any, schema_editor: Any) -> None:
    append_only.install(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    append_only.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
