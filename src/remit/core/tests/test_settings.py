from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from remit.settings import env_bool, env_int, env_list, env_time_zone

PRODUCTION_ENV = {
    "REMIT_DEBUG": "false",
    "REMIT_SECRET_KEY": "prod-" + "x7Gk2pQ9vLm4Rt8Wz1Nc6Yb3Hs5Jd0Fa" * 2,
    "REMIT_ALLOWED_HOSTS": "clinic.example.org",
}


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("REMIT_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="REMIT_X must be true or false"):
        env_bool("REMIT_X", False)


def test_env_int_refuses_text_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("REMIT_X", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("REMIT_X", 1)
    monkeypatch.setenv("REMIT_X", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("REMIT_X", 5, minimum=1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("REMIT_X", "a.example.org, b.example.org,")
    assert env_list("REMIT_X", []) == ["a.example.org", "b.example.org"]


def test_env_time_zone_refuses_an_unknown_zone(monkeypatch):
    monkeypatch.setenv("REMIT_TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(ImproperlyConfigured, match="not a known time zone"):
        env_time_zone("REMIT_TIME_ZONE", "UTC")


def _remit(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REMIT_", "DJANGO_"))}
    clean.update(env, REMIT_DATA_DIR=str(tmp_path))
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "remit", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _remit(["check"], {"REMIT_DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "REMIT_SECRET_KEY is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_with_production_settings_prints_no_warnings(tmp_path):
    result = _remit(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
