"""Settings for the test suite: the production module with test-only defaults filled in.

Tests run with DEBUG off (as Django's test runner forces anyway) so the production code paths,
headers and cookie flags are the ones under test.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault(
    "REMIT_SECRET_KEY", "test-only-" + "k3y-that-is-long-enough-and-varied-0123456789"
)
os.environ.setdefault("REMIT_DATA_DIR", tempfile.mkdtemp(prefix="remit-test-"))
os.environ.setdefault("REMIT_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("REMIT_SSL_REDIRECT", "false")

from remit.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105 (test only)
# Browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
