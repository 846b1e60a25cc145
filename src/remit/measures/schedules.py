"""When a schedule's questionnaires go out: anchored to the patient's sessions, not the calendar.

Pure code: the worker's task gives it the schedule's settings, the course's sessions and "now",
and gets back what is due now and when to look again. No periodic scheduler exists, so each run
plans the next one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BEFORE_SESSION = "before_session"
AFTER_SESSION = "after_session"
EVERY_N_DAYS = "every_n_days"
KINDS = (BEFORE_SESSION, AFTER_SESSION, EVERY_N_DAYS)

# A questionnaire sent much later than planned (the worker was down) is no longer useful:
# after-session and periodic ones are skipped once this late; before-session ones once the
# session has started.
LATE_LIMIT = timedelta(hours=24)
# Session-anchored schedules look again at least daily, to find sessions booked since.
RESCAN = timedelta(days=1)


@dataclass(frozen=True)
class Session:
    appointment_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Occasion:
    key: str
    send_at: datetime
    appointment_id: int | None = None


@dataclass(frozen=True)
class Plan:
    due: tuple[Occasion, ...]
    # None: the schedule has nothing more to send (it ended).
    next_run_at: datetime | None


def _send_at(kind: str, offset: timedelta, session: Session) -> datetime:
    return session.start - offset if kind == BEFORE_SESSION else session.end + offset


def plan(
    *,
    kind: str,
    offset_h: int,
    interval_days: int,
    starts_at: datetime,
    ends_at: datetime | None,
    sessions: Sequence[Session],
    sent: Collection[str],
    now: datetime,
) -> Plan:
    """What to send now, and when the schedule should be looked at next."""
    if kind not in KINDS:
        raise ValueError(f"Unknown schedule kind {kind!r}.")
    if ends_at is not None and now >= ends_at:
        return Plan((), None)
    if kind == EVERY_N_DAYS:
        if interval_days < 1:
            raise ValueError("A periodic schedule needs an interval of at least 1 day.")
        step = timedelta(days=interval_days)
        if now < starts_at:
            return Plan((), starts_at)
        index = (now - starts_at) // step
        latest = Occasion(f"day:{index}", starts_at + index * step)
        due = () if latest.key in sent or now - latest.send_at > LATE_LIMIT else (latest,)
        following = starts_at + (index + 1) * step
        if ends_at is not None and following >= ends_at:
            return Plan(due, None)
        return Plan(due, following)

    offset = timedelta(hours=offset_h)
    due_now = []
    upcoming = []
    for session in sorted(sessions, key=lambda s: _send_at(kind, offset, s)):
        occasion = Occasion(
            f"appointment:{session.appointment_id}",
            _send_at(kind, offset, session),
            session.appointment_id,
        )
        if occasion.key in sent or occasion.send_at < starts_at:
            continue
        if ends_at is not None and occasion.send_at >= ends_at:
            continue
        if occasion.send_at > now:
            upcoming.append(occasion.send_at)
            continue
        if kind == BEFORE_SESSION:
            too_late = now >= session.start
        else:
            too_late = now - occasion.send_at > LATE_LIMIT
        if not too_late:
            due_now.append(occasion)
    next_run = min([*upcoming, now + RESCAN])
    if ends_at is not None:
        next_run = min(next_run, ends_at)
    return Plan(tuple(due_now), next_run)
