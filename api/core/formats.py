"""Formats checked wherever someone types them: a victim giving her contact address, an admin adding a worker
or a notice address. One rule, so an address accepted in one place is not refused in another."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,24}$")
MAX_EMAIL_CHARS = 254  # RFC 5321's limit for a path, and the portal's column width


def is_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL_CHARS and EMAIL.match(text) is not None
