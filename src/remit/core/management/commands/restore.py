from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from remit.core.backup import BackupError, RestoreVerificationError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `remit backup`, after checking the file "
        "against its manifest, then verify the audit chain. See docs/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file (its manifest sits beside it)")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace a database that already holds data (all of it is lost)",
        )

    def handle(self, *args: Any, path: Path, yes: bool, **options: Any) -> None:
        try:
            report = backup_restore(path, replace_existing=yes)
        except RestoreVerificationError as error:
            raise CommandError(
                f"restore ran but must not be trusted: {error}\n"
                "Stop Remit and investigate before anyone uses this database."
            ) from error
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from error
        counts = ", ".join(f"{label} {n}" for label, n in report.row_counts.items())
        self.stdout.write(f"Restored {report.path} (made {report.manifest.created_at}).")
        self.stdout.write(f"row counts match the manifest: {counts}")
        self.stdout.write(self.style.SUCCESS(f"audit chain verified: {report.audit_events} events"))
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"This backup predates {len(report.pending_migrations)} migration(s) of this "
                    "version of Remit: run `remit migrate` before starting Remit."
                )
            )
