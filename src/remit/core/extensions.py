"""How capability apps plug into the shared pages without editing them.

An app may provide any of these modules; each is found by name in every `remit.*` app:

- `chart.py` with `TABS: list[ChartTab]`: tabs of the patient chart. A tab whose key another
  app already declared replaces it (patients declares every tab with a placeholder).
- `chart.py` with `DOCUMENTS: list[DocumentSource]`: the signed documents an app holds for a
  patient, listed together on the chart's Documents tab.
- `home.py` with `PANELS: list[HomePanel]`: panels on a staff member's start page.
- `navigation.py` with `NAV: list[NavItem]`: links in the top bar.
- `api.py` with `router` and `API_PREFIX`: operations under /api/v1/<prefix>.
- `urls.py`, mounted at the AppConfig's `remit_url_prefix`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps

from remit.core.roles import Capability

if TYPE_CHECKING:
    from remit.core.http import StaffRequest
    from remit.patients.models import Patient


@dataclass(frozen=True)
class ChartTab:
    key: str
    label: str
    order: int
    capability: Capability
    template: str
    # Extra template context for the tab; gets the request and the (already scoped) patient.
    context: Callable[[StaffRequest, Patient], dict[str, Any]] = field(
        default=lambda request, patient: {}
    )


@dataclass(frozen=True)
class ChartDocument:
    """One signed document of a patient's, as the Documents tab lists it."""

    kind: str
    title: str
    signed_at: datetime
    signed_by: str
    url: str
    # What has happened since signing, in a few words ("co-signed"); may be empty.
    status: str = ""
    addenda: int = 0


@dataclass(frozen=True)
class DocumentSource:
    capability: Capability
    # Gets the (already scoped) patient; returns its documents of this kind.
    documents: Callable[[Patient], list[ChartDocument]]


@dataclass(frozen=True)
class HomePanel:
    key: str
    order: int
    capability: Capability
    template: str
    context: Callable[[StaffRequest], dict[str, Any]] = field(default=lambda request: {})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    capability: Capability


def remit_app_modules(module: str) -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("remit."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.{module}"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.{module}":
                raise
    return found


@cache
def chart_tabs() -> tuple[ChartTab, ...]:
    tabs: dict[str, ChartTab] = {}
    for module in remit_app_modules("chart"):
        for tab in module.TABS:
            tabs[tab.key] = tab
    return tuple(sorted(tabs.values(), key=lambda tab: tab.order))


@cache
def document_sources() -> tuple[DocumentSource, ...]:
    return tuple(
        source
        for module in remit_app_modules("chart")
        for source in getattr(module, "DOCUMENTS", ())
    )


@cache
def home_panels() -> tuple[HomePanel, ...]:
    panels = [panel for module in remit_app_modules("home") for panel in module.PANELS]
    return tuple(sorted(panels, key=lambda panel: panel.order))


@cache
def nav_items() -> tuple[NavItem, ...]:
    items = [item for module in remit_app_modules("navigation") for item in module.NAV]
    return tuple(sorted(items, key=lambda item: item.order))
