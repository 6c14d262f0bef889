"""The RGMS access/refresh token pair (simplejwt, HS256, the one shared SIGNING_KEY).

Claims: simplejwt's ``token_type``, ``exp``, ``iat``, ``jti`` and ``user_id``, plus ``role``,
``cadet_id`` and ``staff_id`` (what the legacy token carried) and ``pwv``, a keyed fingerprint
of the stored password hash: changing or resetting the password changes it, which retires every
token issued before (an HMAC under SECRET_KEY, unlike simplejwt's unkeyed MD5 of the hash).

Every token must carry all of :data:`REQUIRED_CLAIMS`; a token lacking one is refused, so mint
tokens with :func:`token_pair_for_user` / :func:`access_token_for_user`, never with simplejwt's
own ``RefreshToken.for_user``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.utils.crypto import salted_hmac
from rest_framework_simplejwt import tokens as simplejwt_tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch, datetime_to_epoch

from rgms.users.models import Role, User

ROLE_CLAIM = "role"
PASSWORD_VERSION_CLAIM = "pwv"  # noqa: S105 (a claim name, not a secret)
REQUIRED_CLAIMS = ("token_type", "exp", "iat", "jti", "user_id", ROLE_CLAIM, PASSWORD_VERSION_CLAIM)
_MAX_USER_ID = 2**63 - 1
_ROLES = frozenset(Role.values)  # Role.values builds a new list on every use: a quarter of a check


def password_version(user: User) -> str:
    """A keyed fingerprint of the user's stored password hash (changes when the password does)."""
    digest = salted_hmac(
        "rgms.authentication.tokens.password_version", user.password, algorithm="sha256"
    )
    return digest.hexdigest()[:32]


def user_id_from_claim(value: Any) -> int:
    """The user id a token names; TokenError unless it is a positive integer (or its digits)."""
    if isinstance(value, bool):
        raise TokenError("Token has an invalid user id")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= _MAX_USER_ID:
        raise TokenError("Token has an invalid user id")
    return value


class _ClaimsMixin:
    payload: dict[str, Any]
    current_time: datetime

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        try:
            super().__init__(token, verify=verify)  # type: ignore[call-arg]
        except TokenError:
            raise
        except (OverflowError, ValueError, TypeError, OSError) as exc:
            # PyJWT and simplejwt assume sane claim values (an exp of 1e400 overflows int()):
            # whatever a signed-but-absurd token breaks, it is an invalid token, not a 500.
            raise TokenError("Token is invalid") from exc

    def verify(self) -> None:
        # Shape first: simplejwt's own checks index some claims and would fail with KeyError.
        missing = [claim for claim in REQUIRED_CLAIMS if claim not in self.payload]
        if missing:
            raise TokenError(f"Token lacks required claims: {', '.join(missing)}")
        jti = self.payload[api_settings.JTI_CLAIM]
        if not isinstance(jti, str) or not jti:
            raise TokenError("Token has an invalid id")
        user_id_from_claim(self.payload[api_settings.USER_ID_CLAIM])
        if self.payload[ROLE_CLAIM] not in _ROLES:
            raise TokenError("Token has an invalid role")
        if not isinstance(self.payload[PASSWORD_VERSION_CLAIM], str):
            raise TokenError("Token has an invalid password version")
        for claim in ("iat", "exp"):
            value = self.payload[claim]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TokenError(f"Token has an invalid '{claim}' claim")
        if self.payload["iat"] > datetime_to_epoch(self.current_time):
            raise TokenError("Token was issued in the future")
        super().verify()  # type: ignore[misc]  # exp, token_type, blacklist

    @property
    def user_id(self) -> int:
        return user_id_from_claim(self.payload[api_settings.USER_ID_CLAIM])


def _stamp(token: simplejwt_tokens.Token, user: User) -> None:
    token[api_settings.USER_ID_CLAIM] = str(user.pk)
    token[ROLE_CLAIM] = user.role
    token["cadet_id"] = user.cadet_id
    token["staff_id"] = user.staff_id
    token[PASSWORD_VERSION_CLAIM] = password_version(user)


@functools.lru_cache(maxsize=4096)
def _signature_checked(backend: TokenBackend, token: str | bytes) -> MappingProxyType:
    # Only tokens that decode are remembered (lru_cache keeps no exceptions), and only our
    # own signed tokens decode, so a flood of forged tokens cannot fill it.
    return MappingProxyType(backend.decode(token, verify=True))


class _RememberingBackend:
    """simplejwt's token backend, checking each access token's signature once per process.

    PyJWT's decode (base64, key preparation, HMAC and its claim checks, all in Python) was
    about 0.4 M of a cached read's 3.1 M instructions (``api_cpu --instructions``); a token
    check costs 0.05 ms of CPU instead of 0.17 on the benchmark VM. The payload of a token
    that decoded is remembered, keyed by the exact token and by the backend (so by its
    signing key). Every use still runs every claim check (``_ClaimsMixin.verify``) and the
    user checks. A remembered token whose ``exp`` has passed goes through the full decode
    again, so it is refused exactly as before."""

    def __init__(self, backend: TokenBackend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def decode(self, token: str | bytes, verify: bool = True) -> dict[str, Any]:
        if verify:
            payload = _signature_checked(self._backend, token)
            expires = payload.get("exp")
            if isinstance(expires, int | float) and time.time() < expires:
                return dict(payload)  # a copy: a caller may set claims on its token
        return self._backend.decode(token, verify=verify)


class AccessToken(_ClaimsMixin, simplejwt_tokens.AccessToken):
    @property
    def token_backend(self) -> _RememberingBackend:  # type: ignore[override]
        return _RememberingBackend(super().token_backend)

    @classmethod
    def for_user(cls, user: User) -> AccessToken:  # type: ignore[override]
        token = cls()
        _stamp(token, user)
        return token


class RefreshToken(_ClaimsMixin, simplejwt_tokens.RefreshToken):
    access_token_class = AccessToken

    @classmethod
    def for_user(cls, user: User) -> RefreshToken:  # type: ignore[override]
        """A new refresh token, recorded as outstanding (so that it can be blacklisted)."""
        token = cls()
        _stamp(token, user)
        OutstandingToken.objects.create(
            user=user,
            jti=token[api_settings.JTI_CLAIM],
            token=str(token),
            created_at=token.current_time,
            expires_at=datetime_from_epoch(token["exp"]),
        )
        return token


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def token_pair_for_user(user: User) -> TokenPair:
    """A fresh access/refresh pair for a user who has just proven who they are."""
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def access_token_for_user(user: User) -> str:
    """A signed access token alone (no database write): tests, tools, websocket clients."""
    return str(AccessToken.for_user(user))


def refresh_tokens_revoke_all(user: User) -> int:
    """Blacklist every outstanding refresh token of a user; the number newly blacklisted."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(created)
