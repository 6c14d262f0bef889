"""Authentication flows: login, token refresh / verify / logout, password change and reset.

Every security event is written to the audit log (table_name "auth") with the client IP:
login_succeeded, login_failed, login_locked, login_refused, logout, password_changed,
password_reset_issued, password_reset_requested, password_reset_completed.
Passwords are used exactly as typed: never stripped, never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import (
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import ValidationError
from rest_framework_simplejwt.exceptions import TokenError

from rgms.audit.services import audit_record
from rgms.authentication import throttle
from rgms.authentication.backends import token_error_message, user_token_refusal
from rgms.authentication.exceptions import (
    AccountArchived,
    AccountPendingApproval,
    AmbiguousLogin,
    InvalidCredentials,
    InvalidResetToken,
    LoginLocked,
    TokenRefused,
    WrongPassword,
)
from rgms.authentication.tokens import (
    AccessToken,
    RefreshToken,
    TokenPair,
    refresh_tokens_revoke_all,
    token_pair_for_user,
    user_id_from_claim,
)
from rgms.core.exceptions import ApplicationError
from rgms.users.models import Role, User

logger = logging.getLogger(__name__)

AUDIT_TABLE = "auth"
password_reset_token_generator = PasswordResetTokenGenerator()


def _audit(
    operation: str,
    *,
    ip: str | None,
    user_id: int | None = None,
    record_id: int | None = None,
    **payload: Any,
) -> None:
    audit_record(
        table_name=AUDIT_TABLE,
        operation=operation,
        record_id=record_id if record_id is not None else user_id,
        user_id=user_id,
        payload=payload or None,
        ip_address=ip,
    )


# LOGIN
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User
    tokens: TokenPair


def user_for_login_identifier(identifier: str) -> User | None:
    """The account a login names: its username (exactly as stored), else its email (any case).

    Raises AmbiguousLogin when several accounts share the email (the legacy schema allows it).
    """
    candidates = [identifier]
    if identifier.strip() != identifier:
        candidates.append(identifier.strip())  # a keyboard's trailing space, not a password
    for name in candidates:
        user = User.objects.filter(username=name).first()
        if user is not None:
            return user
    email = identifier.strip()
    if "@" not in email:
        return None
    matches = list(User.objects.filter(email__iexact=email).order_by("pk")[:3])
    active = [user for user in matches if not user.is_archived] or matches
    if len(active) > 1:
        raise AmbiguousLogin()
    return active[0] if active else None


@cache
def _dummy_encoded_password(algorithm: str, cost: object) -> str:
    return make_password(get_random_string(32), hasher=algorithm)


def _spend_password_time(password: str) -> None:
    """Hash as a real check would, so that timing does not tell which accounts exist."""
    hasher = get_hasher("default")
    cost = (getattr(hasher, "rounds", None), getattr(hasher, "iterations", None))
    check_password(password, _dummy_encoded_password(hasher.algorithm, cost))


def _verify_password(user: User, password: str) -> bool:
    """user.check_password, which also re-hashes with the preferred hasher on success; a
    malformed stored hash is a failed login, never a server error."""
    usable = user.has_usable_password()
    if usable:
        try:
            identify_hasher(user.password)
        except ValueError:  # no configured hasher knows the stored value
            usable = False
    if not usable:
        _spend_password_time(password)
        return False
    try:
        return user.check_password(password)
    except (ValueError, TypeError, IndexError):
        logger.warning("Stored password of user %s is malformed", user.pk)
        return False


def _login_subject(user: User | None, identifier: str) -> str:
    return f"user:{user.pk}" if user is not None else f"name:{identifier.strip().casefold()}"


def _login_failed(
    *, ip: str | None, identifier: str, subject: str, user: User | None, reason: str
) -> None:
    counted = throttle.login_failure_record(ip=ip, subject=subject)
    user_id = user.pk if user is not None else None
    _audit(
        "login_failed",
        ip=ip,
        user_id=user_id,
        username=identifier,
        reason=reason,
        failures=counted.subject_failures,
        ip_failures=counted.ip_failures,
    )
    for scope, reached in (("username", counted.subject_locked_now), ("ip", counted.ip_locked_now)):
        if reached:
            _audit(
                "login_locked",
                ip=ip,
                user_id=user_id,
                username=identifier,
                scope=scope,
                window_seconds=throttle.login_ip_window(ip=ip).seconds,
            )


def auth_login(*, identifier: str, password: str, ip: str | None) -> LoginResult:
    """Check a username-or-email and password; tokens for an approved, unarchived account.

    Order matters: the lockout is checked before the password (a locked pair gets 429 even
    with the right password); account state is revealed only to whoever knows the password.
    """
    try:
        user = user_for_login_identifier(identifier)
    except AmbiguousLogin:
        subject = _login_subject(None, identifier)
        _raise_if_locked(ip=ip, subject=subject)
        _login_failed(ip=ip, identifier=identifier, subject=subject, user=None, reason="ambiguous")
        raise
    subject = _login_subject(user, identifier)
    _raise_if_locked(ip=ip, subject=subject)

    if user is None:
        _spend_password_time(password)
        _login_failed(
            ip=ip, identifier=identifier, subject=subject, user=None, reason="unknown_user"
        )
        raise InvalidCredentials()
    if not _verify_password(user, password):
        reason = "bad_password" if user.has_usable_password() else "no_usable_password"
        _login_failed(ip=ip, identifier=identifier, subject=subject, user=user, reason=reason)
        raise InvalidCredentials()

    if user.is_archived or not user.is_approved:
        state = "archived" if user.is_archived else "pending_approval"
        _audit("login_refused", ip=ip, user_id=user.pk, username=identifier, reason=state)
        raise AccountArchived() if user.is_archived else AccountPendingApproval()

    throttle.login_failures_clear(ip=ip, subject=subject)
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=now, last_seen=now)
    user.last_login = user.last_seen = now
    tokens = token_pair_for_user(user)
    _audit("login_succeeded", ip=ip, user_id=user.pk, username=user.username)
    return LoginResult(user=user, tokens=tokens)


def _raise_if_locked(*, ip: str | None, subject: str) -> None:
    lockout = throttle.login_lockout(ip=ip, subject=subject)
    if lockout is not None:
        raise LoginLocked(wait=lockout.retry_after)


def profile_completed(user: User) -> bool:
    """Legacy isProfileCompleted: the linked cadet's or staff member's flag; admins have none."""
    if user.role == Role.CADET:
        return bool(user.cadet and user.cadet.is_profile_completed)
    if user.role == Role.TRAINING_STAFF:
        return bool(user.staff and user.staff.is_profile_completed)
    return True


# TOKENS
# ------------------------------------------------------------------------------


def _active_user_for_token(
    token: AccessToken | RefreshToken, *, allow_role_change: bool = False
) -> User:
    user = User.objects.filter(pk=token.user_id).first()
    if user is None:
        raise TokenRefused("User not found.", code="user_not_found")
    refusal = user_token_refusal(user, token)
    if refusal is not None and not (allow_role_change and refusal.get_codes() == "role_changed"):
        raise refusal
    return user


def _refresh_token(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise TokenRefused(token_error_message(exc)) from exc


def auth_refresh(*, refresh: str) -> TokenPair:
    """Rotate: the given refresh token is blacklisted and a new pair issued (with the user's
    current role). A refresh token can be used once; a second use is refused."""
    token = _refresh_token(refresh)
    user = _active_user_for_token(token, allow_role_change=True)
    # get_or_create on the one-to-one: of two concurrent rotations of one token, one creates.
    _, created = token.blacklist()  # type: ignore[misc]
    if not created:  # another request rotated it first
        raise TokenRefused("Token is blacklisted.")
    return token_pair_for_user(user)


def auth_logout(*, refresh: str, all_sessions: bool, ip: str | None) -> None:
    """Blacklist the refresh token (or every outstanding one of its user)."""
    token = _refresh_token(refresh)
    user = User.objects.filter(pk=token.user_id).first()
    token.blacklist()
    revoked = 1
    if all_sessions and user is not None:
        revoked += refresh_tokens_revoke_all(user)
    _audit(
        "logout",
        ip=ip,
        user_id=user.pk if user else None,
        all_sessions=all_sessions,
        revoked=revoked,
    )


@dataclass(frozen=True)
class VerifiedToken:
    token_type: str
    user_id: int
    expires_at: datetime


def auth_verify(*, token: str) -> VerifiedToken:
    """Whether a token (access or refresh) would be accepted now, and for whom."""
    validated: AccessToken | RefreshToken
    try:
        validated = AccessToken(token)  # type: ignore[arg-type]
    except TokenError:
        validated = _refresh_token(token)
    _active_user_for_token(validated)
    return VerifiedToken(
        token_type=validated["token_type"],
        user_id=validated.user_id,
        expires_at=datetime.fromtimestamp(validated["exp"], tz=UTC),
    )


# PASSWORDS
# ------------------------------------------------------------------------------


def _validated_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc


def _set_password(user: User, password: str) -> None:
    """Store a new password and retire every token issued before (refresh tokens blacklisted;
    access tokens fail the password-version check)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user)


def password_change(
    *, user: User, old_password: str, new_password: str, ip: str | None
) -> TokenPair:
    subject = _login_subject(user, user.username)
    _raise_if_locked(ip=ip, subject=subject)
    if not _verify_password(user, old_password):
        _login_failed(
            ip=ip, identifier=user.username, subject=subject, user=user, reason="password_change"
        )
        raise WrongPassword()
    _validated_new_password(new_password, user)
    _set_password(user, new_password)
    _audit("password_changed", ip=ip, user_id=user.pk)
    return token_pair_for_user(user)


def password_reset_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_url(*, uid: str, token: str) -> str:
    query = urlencode({"uid": uid, "token": token})
    return f"{settings.FRONTEND_URL.rstrip('/')}{settings.PASSWORD_RESET_PATH}?{query}"


@dataclass(frozen=True)
class IssuedReset:
    user: User
    uid: str
    token: str
    url: str
    expires_at: datetime
    email_queued: bool


def password_reset_issue(
    *, target: User, issued_by: User, send_email: bool, ip: str | None
) -> IssuedReset:
    """An admin-issued one-time reset link (the way in for accounts migrated without a usable
    password). Valid until PASSWORD_RESET_TIMEOUT passes, the password changes or the user
    logs in."""
    if target.is_archived:
        raise ApplicationError(
            "This account is archived; restore it before resetting its password."
        )
    uid = password_reset_uid(target)
    token = password_reset_token_generator.make_token(target)
    email_queued = bool(send_email and target.email)
    if email_queued:
        _queue_reset_email(target)
    _audit(
        "password_reset_issued",
        ip=ip,
        user_id=issued_by.pk,
        record_id=target.pk,
        target_user_id=target.pk,
        email_queued=email_queued,
    )
    return IssuedReset(
        user=target,
        uid=uid,
        token=token,
        url=password_reset_url(uid=uid, token=token),
        expires_at=timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        email_queued=email_queued,
    )


def password_reset_request(*, identifier: str, ip: str | None) -> None:
    """Email a reset link to the account(s) a username or email names, if any. The caller
    answers the same whatever happens here (no user enumeration)."""
    identifier = identifier.strip()
    if not identifier or not throttle.password_reset_request_allowed(ip=ip, identifier=identifier):
        logger.warning("Password reset request throttled or empty")
        return
    users = list(
        User.objects.filter(username=identifier, is_archived=False)
        .exclude(email__isnull=True)
        .exclude(email="")
    )
    if not users and "@" in identifier:
        users = list(User.objects.filter(email__iexact=identifier, is_archived=False)[:10])
    for user in users:
        _queue_reset_email(user)
    _audit(
        "password_reset_requested",
        ip=ip,
        user_id=users[0].pk if len(users) == 1 else None,
        identifier=identifier,
        accounts=[user.pk for user in users],
    )


def _queue_reset_email(user: User) -> None:
    from rgms.authentication.tasks import password_reset_email_send as send_task

    transaction.on_commit(lambda: send_task.delay(user_id=user.pk))


def password_reset_email_send(*, user: User) -> None:
    """Send the reset link (called by the worker task, so that the request's timing tells
    nothing)."""
    uid = password_reset_uid(user)
    token = password_reset_token_generator.make_token(user)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = (
        f"Hello {user.username},\n\n"
        "A password reset was requested for your RGMS account. To choose a new password, "
        f"open this link within {hours} hours:\n\n{password_reset_url(uid=uid, token=token)}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password "
        "stays as it is.\n"
    )
    send_mail(
        subject="RGMS password reset",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def _user_for_reset(uid: str, token: str) -> User:
    try:
        pk = user_id_from_claim(urlsafe_base64_decode(uid).decode("ascii"))
    except (ValueError, TypeError, UnicodeDecodeError, TokenError) as exc:
        raise InvalidResetToken() from exc
    user = User.objects.filter(pk=pk, is_archived=False).first()
    if user is None or not password_reset_token_generator.check_token(user, token):
        raise InvalidResetToken()
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str, ip: str | None) -> User:
    """Set the password a valid reset link allows; the link is spent (its hash covers the
    stored password), and the account's failed-login count from this IP is forgotten."""
    user = _user_for_reset(uid, token)
    _validated_new_password(new_password, user)
    _set_password(user, new_password)
    throttle.login_failures_clear(ip=ip, subject=_login_subject(user, user.username))
    _audit("password_reset_completed", ip=ip, user_id=user.pk)
    return user
