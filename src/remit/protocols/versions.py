"""Protocol versions: the file form of a protocol and the pure helper that makes a new version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.protocols.definitions import Phase, Protocol, ProtocolError, load_protocol


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """The protocol in its file format (the inverse of ``load_protocol``), for storing a version."""
    prov = {p.path: p for p in protocol.provenance}

    def tagged(path: str, item: dict[str, Any]) -> dict[str, Any]:
        p = prov[path]
        if p.source:
            item["source"] = p.source
        if not p.confirmed:
            item["confirmed"] = False
        if p.note:
            item["note"] = p.note
        return item

    def sourced(path: str, value: Any) -> dict[str, Any]:
        return tagged(path, {"value": value})

    def phase_dict(phase: Phase) -> dict[str, Any]:
        base = f"phases.{phase.code}"
        spacing = {
            name: sourced(f"{base}.spacing.{name}", getattr(phase.spacing, name))
            for name in (
                "min_days_between",
                "max_per_week",
                "max_per_day",
                "min_rest_same_day_min",
                "window_days",
            )
        }
        out: dict[str, Any] = {"code": phase.code, "title": phase.title}
        for name in ("session_count", "min_sessions", "max_sessions"):
            out[name] = sourced(f"{base}.{name}", getattr(phase, name))
        if phase.extension_step_sessions is not None:
            out["extension_step_sessions"] = sourced(
                f"{base}.extension_step_sessions", phase.extension_step_sessions
            )
        if phase.dose_text:
            out["dose_text"] = phase.dose_text
        out["spacing"] = spacing
        return out

    dose: dict[str, Any] = {"text": protocol.dose_text}
    if protocol.dose_mg_per_kg:
        dose["mg_per_kg"] = sourced("dose.mg_per_kg", [str(d) for d in protocol.dose_mg_per_kg])
    if protocol.dose_mg:
        dose["mg"] = sourced("dose.mg", [str(d) for d in protocol.dose_mg])
    monitoring: dict[str, Any] = {"text": protocol.monitoring.text}
    if protocol.monitoring.vitals_interval_min is not None:
        monitoring["vitals_interval_min"] = sourced(
            "monitoring.vitals_interval_min", protocol.monitoring.vitals_interval_min
        )
    monitoring["checkpoints_min"] = sourced(
        "monitoring.checkpoints_min", list(protocol.monitoring.checkpoints_min)
    )
    monitoring["pulse_oximetry"] = sourced(
        "monitoring.pulse_oximetry", protocol.monitoring.pulse_oximetry
    )
    questionnaires = []
    for q in protocol.questionnaires:
        item: dict[str, Any] = {"instrument": q.instrument, "timing": q.timing.value}
        if q.every_n_sessions is not None:
            item["every_n_sessions"] = q.every_n_sessions
        if q.minutes_after_start:
            item["minutes_after_start"] = list(q.minutes_after_start)
        questionnaires.append(tagged(f"questionnaires.{q.instrument}.{q.timing.value}", item))
    return {
        "code": protocol.code,
        "version": protocol.version,
        "title": protocol.title,
        "modality": protocol.modality,
        "route": protocol.route,
        "sources": list(protocol.sources),
        "change_note": protocol.change_note,
        "resource_kind": protocol.resource_kind.value,
        "requires_rems_enrolment": sourced(
            "requires_rems_enrolment", protocol.requires_rems_enrolment
        ),
        "staff_needed": [
            tagged(
                f"staff_needed.{n.role.value}",
                {"role": n.role.value, "on_site_only": n.on_site_only},
            )
            for n in protocol.staff_needed
        ],
        "dose": dose,
        "session": {
            name: sourced(f"session.{name}", getattr(protocol.session, name))
            for name in ("preparation_min", "administration_min", "observation_min")
        },
        "monitoring": monitoring,
        "questionnaires": questionnaires,
        "preparation": [
            tagged(f"preparation.{p.code}", {"code": p.code, "text": p.text})
            for p in protocol.preparation
        ],
        "phases": [phase_dict(p) for p in protocol.phases],
    }


def new_version(protocol: Protocol, changes: Mapping[str, Any], *, reason: str) -> Protocol:
    """A new, validated version of ``protocol`` with ``changes`` applied; the old one is untouched.

    ``changes`` maps dotted paths to new values, with phases addressed by code, e.g.
    ``{"session.observation_min": 60, "phases.induction.spacing.window_days": 24}``. A changed
    clinical value is recorded as the clinic's own decision, with ``reason`` as its source, so
    courses that started on the old version keep their numbers.
    """
    if not reason.strip():
        raise ProtocolError(
            f"Protocol {protocol.code}: say why the protocol is changing.", field="reason"
        )
    if not changes:
        raise ProtocolError(f"Protocol {protocol.code}: a new version needs at least one change.")
    data = protocol_to_dict(protocol)
    next_version = protocol.version + 1
    for path, value in changes.items():
        segments = path.split(".")
        if segments[0] in {"code", "version", "change_note"}:
            raise ProtocolError(f"Protocol {protocol.code}: {path} cannot be changed directly.")
        node: Any = data
        for segment in segments[:-1]:
            node = _child(node, segment, protocol.code, path)
        last = segments[-1]
        if not isinstance(node, dict) or last not in node:
            raise ProtocolError(f"Protocol {protocol.code} has no field {path}.")
        if isinstance(node[last], dict) and "value" in node[last]:
            node[last] = {
                "value": value,
                "source": f"clinic change in version {next_version}: {reason}",
            }
        else:
            node[last] = value
    data["version"] = next_version
    data["change_note"] = reason
    return load_protocol(data)


def _child(node: Any, segment: str, code: str, path: str) -> Any:
    if isinstance(node, dict) and segment in node:
        return node[segment]
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item.get("code") == segment:
                return item
    raise ProtocolError(f"Protocol {code} has no field {path}.")
