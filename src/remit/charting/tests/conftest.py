from __future__ import annotations

import pytest

from remit.charting.tests.fixtures import other_capabilities

__all__ = ["other_capabilities"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_integrations: use the other capabilities as installed")
