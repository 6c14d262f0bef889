"""The client's IP address behind Render's proxy, as used by the login limit and the audit log.

Render's proxy APPENDS the address it received the connection from as the LAST entry of
X-Forwarded-For; whatever comes before it was sent by the client and can be forged. With
``TRUSTED_PROXY_COUNT`` proxies in front of the app (1 on Render), the client is the entry that
many places from the end. With 0, or when the header is missing, short or malformed, the
socket's REMOTE_ADDR is used. Never the first entry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

DEFAULT_TRUSTED_PROXY_COUNT = 1


def _normalised(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:5000"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip_from_meta(
    meta: Mapping[str, Any], *, trusted_proxies: int | None = None
) -> str | None:
    """The client address from a WSGI environ / ``request.META``."""
    if trusted_proxies is None:
        trusted_proxies = getattr(settings, "TRUSTED_PROXY_COUNT", DEFAULT_TRUSTED_PROXY_COUNT)
    remote = _normalised(str(meta.get("REMOTE_ADDR") or ""))
    if trusted_proxies <= 0:
        return remote
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < trusted_proxies:
        return remote
    return _normalised(entries[-trusted_proxies]) or remote


def client_ip(request: HttpRequest) -> str | None:
    """The client address of a request (see the module docstring for the rule)."""
    return client_ip_from_meta(request.META)
