"""The user behind an access token, from the read cache instead of a query per request.

Every authenticated request looks its user up by the token's user id (the account may have
been archived, demoted or given a new password since the token was issued). That lookup was
the one database query of a cached read and about a third of its CPU. It now goes through the
read cache under the namespace ``user:<id>``, which is dropped whenever the row changes:

- ``save()`` and ``delete()``, including deletes cascading from a cadet or staff record (the
  ``post_save`` / ``post_delete`` receivers below);
- ``User.objects.filter(...).update(...)`` (:class:`UserQuerySet` drops the rows it matched).

Each is dropped at once and again on commit (``rgms.core.cache.invalidate(now=True)``), so a
change is seen by the very next lookup and never undone by a reader that raced the commit.
Writes that bypass the ORM (the cutover importer's SQL) are bounded by the cache timeout.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac

from rgms.core import cache


def user_namespace(user_id: int) -> str:
    return f"user:{user_id}"


def users_forget(user_ids: Iterable[int]) -> None:
    namespaces = [user_namespace(pk) for pk in user_ids]
    if namespaces:
        cache.invalidate(*namespaces, now=True)


def signing_key_id() -> str:
    """A short fingerprint of SECRET_KEY, part of the cached entry's key.

    The stored password fingerprint is keyed by SECRET_KEY: after the key is rotated, an
    entry made under the old key would refuse every new token as "password changed" until
    it expired. Under the new key the entry is simply not found."""
    return _key_fingerprint(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)  # computed once per key, not on every request
def _key_fingerprint(secret_key: str) -> str:
    return salted_hmac("rgms.users.caching.signing_key_id", "", secret=secret_key).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TokenUser:
    """What a token check needs of a user: the row, and the fingerprint of its password."""

    user: Any
    password_version: str


def user_by_id(user_id: int) -> TokenUser:
    """The user row with this id as of its last change (``User.DoesNotExist`` if none).

    The password hash never goes to the cache: the row is stored without it (Django then
    treats the field as deferred, so code that checks a password loads it from the database)
    and the token check uses the stored fingerprint instead."""
    from rgms.authentication.tokens import password_version
    from rgms.users.models import User

    def build() -> TokenUser:
        user = User.objects.get(pk=user_id)
        version = password_version(user)
        del user.__dict__["password"]
        return TokenUser(user=user, password_version=version)

    return cache.get_or_build(
        [user_namespace(user_id)], ["row", signing_key_id()], build, counted=False
    )


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        user_ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        users_forget(user_ids)
        return updated


def forget_saved_or_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    users_forget([instance.pk])
