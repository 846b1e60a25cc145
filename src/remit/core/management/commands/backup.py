from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from remit.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database to one file with a JSON manifest beside it, and print the "
        "file's path. See docs/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="where to write the backup (default: REMIT_DATA_DIR/backups/remit-<UTC time>)",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        try:
            result = backup_create(output=output)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from error
        # The path alone on stdout, so a script can capture it.
        self.stdout.write(str(result.path))
