"""The `remit` command: Django's management utility with Remit's settings, from any directory."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remit.settings")
    args = list(sys.argv if argv is None else argv)
    # `remit demo` is for a laptop: debug on, local hosts only, unless the caller says otherwise.
    if len(args) > 1 and args[1] == "demo":
        os.environ.setdefault("REMIT_DEBUG", "true")
        # Demo logins are printed for anyone to try; MFA stays on everywhere else.
        os.environ.setdefault("REMIT_MFA_REQUIRED", "false")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args[0] = "remit"
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as error:
        # A configuration mistake deserves one clear line, not a traceback.
        sys.exit(f"remit: configuration error: {error}")


if __name__ == "__main__":
    main()
