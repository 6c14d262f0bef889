"""JWT authentication for websockets: the token comes in the `token` query parameter and is
checked with the same key and rules as the REST API. The socket's user is the token's user."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError


@database_sync_to_async
def user_for_token(raw: str) -> Any:
    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(raw.encode())
        return auth.get_user(validated)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None


class JWTQueryStringAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode())
        token = (query.get("token") or [""])[0]
        scope["user"] = await user_for_token(token) if token else None
        return await super().__call__(scope, receive, send)
