"""Remit: clinic system for ketamine, esketamine and TMS therapy."""
