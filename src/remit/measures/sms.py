"""Text messages behind a small backend interface, chosen by `REMIT_SMS_BACKEND`.

Remit ships no SMS provider: the default backend only logs that a message went out (its length
and a reference, never the number, the text or who it is for). A deployment adds a class with
the same `send` method for its provider and names it in the setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("remit.measures.sms")
DEFAULT_BACKEND = "remit.measures.sms.LoggingSmsBackend"


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    # A reference that identifies no one (e.g. "request 12"), for logs and provider receipts.
    reference: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class LoggingSmsBackend:
    """Logs that a message would have been sent; sends nothing."""

    def send(self, message: SmsMessage) -> None:
        logger.info(
            "SMS not sent (logging backend): %d characters, %s",
            len(message.body),
            message.reference,
        )


class MemorySmsBackend:
    """Keeps messages in `outbox` (tests)."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, message: SmsMessage) -> None:
        MemorySmsBackend.outbox.append(message)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "REMIT_SMS_BACKEND", "") or DEFAULT_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


def sms_send(*, to: str, body: str, reference: str) -> None:
    sms_backend().send(SmsMessage(to=to, body=body, reference=reference))
