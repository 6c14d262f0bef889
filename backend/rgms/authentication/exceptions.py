"""Errors of the authentication flows; rgms.api.exceptions turns them into the one error body."""

from __future__ import annotations

from rest_framework.exceptions import AuthenticationFailed, Throttled

from rgms.core.exceptions import ApplicationError


class TokenRefused(AuthenticationFailed):
    """A token refused (401). DRF's AuthenticationFailed with a plain message, so that the error
    body carries it (simplejwt's own exceptions wrap the message in a dict)."""

    default_code = "token_not_valid"
    default_detail = "Token is invalid or expired."


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(
            "Invalid username or password. If you have not set a password on the new system "
            "yet, ask for a password reset link."
        )


class AmbiguousLogin(ApplicationError):
    status_code = 400
    code = "ambiguous_login"

    def __init__(self) -> None:
        super().__init__(
            "Several accounts share this email address; log in with your username instead.",
            errors={"username": ["Several accounts share this email address; use the username."]},
        )


class AccountArchived(ApplicationError):
    status_code = 403
    code = "account_archived"

    def __init__(self) -> None:
        super().__init__("This account is archived. Ask an administrator to restore it.")


class AccountPendingApproval(ApplicationError):
    status_code = 403
    code = "account_pending_approval"

    def __init__(self) -> None:
        super().__init__("This account is pending approval by an administrator.")


class InvalidResetToken(ApplicationError):
    status_code = 400
    code = "invalid_reset_token"

    def __init__(self) -> None:
        super().__init__(
            "This password reset link is invalid, already used or expired; ask for a new one.",
            errors={"token": ["Invalid, used or expired."]},
        )


class WrongPassword(ApplicationError):
    status_code = 400
    code = "invalid_password"

    def __init__(self) -> None:
        super().__init__(
            "The current password is wrong.", errors={"old_password": ["Wrong password."]}
        )


class LoginLocked(Throttled):
    """429 with Retry-After (DRF sets the header from ``wait``)."""

    default_code = "login_locked"

    def __init__(self, wait: int) -> None:
        super().__init__(
            wait=wait,
            detail="Too many failed login attempts. Try again later.",
            code="login_locked",
        )
