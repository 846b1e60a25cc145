"""Writing and verifying the audit trail.

Services call `audit_record` inside their own transaction, so a change and its audit row commit
or roll back together. Each row's hash covers its content and the previous row's hash; changing,
deleting or inserting a row anywhere breaks the chain, which `audit_verify` reports.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from remit.core.models import AuditAction, AuditEvent, AuditOutcome

if TYPE_CHECKING:
    from remit.accounts.models import StaffUser

GENESIS_HASH = "0" * 64
# An arbitrary constant key for PostgreSQL's advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 7_231_004


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and from where; set per request by the middleware."""

    actor: StaffUser | None = None
    ip_address: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "remit_audit_context",
    default=AuditContext(),  # noqa: B039 (immutable default)
)


def audit_context_set(context: AuditContext) -> contextvars.Token[AuditContext]:
    return _context.set(context)


def audit_context_reset(token: contextvars.Token[AuditContext]) -> None:
    _context.reset(token)


def audit_context() -> AuditContext:
    return _context.get()


def _roles_of(actor: StaffUser | None) -> str:
    if actor is None:
        return ""
    return ",".join(sorted(actor.role_names()))


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_roles": event.actor_roles,
        "action": event.action,
        "outcome": event.outcome,
        "clinic_id": event.clinic_id,
        "patient_id": event.patient_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _lock_chain() -> None:
    # SQLite writers are already serialised by BEGIN IMMEDIATE (see settings).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _last_hash() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS_HASH


@dataclass(frozen=True)
class AuditEntry:
    """One event to append; `audit_record_many` takes many at once (seeding, bulk imports)."""

    action: str
    clinic_id: int | None = None
    patient_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    outcome: str = AuditOutcome.SUCCESS
    detail: dict[str, Any] = field(default_factory=dict)


def _event_from(entry: AuditEntry, actor: StaffUser | None, at: datetime) -> AuditEvent:
    context = audit_context()
    actor = actor if actor is not None else context.actor
    return AuditEvent(
        at=at,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        actor_roles=_roles_of(actor),
        action=entry.action,
        outcome=entry.outcome,
        clinic_id=entry.clinic_id,
        patient_id=entry.patient_id,
        object_type=entry.object_type,
        object_id=entry.object_id,
        ip_address=context.ip_address,
        detail=entry.detail,
    )


@transaction.atomic
def audit_record_many(
    entries: Iterable[AuditEntry], *, actor: StaffUser | None = None
) -> list[AuditEvent]:
    _lock_chain()
    previous = _last_hash()
    now = timezone.now()
    events = []
    for entry in entries:
        event = _event_from(entry, actor, now)
        event.prev_hash = previous
        event.hash = _hash(event)
        previous = event.hash
        events.append(event)
    return AuditEvent.objects.bulk_create(events, batch_size=500)


def audit_record(
    *,
    action: AuditAction | str,
    actor: StaffUser | None = None,
    obj: models.Model | None = None,
    patient_id: int | None = None,
    clinic_id: int | None = None,
    outcome: AuditOutcome | str = AuditOutcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the actor defaults to the user of the current request."""
    entry = AuditEntry(
        action=str(action),
        clinic_id=clinic_id,
        patient_id=patient_id,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        outcome=str(outcome),
        detail=detail or {},
    )
    return audit_record_many([entry], actor=actor)[0]


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def audit_verify(events: Iterable[AuditEvent] | None = None) -> Iterator[ChainBreak]:
    """Yield every place where the stored chain does not match its rows."""
    previous = GENESIS_HASH
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator(2000)
    for event in rows:
        if event.prev_hash != previous:
            yield ChainBreak(event.id, "a row before this one was deleted, inserted or changed")
        if _hash(event) != event.hash:
            yield ChainBreak(event.id, "this row's content was changed after it was written")
        previous = event.hash
