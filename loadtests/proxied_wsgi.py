"""The production WSGI application as it sits behind Render's proxy, for local load runs.

On Render a TLS-terminating proxy forwards every request with ``X-Forwarded-Proto: https``, and
the production settings (``SECURE_PROXY_SSL_HEADER``, ``SECURE_SSL_REDIRECT``) rely on it. On
127.0.0.1 nothing terminates TLS, so without the header every request would be answered with a
redirect. ``python -m loadtests.run`` serves ``loadtests.proxied_wsgi:application`` under
unmodified ``config.settings.production``; this wrapper adds the header the proxy would add
(a header a client sends itself is kept, as the proxy would keep appending to it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from config.wsgi import application as _django_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    environ.setdefault("HTTP_X_FORWARDED_PROTO", "https")
    return _django_application(environ, start_response)
