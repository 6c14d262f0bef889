"""Keep secrets out of logs and Sentry events: one list of sensitive names, two scrubbers.

* :func:`redact` walks dicts, lists and tuples and replaces the value of every sensitive key
  (``password``, ``new_password``, ``token``, ``access``, ``refresh``, ``secret``,
  ``Authorization``, cookies, API keys...) and scrubs every string it meets.
* :func:`redact_text` scrubs free text: ``Bearer <token>``, anything shaped like a JWT,
  ``password=...`` / ``"token": "..."`` pairs, and the password of a URL's credentials.

Used by the log filter (config.logging) and Sentry's ``before_send`` (config.sentry). Pure
Python, imported before Django is set up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REDACTED = "[REDACTED]"

# A key is sensitive when its lower-cased letters and digits contain one of these...
_SENSITIVE_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "apikey",
    "privatekey",
    "sessionid",
    "csrf",
    "credential",
    "signature",
)
# ...or are exactly one of these (too short or too common to match inside other words).
_SENSITIVE_EXACT = frozenset({"access", "refresh", "pwd", "pass", "jwt", "auth", "otp", "pin"})

_KEY_WORDS = (
    r"\w*(?:password|passwd|secret|token|authorization|api[_-]?key|cookie)\w*|access|refresh"
)
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?P<key>["']?(?:{_KEY_WORDS})["']?)      # a sensitive name, maybe quoted
    (?P<sep>\s*[:=]\s*)                       # = or :
    (?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?:Bearer\s+)?[^\s,;&}}\]]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@", re.I)

_MAX_DEPTH = 12
# Text matching none of these cannot match a pattern above: the regexes are skipped.
_TRIGGER = re.compile(
    r"pass|secret|token|auth|key|cookie|bearer|basic|eyj|access|refresh|://", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def _sensitive_name(key: str) -> bool:
    flat = "".join(ch for ch in key.lower() if ch.isalnum())
    return flat in _SENSITIVE_EXACT or any(part in flat for part in _SENSITIVE_PARTS)


def is_sensitive_key(key: object) -> bool:
    return isinstance(key, str) and _sensitive_name(key)


def redact_text(text: str) -> str:
    """Free text with credentials replaced by ``[REDACTED]``."""
    if not text:
        return text
    if _TRIGGER.search(text) is None:
        return text
    text = _URL_PASSWORD.sub(rf"\g<scheme>:{REDACTED}@", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with sensitive keys' values and credentials in strings replaced."""
    if _depth > _MAX_DEPTH:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            key: (REDACTED if is_sensitive_key(key) and item else redact(item, _depth + 1))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item, _depth + 1) for item in value]
    if isinstance(value, tuple):
        return tuple(redact(item, _depth + 1) for item in value)
    return value
