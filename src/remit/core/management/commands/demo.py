from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from remit.patients.models import Patient


class Command(BaseCommand):
    help = "Create, migrate and seed the demo clinic, print its logins, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=300)
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only")

    def handle(
        self, *args: Any, patients: int, addrport: str, no_serve: bool, **options: Any
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Patient.objects.exists():
            call_command("seed", patients=patients, seed=1)
        else:
            # Refresh staff and clinic only; existing data is kept as it is.
            call_command("seed", patients=0, seed=1)
        from remit.accounts.seed import DEMO_PASSWORD, DEMO_STAFF

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Remit demo clinic (synthetic data only)"))
        self.stdout.write(f"  database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"  open http://{addrport}/ and sign in as one of:")
        for role, (username, _, _) in DEMO_STAFF.items():
            self.stdout.write(f"    {role.label:<22} {username:<18} password: {DEMO_PASSWORD}")
        self.stdout.write("")
        if no_serve:
            return
        # The worker sends questionnaire links and reminders; the demo runs one beside the server.
        worker = subprocess.Popen([sys.executable, "-m", "remit", "worker"])  # noqa: S603
        self.stdout.write(f"  background worker running (pid {worker.pid})")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
