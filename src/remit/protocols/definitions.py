"""Treatment protocols as versioned data: frozen dataclasses, the loader and its validation.

A protocol file (one JSON file per protocol in ``library/``) carries every clinical number as
``{"value": ..., "source": "[S51]"}`` or, where the clinical reference gives no source,
``{"value": ..., "confirmed": false, "note": "..."}``. The loader keeps that provenance so the
medical director can list every value still waiting for confirmation (``Protocol.unconfirmed()``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from remit.protocols.spacing import Spacing, max_sessions_in_window


class ProtocolError(ValueError):
    """A protocol file or a protocol change is not valid; the message names the field.

    ``field`` names the form field to show it on when the fault is in what the user typed
    rather than in the protocol (e.g. ``"reason"``); None leaves the choice to the caller.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ResourceKind(StrEnum):
    INFUSION_CHAIR = "infusion_chair"
    ESKETAMINE_ROOM = "esketamine_room"
    TMS_DEVICE = "tms_device"


class StaffRole(StrEnum):
    NURSE = "nurse"
    PRESCRIBER = "prescriber"
    TMS_TECHNICIAN = "tms_technician"


class QuestionnaireTiming(StrEnum):
    BEFORE_EACH_SESSION = "before_each_session"
    BEFORE_FIRST_SESSION = "before_first_session"
    AFTER_LAST_SESSION = "after_last_session"
    EVERY_N_SESSIONS = "every_n_sessions"
    DURING_SESSION = "during_session"


# Instrument codes shared with the measures app; a protocol may only schedule these.
INSTRUMENT_CODES = frozenset({"phq9", "gad7", "qids_sr16", "madrs", "cadss6"})

_CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Provenance:
    """Where one clinical value comes from; ``confirmed=False`` needs the medical director."""

    path: str
    source: str
    confirmed: bool
    note: str = ""


@dataclass(frozen=True)
class Phase:
    code: str
    title: str
    session_count: int
    min_sessions: int
    max_sessions: int
    spacing: Spacing
    # Sessions added per extension (e.g. after a payer approves more); None = not extendable.
    extension_step_sessions: int | None
    dose_text: str


@dataclass(frozen=True)
class SessionTiming:
    """Minutes one session holds its chair, room or device."""

    preparation_min: int
    administration_min: int
    observation_min: int

    @property
    def occupancy_min(self) -> int:
        return self.preparation_min + self.administration_min + self.observation_min


@dataclass(frozen=True)
class StaffNeed:
    role: StaffRole
    # True: someone in this role must be on site for the whole session (no ratio applies);
    # False: the session counts towards the clinic's patients-per-staff ratio for the role.
    on_site_only: bool


@dataclass(frozen=True)
class Monitoring:
    vitals_interval_min: int | None
    checkpoints_min: tuple[int, ...]
    pulse_oximetry: bool
    text: str


@dataclass(frozen=True)
class QuestionnaireRule:
    instrument: str
    timing: QuestionnaireTiming
    every_n_sessions: int | None
    minutes_after_start: tuple[int, ...]


@dataclass(frozen=True)
class PreparationInstruction:
    code: str
    text: str


@dataclass(frozen=True)
class Protocol:
    code: str
    version: int
    title: str
    modality: str
    route: str
    sources: tuple[str, ...]
    resource_kind: ResourceKind
    staff_needed: tuple[StaffNeed, ...]
    requires_rems_enrolment: bool
    dose_text: str
    dose_mg_per_kg: tuple[Decimal, ...]
    dose_mg: tuple[Decimal, ...]
    session: SessionTiming
    monitoring: Monitoring
    questionnaires: tuple[QuestionnaireRule, ...]
    preparation: tuple[PreparationInstruction, ...]
    phases: tuple[Phase, ...]
    provenance: tuple[Provenance, ...]
    change_note: str

    def phase(self, code: str) -> Phase:
        for phase in self.phases:
            if phase.code == code:
                return phase
        known = ", ".join(p.code for p in self.phases)
        raise ProtocolError(f"Protocol {self.code} has no phase {code!r} (phases: {known}).")

    def unconfirmed(self) -> tuple[Provenance, ...]:
        return tuple(p for p in self.provenance if not p.confirmed)

    def needs_on_site(self, role: StaffRole) -> bool:
        return any(n.role == role and n.on_site_only for n in self.staff_needed)


class _Reader:
    """Reads one protocol mapping, collecting provenance and naming the field in every error."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.provenance: list[Provenance] = []
        self.label = str(data.get("code", "<no code>"))

    def fail(self, path: str, problem: str) -> ProtocolError:
        return ProtocolError(f"Protocol {self.label}, field {path}: {problem}")

    def field(self, obj: Mapping[str, Any], key: str, path: str) -> Any:
        if not isinstance(obj, Mapping) or key not in obj:
            raise self.fail(path, "is missing.")
        return obj[key]

    def text(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        if not required and key not in obj:
            return ""
        value = self.field(obj, key, path)
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(path, "must be non-empty text.")
        return value

    def note_provenance(self, obj: Mapping[str, Any], path: str) -> None:
        confirmed = obj.get("confirmed", True)
        source = obj.get("source", "")
        note = obj.get("note", "")
        if not isinstance(confirmed, bool) or not isinstance(source, str):
            raise self.fail(path, "'confirmed' must be true/false and 'source' text.")
        if confirmed and not source.strip():
            raise self.fail(path, "needs a source tag like [S51], or confirmed: false with a note.")
        if not confirmed and not str(note).strip():
            raise self.fail(path, "is unconfirmed, so it needs a note saying what to check.")
        self.provenance.append(Provenance(path, source, confirmed, str(note)))

    def sourced(self, obj: Mapping[str, Any], key: str, path: str) -> Any:
        raw = self.field(obj, key, path)
        if not isinstance(raw, Mapping) or "value" not in raw:
            raise self.fail(path, 'must be {"value": ..., "source": "[Sxx]"}.')
        self.note_provenance(raw, path)
        return raw["value"]

    def sourced_int(self, obj: Mapping[str, Any], key: str, path: str, *, minimum: int) -> int:
        value = self.sourced(obj, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(path, f"must be a whole number of at least {minimum}.")
        return value

    def optional_sourced_int(
        self, obj: Mapping[str, Any], key: str, path: str, *, minimum: int
    ) -> int | None:
        if obj.get(key) is None:
            return None
        return self.sourced_int(obj, key, path, minimum=minimum)

    def decimals(self, obj: Mapping[str, Any], key: str, path: str) -> tuple[Decimal, ...]:
        if obj.get(key) is None:
            return ()
        values = self.sourced(obj, key, path)
        if not isinstance(values, list):
            raise self.fail(path, 'must be a list of amounts written as text, e.g. ["0.5"].')
        try:
            # Drug amounts are Decimal from text, never float, so 0.5 stays exactly 0.5.
            amounts = tuple(Decimal(str(v)) for v in values if isinstance(v, str))
        except InvalidOperation as exc:
            raise self.fail(path, "contains an amount that is not a number.") from exc
        if len(amounts) != len(values) or any(a <= 0 for a in amounts):
            raise self.fail(path, "amounts must be positive numbers written as text.")
        return amounts


def _read_spacing(r: _Reader, raw: Mapping[str, Any], path: str) -> Spacing:
    spacing = Spacing(
        min_days_between=r.sourced_int(
            raw, "min_days_between", f"{path}.min_days_between", minimum=0
        ),
        max_per_week=r.sourced_int(raw, "max_per_week", f"{path}.max_per_week", minimum=1),
        max_per_day=r.sourced_int(raw, "max_per_day", f"{path}.max_per_day", minimum=1),
        min_rest_same_day_min=r.sourced_int(
            raw, "min_rest_same_day_min", f"{path}.min_rest_same_day_min", minimum=0
        ),
        window_days=r.sourced_int(raw, "window_days", f"{path}.window_days", minimum=1),
    )
    if spacing.max_per_day == 1 and spacing.min_days_between < 1:
        raise r.fail(f"{path}.min_days_between", "must be at least 1 when one session a day.")
    if spacing.max_per_day > spacing.max_per_week:
        raise r.fail(f"{path}.max_per_day", "cannot exceed max_per_week.")
    return spacing


def _read_phase(r: _Reader, raw: Mapping[str, Any], index: int, occupancy_min: int) -> Phase:
    code = r.text(raw, "code", f"phases[{index}].code")
    path = f"phases.{code}"
    spacing = _read_spacing(r, r.field(raw, "spacing", f"{path}.spacing"), f"{path}.spacing")
    phase = Phase(
        code=code,
        title=r.text(raw, "title", f"{path}.title"),
        session_count=r.sourced_int(raw, "session_count", f"{path}.session_count", minimum=1),
        min_sessions=r.sourced_int(raw, "min_sessions", f"{path}.min_sessions", minimum=1),
        max_sessions=r.sourced_int(raw, "max_sessions", f"{path}.max_sessions", minimum=1),
        spacing=spacing,
        extension_step_sessions=r.optional_sourced_int(
            raw, "extension_step_sessions", f"{path}.extension_step_sessions", minimum=1
        ),
        dose_text=r.text(raw, "dose_text", f"{path}.dose_text", required=False),
    )
    if not phase.min_sessions <= phase.session_count <= phase.max_sessions:
        raise r.fail(f"{path}.session_count", "must lie between min_sessions and max_sessions.")
    fits = max_sessions_in_window(spacing, occupancy_min=occupancy_min)
    if fits < phase.max_sessions:
        raise r.fail(
            f"{path}.spacing",
            f"allows at most {fits} sessions in {spacing.window_days} days, "
            f"but max_sessions is {phase.max_sessions}.",
        )
    return phase


def _read_questionnaire(r: _Reader, raw: Mapping[str, Any], index: int) -> QuestionnaireRule:
    path = f"questionnaires[{index}]"
    instrument = r.text(raw, "instrument", f"{path}.instrument")
    if instrument not in INSTRUMENT_CODES:
        raise r.fail(f"{path}.instrument", f"unknown instrument {instrument!r}.")
    try:
        timing = QuestionnaireTiming(r.text(raw, "timing", f"{path}.timing"))
    except ValueError as exc:
        raise r.fail(f"{path}.timing", f"unknown timing {raw.get('timing')!r}.") from exc
    every = raw.get("every_n_sessions")
    if (timing == QuestionnaireTiming.EVERY_N_SESSIONS) != isinstance(every, int) or (
        isinstance(every, int) and every < 1
    ):
        raise r.fail(f"{path}.every_n_sessions", "is needed (≥ 1) exactly for every_n_sessions.")
    minutes = raw.get("minutes_after_start", [])
    if not isinstance(minutes, list) or not all(isinstance(m, int) and m >= 0 for m in minutes):
        raise r.fail(f"{path}.minutes_after_start", "must be a list of minutes (≥ 0).")
    if (timing == QuestionnaireTiming.DURING_SESSION) != bool(minutes):
        raise r.fail(f"{path}.minutes_after_start", "is needed exactly for during_session.")
    r.note_provenance(raw, f"questionnaires.{instrument}.{timing.value}")
    return QuestionnaireRule(instrument, timing, every, tuple(minutes))


def _read_staff(r: _Reader, raw: Mapping[str, Any], index: int) -> StaffNeed:
    path = f"staff_needed[{index}]"
    try:
        role = StaffRole(r.text(raw, "role", f"{path}.role"))
    except ValueError as exc:
        raise r.fail(f"{path}.role", f"unknown staff role {raw.get('role')!r}.") from exc
    on_site_only = raw.get("on_site_only", False)
    if not isinstance(on_site_only, bool):
        raise r.fail(f"{path}.on_site_only", "must be true or false.")
    r.note_provenance(raw, f"staff_needed.{role.value}")
    return StaffNeed(role, on_site_only)


def load_protocol(data: Mapping[str, Any]) -> Protocol:
    """A validated ``Protocol`` from parsed JSON; raises ``ProtocolError`` naming the field."""
    r = _Reader(data)
    code = r.text(data, "code", "code")
    if not _CODE_PATTERN.match(code):
        raise r.fail("code", "must be lower-case letters, digits and single hyphens.")
    version = r.field(data, "version", "version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise r.fail("version", "must be a whole number of at least 1.")
    try:
        resource_kind = ResourceKind(r.text(data, "resource_kind", "resource_kind"))
    except ValueError as exc:
        raise r.fail("resource_kind", f"unknown kind {data.get('resource_kind')!r}.") from exc
    sources = r.field(data, "sources", "sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise r.fail("sources", "must list at least one source tag.")
    session_raw = r.field(data, "session", "session")
    session = SessionTiming(
        preparation_min=r.sourced_int(
            session_raw, "preparation_min", "session.preparation_min", minimum=0
        ),
        administration_min=r.sourced_int(
            session_raw, "administration_min", "session.administration_min", minimum=1
        ),
        observation_min=r.sourced_int(
            session_raw, "observation_min", "session.observation_min", minimum=0
        ),
    )
    dose_raw = r.field(data, "dose", "dose")
    mon_raw = r.field(data, "monitoring", "monitoring")
    checkpoints = r.sourced(mon_raw, "checkpoints_min", "monitoring.checkpoints_min")
    if not isinstance(checkpoints, list) or not all(isinstance(c, int) for c in checkpoints):
        raise r.fail("monitoring.checkpoints_min", "must be a list of minutes.")
    pulse_ox = r.sourced(mon_raw, "pulse_oximetry", "monitoring.pulse_oximetry")
    if not isinstance(pulse_ox, bool):
        raise r.fail("monitoring.pulse_oximetry", "must be true or false.")
    monitoring = Monitoring(
        vitals_interval_min=r.optional_sourced_int(
            mon_raw, "vitals_interval_min", "monitoring.vitals_interval_min", minimum=1
        ),
        checkpoints_min=tuple(checkpoints),
        pulse_oximetry=pulse_ox,
        text=r.text(mon_raw, "text", "monitoring.text"),
    )
    rems = r.sourced(data, "requires_rems_enrolment", "requires_rems_enrolment")
    if not isinstance(rems, bool):
        raise r.fail("requires_rems_enrolment", "must be true or false.")
    staff = tuple(
        _read_staff(r, s, i) for i, s in enumerate(r.field(data, "staff_needed", "staff_needed"))
    )
    if not staff:
        raise r.fail("staff_needed", "must name at least one role.")
    preparation = []
    for i, raw in enumerate(data.get("preparation", [])):
        item_code = r.text(raw, "code", f"preparation[{i}].code")
        r.note_provenance(raw, f"preparation.{item_code}")
        preparation.append(
            PreparationInstruction(item_code, r.text(raw, "text", f"preparation.{item_code}"))
        )
    phases_raw = r.field(data, "phases", "phases")
    if not isinstance(phases_raw, list) or not phases_raw:
        raise r.fail("phases", "must list at least one phase.")
    phases = tuple(_read_phase(r, p, i, session.occupancy_min) for i, p in enumerate(phases_raw))
    if len({p.code for p in phases}) != len(phases):
        raise r.fail("phases", "phase codes must be unique.")
    protocol = Protocol(
        code=code,
        version=version,
        title=r.text(data, "title", "title"),
        modality=r.text(data, "modality", "modality"),
        route=r.text(data, "route", "route"),
        sources=tuple(sources),
        resource_kind=resource_kind,
        staff_needed=staff,
        requires_rems_enrolment=rems,
        dose_text=r.text(dose_raw, "text", "dose.text"),
        dose_mg_per_kg=r.decimals(dose_raw, "mg_per_kg", "dose.mg_per_kg"),
        dose_mg=r.decimals(dose_raw, "mg", "dose.mg"),
        session=session,
        monitoring=monitoring,
        questionnaires=tuple(
            _read_questionnaire(r, q, i) for i, q in enumerate(data.get("questionnaires", []))
        ),
        preparation=tuple(preparation),
        phases=phases,
        provenance=tuple(r.provenance),
        change_note=str(data.get("change_note", "")),
    )
    # REMS: a prescriber must be on site during administration and monitoring [S71].
    if protocol.requires_rems_enrolment and not protocol.needs_on_site(StaffRole.PRESCRIBER):
        raise r.fail("staff_needed", "a REMS protocol needs a prescriber on site [S71].")
    return protocol


def load_library() -> dict[str, Protocol]:
    """Every protocol shipped in ``protocols/library/``, keyed by code.

    A fresh dict each call, so a caller that edits it cannot change what the next one sees; the
    protocols themselves are frozen and shared.
    """
    return dict(_library())


@cache
def _library() -> dict[str, Protocol]:
    # The files ship with the package and never change while it runs, so they are read and
    # validated once per process instead of on every protocol page.
    library: dict[str, Protocol] = {}
    folder = resources.files("remit.protocols").joinpath("library")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        protocol = load_protocol(json.loads(entry.read_text(encoding="utf-8")))
        if protocol.code in library:
            raise ProtocolError(f"Two library files define protocol {protocol.code}.")
        library[protocol.code] = protocol
    return library
