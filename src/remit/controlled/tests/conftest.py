from __future__ import annotations

from remit.charting.tests.fixtures import other_capabilities

__all__ = ["other_capabilities"]
