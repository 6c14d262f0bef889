"""JWT authentication for websockets: the token comes in the `token` query parameter and is
checked with the same key and rules as the REST API. The socket's user is the token's user.

"The same rules" is meant literally: the token goes through the REST API's own JWT
authentication class (the first JWTAuthentication subclass in REST_FRAMEWORK's
DEFAULT_AUTHENTICATION_CLASSES), so a stricter class installed for the API applies here too.
On top of it the socket refuses a token whose jti is on simplejwt's blacklist, and a user who
is archived or not approved.

The middleware never refuses by itself: it sets ``scope["user"]`` (None when refused) and
``scope["auth_error"]`` (why), and the consumers close with 4401. The token is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.settings import api_settings as drf_settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

logger = logging.getLogger(__name__)

# A real access token is a few hundred characters; anything much longer is not one.
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class TokenCheck:
    user: Any | None
    error: str | None


def _authentication_class() -> type[JWTAuthentication]:
    for cls in drf_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if isinstance(cls, type) and issubclass(cls, JWTAuthentication):
            return cls
    return JWTAuthentication


def token_from_query(query_string: bytes) -> str:
    try:
        query = parse_qs(query_string.decode("latin-1"), max_num_fields=20)
    except ValueError:
        return ""
    return (query.get("token") or [""])[0].strip()


def check_token(raw: str) -> TokenCheck:
    """Validate an access token exactly as the REST API would, then the realtime extras."""
    if not raw:
        return TokenCheck(None, "missing")
    if len(raw) > MAX_TOKEN_LENGTH:
        return TokenCheck(None, "invalid")
    header_type = jwt_settings.AUTH_HEADER_TYPES[0]
    http_request = HttpRequest()
    http_request.META[jwt_settings.AUTH_HEADER_NAME] = f"{header_type} {raw}"
    auth = _authentication_class()()
    try:
        result = auth.authenticate(Request(http_request))
    except (InvalidToken, TokenError, AuthenticationFailed) as exc:
        return TokenCheck(None, _reason(exc))
    if result is None:
        return TokenCheck(None, "invalid")
    user, validated = result
    jti = validated.get(jwt_settings.JTI_CLAIM)
    if jti and BlacklistedToken.objects.filter(token__jti=jti).exists():
        return TokenCheck(None, "blacklisted")
    if getattr(user, "is_archived", False) or not getattr(user, "is_active", True):
        return TokenCheck(None, "inactive")
    if not getattr(user, "is_approved", True):
        return TokenCheck(None, "unapproved")
    return TokenCheck(user, None)


# Refusal codes of the authentication class, as the reasons logged here.
_REASONS = {
    "user_not_found": "unknown_user",
    "user_inactive": "inactive",
    "account_archived": "inactive",
    "account_pending_approval": "unapproved",
}
_GENERIC_CODES = {"", "token_not_valid", "authentication_failed", "bad_authorization_header"}


def _reason(exc: Exception) -> str:
    """A short, loggable reason (never the token): expired, invalid, unknown_user, inactive,
    unapproved, or the authentication class's own code (role_changed, password_changed...)."""
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):  # simplejwt's exceptions: {"detail": ..., "code": ...}
        code = str(detail.get("code", ""))
    else:  # DRF's: an ErrorDetail carrying its code
        code = str(getattr(detail, "code", "") or "")
    if code in _REASONS:
        return _REASONS[code]
    if code not in _GENERIC_CODES:
        return code
    if "expired" in str(detail if detail is not None else exc).lower():
        return "expired"
    return "invalid"


user_for_token = database_sync_to_async(check_token)


class JWTQueryStringAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        scope = dict(scope)
        result = await user_for_token(token_from_query(scope.get("query_string", b"")))
        scope["user"] = result.user
        scope["auth_error"] = result.error
        if result.error:
            client = scope.get("client") or ("?", 0)
            logger.info(
                "websocket %s refused: %s (client %s)", scope.get("path"), result.error, client[0]
            )
        return await super().__call__(scope, receive, send)
