from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from remit.core.seeding import SeedContext, seed_all


class Command(BaseCommand):
    help = "Fill the database with a synthetic demo clinic (deterministic and idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=200, help="number of patients")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")

    def handle(self, *args: Any, patients: int, seed: int, **options: Any) -> None:
        if not 0 <= patients <= 200_000:
            self.stderr.write("--patients must be between 0 and 200000")
            raise SystemExit(2)
        started = time.perf_counter()
        context = seed_all(
            SeedContext(seed=seed, patient_count=patients, progress=self.stdout.write)
        )
        elapsed = time.perf_counter() - started
        made = ", ".join(f"{n} {what}" for what, n in context.report.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Seeded {made} in {elapsed:.1f} s."))
