"""The controlled-substance ledger as stored: vials and append-only entries.

The arithmetic and its rules are `ledger.py` (pure); services.py folds the stored entries and
asks it to accept each new one inside the transaction that saves it.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

# One error for every append-only table (audit events and ledger entries); still importable here.
from remit.core.models import AppendOnlyError as AppendOnlyError

_STAFF = settings.AUTH_USER_MODEL


class Drug(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine (racemic)"
    ESKETAMINE = "esketamine", "Esketamine (Spravato)"


class Vial(models.Model):
    """One container received into stock (a vial, or an esketamine device pack)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="vials")
    label = models.CharField(
        "vial name", max_length=40, help_text="The name written on the vial, e.g. K-0412."
    )
    drug = models.CharField(max_length=12, choices=Drug.choices)
    concentration_mg_per_ml = models.DecimalField(
        "concentration (mg/mL)", max_digits=7, decimal_places=2
    )
    volume_ml = models.DecimalField("volume (mL)", max_digits=7, decimal_places=2)
    lot = models.CharField("lot number", max_length=40)
    expiry = models.DateField()
    supplier = models.CharField(max_length=120)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(_STAFF, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["drug", "expiry", "label"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "label"], name="vial_label_unique_in_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_drug_display()}, lot {self.lot})"


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Received"
    DRAW = "draw", "Drawn for a session"
    ADMINISTRATION = "administration", "Given"
    WASTE = "waste", "Wasted (session)"
    VIAL_WASTE = "vial_waste", "Wasted (vial)"
    SESSION_CLOSE = "session_close", "Session balanced"
    COUNT = "count", "Counted"
    ADJUSTMENT = "adjustment", "Reconciled"


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("ledger entries are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("ledger entries are append-only")


class LedgerEntry(models.Model):
    """One line of the ledger. Never changed or removed: a correction is a new entry."""

    entry_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(_STAFF, on_delete=models.PROTECT, related_name="+")
    # The witness of a waste, or the second person of a reconciliation.
    second_person = models.ForeignKey(
        _STAFF, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vial = models.ForeignKey(
        Vial, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    session = models.ForeignKey(
        "charting.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    # Vial side (draw, vial waste, count): mL. Session side (given, wasted): mg.
    volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    amount_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["clinic", "at"]),
            models.Index(fields=["vial", "id"]),
            models.Index(fields=["session", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entry_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("ledger entries are append-only")
