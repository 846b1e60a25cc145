"""Synthetic demo data, built by each app's `seed` module in INSTALLED_APPS order.

An app that wants demo data adds `seed.py` with `def seed(context: SeedContext) -> None`.
Everything is derived from the seed number, so a seed always gives the same clinic; seeders
must be idempotent (running twice adds nothing), so they key their rows on stable values.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from remit.core.extensions import remit_app_modules

if TYPE_CHECKING:
    from remit.accounts.models import StaffUser
    from remit.clinics.models import Clinic


@dataclass
class SeedContext:
    seed: int
    patient_count: int
    clinic: Clinic | None = None
    staff: dict[str, StaffUser] = field(default_factory=dict)
    # Ids of patients this run created; later seeders give them histories.
    new_patient_ids: list[int] = field(default_factory=list)
    report: dict[str, int] = field(default_factory=dict)
    progress: Callable[[str], None] = print

    def rng(self, *key: Any) -> random.Random:
        """A generator that depends only on the seed and `key`, never on what ran before."""
        return random.Random(":".join(str(part) for part in (self.seed, *key)))  # noqa: S311

    def count(self, what: str, n: int) -> None:
        self.report[what] = self.report.get(what, 0) + n


def seeders() -> list[tuple[str, Callable[[SeedContext], None]]]:
    """Each Remit app's `seed`, labelled by its app (every app's label is its package name)."""
    return [(module.__name__.split(".")[1], module.seed) for module in remit_app_modules("seed")]


def seed_all(context: SeedContext) -> SeedContext:
    for label, seed in seeders():
        context.progress(f"seeding {label}…")
        seed(context)
    return context
