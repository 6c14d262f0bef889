"""Property: a protected endpoint accepts exactly the tokens RGMS issues, and nothing else.

Every generated token goes to GET /api/v1/auth/me through DRF's test client; whatever is wrong
with it (expired, another key, altered header/payload/signature, alg none or another algorithm,
a claim missing or malformed, a refresh token, a user archived/unapproved/gone, garbage), the
answer is 401 with the one error body, never 200, 403 or 500. Valid tokens of each role get 200
for their own user.

Tokens are built and signed in-process (HMAC by hand, RSA/EC through PyJWT); the users are
created once per test, outside the generated loop. The number of examples scales with the
Hypothesis profile: ``CASES_PER_TEST`` = 12 x the profile's max_examples, over 9 generated
tests, so the ``ci`` profile (100) runs 10,800 generated cases; ``dev`` (30) runs 3,240. The
total actually run is printed in the terminal summary ("token property cases").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings as django_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from rgms.authentication.tests import property_budget
from rgms.authentication.tokens import REQUIRED_CLAIMS, password_version
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
ROLES = (Role.ADMIN, Role.TRAINING_STAFF, Role.CADET)
CASES_PER_TEST = max(100, settings.default.max_examples * 12)
ACCESS_LIFETIME = 15 * 60
LEGACY_SECRET = "rotc_super_secret_key"  # the legacy backend's published fallback secret

property_settings = settings(
    max_examples=CASES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


# TOKEN BUILDING
# ------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def segment(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def hmac_token(header: dict, payload: dict, key: bytes, digest: Any = hashlib.sha256) -> str:
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = hmac.new(key, signing_input.encode("ascii"), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def secret() -> bytes:
    return django_settings.SIMPLE_JWT["SIGNING_KEY"].encode()


def claims(user: User, *, now: int | None = None, **overrides: Any) -> dict[str, Any]:
    """The claims RGMS puts in an access token for this user."""
    now = int(time.time()) if now is None else now
    payload: dict[str, Any] = {
        "token_type": "access",
        "exp": now + ACCESS_LIFETIME,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": str(user.pk),
        "role": user.role,
        "cadet_id": user.cadet_id,
        "staff_id": user.staff_id,
        "pwv": password_version(user),
    }
    payload.update(overrides)
    return payload


def signed(payload: dict, header: dict | None = None) -> str:
    return hmac_token(header or {"alg": "HS256", "typ": "JWT"}, payload, secret())


# FIXTURES
# ------------------------------------------------------------------------------


def _user(username: str, role: str, **fields: Any) -> User:
    # A stored password hash without hashing (the pwv claim only needs a value).
    return User.objects.create(
        username=username, role=role, password=f"md5$salt${username}", **fields
    )


@pytest.fixture
def users(db: None) -> dict[str, User]:
    made = {role: _user(f"p-{role}", role, is_approved=True) for role in ROLES}
    made["archived"] = _user("p-archived", Role.CADET, is_approved=True, is_archived=True)
    made["unapproved"] = _user("p-unapproved", Role.CADET, is_approved=False)
    return made


@pytest.fixture
def me() -> Iterator[Any]:
    """GET /me with an Authorization header; 401 warnings are silenced (thousands of them)."""
    client = APIClient()

    def get(token: str, scheme: str = "Bearer") -> Any:
        property_budget.count_case()
        return client.get(ME, HTTP_AUTHORIZATION=f"{scheme} {token}")

    logging.disable(logging.WARNING)
    try:
        yield get
    finally:
        logging.disable(logging.NOTSET)


def assert_refused(response: Any) -> None:
    assert response.status_code == 401, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


roles = st.sampled_from(ROLES)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


# PROPERTIES
# ------------------------------------------------------------------------------


@property_settings
@given(
    role=roles,
    seconds_past_expiry=st.one_of(st.integers(0, 120), st.integers(0, 10**9)),
    lifetime=st.integers(1, 10**7),
)
def test_expired_tokens_are_refused(
    users: dict, me: Any, role: str, seconds_past_expiry: int, lifetime: int
) -> None:
    # given a correctly signed token whose exp has passed
    exp = int(time.time()) - seconds_past_expiry
    token = signed(claims(users[role], exp=exp, iat=exp - lifetime))
    # then
    assert_refused(me(token))


@property_settings
@given(
    role=roles,
    key=st.one_of(
        st.binary(max_size=96),
        st.text(max_size=80).map(str.encode),
        st.just(LEGACY_SECRET.encode()),
    ),
)
@example(role=Role.ADMIN, key=LEGACY_SECRET.encode())
@example(role=Role.ADMIN, key=b"")
def test_tokens_signed_with_another_key_are_refused(
    users: dict, me: Any, role: str, key: bytes
) -> None:
    # given a token with perfect claims, signed with some other key
    if key == secret():
        return
    token = hmac_token({"alg": "HS256", "typ": "JWT"}, claims(users[role]), key)
    # then
    assert_refused(me(token))


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@st.composite
def altered_tokens(draw: st.DrawFn, user: User) -> str:
    """A correctly signed token with one of its three parts altered afterwards."""
    header_segment, payload_segment, signature_segment = signed(claims(user)).split(".")
    part = draw(st.sampled_from(["header", "payload", "signature"]))
    how = draw(st.sampled_from(["json", "chars"]) if part != "signature" else st.just("bytes"))
    if how == "json":
        original = json.loads(unb64(header_segment if part == "header" else payload_segment))
        key = draw(st.sampled_from([*original, "kid", "x"]))
        value = draw(json_values)
        if original.get(key, object()) == value:
            value = [value]
        changed = segment({**original, key: value})
        if part == "header":
            header_segment = changed
        else:
            payload_segment = changed
    elif how == "chars":
        target = header_segment if part == "header" else payload_segment
        index = draw(st.integers(0, len(target) - 1))
        replacement = draw(st.sampled_from(B64URL).filter(lambda c: c != target[index]))
        changed = target[:index] + replacement + target[index + 1 :]
        if draw(st.booleans()):
            changed += draw(st.text(B64URL, min_size=1, max_size=4))
        if part == "header":
            header_segment = changed
        else:
            payload_segment = changed
    else:
        signature = bytearray(unb64(signature_segment))
        mode = draw(st.sampled_from(["flip", "truncate", "extend", "replace"]))
        if mode == "flip":
            index = draw(st.integers(0, len(signature) - 1))
            signature[index] ^= draw(st.integers(1, 255))
        elif mode == "truncate":
            signature = signature[: draw(st.integers(0, len(signature) - 1))]
        elif mode == "extend":
            signature += draw(st.binary(min_size=1, max_size=8))
        else:
            fresh = draw(st.binary(min_size=len(signature), max_size=len(signature)))
            signature = bytearray(fresh if bytes(fresh) != bytes(signature) else b"\0" * 32)
            if bytes(signature) == unb64(signature_segment):
                signature[0] ^= 1
        signature_segment = b64(bytes(signature))
    return f"{header_segment}.{payload_segment}.{signature_segment}"


@property_settings
@given(role=roles, data=st.data())
def test_altered_tokens_are_refused(users: dict, me: Any, role: str, data: st.DataObject) -> None:
    # given a valid token of this role, altered in its header, payload or signature
    token = data.draw(altered_tokens(users[role]))
    # then
    assert_refused(me(token))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("escalate", ["role", "user_id", "exp"])
def test_payload_swaps_keep_the_signature_invalid(
    users: dict, me: Any, role: str, escalate: str
) -> None:
    # given a valid token whose payload is swapped for a more privileged one (signature kept)
    user = users[role]
    header_segment, _, signature_segment = signed(claims(user)).split(".")
    other = users[Role.ADMIN if role != Role.ADMIN else Role.CADET]
    better = {
        "role": {"role": other.role},
        "user_id": {"user_id": str(other.pk)},
        "exp": {"exp": int(time.time()) + 10**6},
    }[escalate]
    token = f"{header_segment}.{segment(claims(user, **better))}.{signature_segment}"
    # then
    assert_refused(me(token))


FOREIGN_ALGORITHMS = [
    "none",
    "None",
    "NONE",
    "HS384",
    "HS512",
    "RS256",
    "RS512",
    "PS256",
    "ES256",
    "RS256-with-hmac",
    "HS256-with-rsa",
    "EdDSA-header",
]


def foreign_token(kind: str, payload: dict, signature: bytes) -> str:
    if kind.lower() == "none":
        header = {"alg": kind, "typ": "JWT"}
        return f"{segment(header)}.{segment(payload)}.{b64(signature)}"
    if kind == "HS384":
        return hmac_token({"alg": "HS384", "typ": "JWT"}, payload, secret(), hashlib.sha384)
    if kind == "HS512":
        return hmac_token({"alg": "HS512", "typ": "JWT"}, payload, secret(), hashlib.sha512)
    if kind in {"RS256", "RS512", "PS256"}:
        return jwt.encode(payload, RSA_KEY, algorithm=kind)
    if kind == "ES256":
        return jwt.encode(payload, EC_KEY, algorithm="ES256")
    if kind == "RS256-with-hmac":  # algorithm confusion: HMAC with the shared key, RS256 header
        return hmac_token({"alg": "RS256", "typ": "JWT"}, payload, secret())
    if kind == "HS256-with-rsa":
        token = jwt.encode(payload, RSA_KEY, algorithm="RS256")
        _, body, rsa_signature = token.split(".")
        return f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{body}.{rsa_signature}"
    header = {"alg": "EdDSA", "typ": "JWT"}
    return f"{segment(header)}.{segment(payload)}.{b64(signature)}"


@property_settings
@given(
    role=roles,
    kind=st.sampled_from(FOREIGN_ALGORITHMS),
    signature=st.binary(max_size=64),
    skew=st.integers(-60, 0),
)
def test_alg_none_and_other_algorithms_are_refused(
    users: dict, me: Any, role: str, kind: str, signature: bytes, skew: int
) -> None:
    # given perfect claims under alg none, another HMAC size, RSA/EC, or a confused header
    payload = claims(users[role], now=int(time.time()) + skew)
    token = foreign_token(kind, payload, signature)
    # then
    assert_refused(me(token))


def _not(value: Any) -> Any:
    return lambda candidate: candidate != value


@st.composite
def broken_claims(draw: st.DrawFn, user: User) -> dict[str, Any]:
    """Correct claims with some required ones removed, or given a wrong value or type."""
    payload = claims(user)
    if draw(st.booleans()):
        for claim in draw(st.sets(st.sampled_from(REQUIRED_CLAIMS), min_size=1)):
            del payload[claim]
        return payload
    claim = draw(st.sampled_from(REQUIRED_CLAIMS))
    wrong = {
        "token_type": json_values.filter(_not("access")),
        "exp": st.one_of(
            json_values.filter(lambda v: isinstance(v, bool) or not isinstance(v, int | float)),
            st.integers(max_value=0).map(lambda offset: int(time.time()) + offset),
        ),
        "iat": st.one_of(
            json_values.filter(lambda v: isinstance(v, bool) or not isinstance(v, int | float)),
            st.integers(min_value=5, max_value=10**12).map(lambda ahead: int(time.time()) + ahead),
        ),
        "jti": st.one_of(st.just(""), json_values.filter(lambda v: not isinstance(v, str))),
        "user_id": st.one_of(
            json_values.filter(lambda v: v not in (user.pk, str(user.pk))),
            st.integers(-(2**70), 0),
            st.integers(2**63, 2**80),
            st.just(f" {user.pk}"),
            st.just(f"{user.pk}.0"),
        ),
        "role": json_values.filter(_not(user.role)),
        "pwv": json_values.filter(_not(payload["pwv"])),
    }[claim]
    payload[claim] = draw(wrong)
    return payload


@property_settings
@given(role=roles, data=st.data())
def test_tokens_lacking_or_breaking_claims_are_refused(
    users: dict, me: Any, role: str, data: st.DataObject
) -> None:
    # given a correctly signed token missing a required claim, or with a wrong one
    token = signed(data.draw(broken_claims(users[role])))
    # then
    assert_refused(me(token))


@property_settings
@given(
    role=roles,
    token_type=st.one_of(
        st.sampled_from(["refresh", "sliding", "untyped", "Access", "ACCESS", "access "]),
        st.text(max_size=12).filter(_not("access")),
    ),
    lifetime=st.integers(60, 7 * 24 * 3600),
)
def test_refresh_and_other_token_types_are_refused_as_access(
    users: dict, me: Any, role: str, token_type: str, lifetime: int
) -> None:
    # given a correctly signed, unexpired token of another type (a refresh token above all)
    now = int(time.time())
    token = signed(claims(users[role], token_type=token_type, exp=now + lifetime))
    # then
    assert_refused(me(token))


@property_settings
@given(
    who=st.sampled_from(["archived", "unapproved", "missing"]),
    missing_id=st.integers(1, 2**63 - 1),
)
def test_tokens_of_archived_unapproved_or_missing_users_are_refused(
    users: dict, me: Any, who: str, missing_id: int
) -> None:
    # given a perfect token of a user who may not (or no longer) use the API
    if who == "missing":
        if User.objects.filter(pk=missing_id).exists():
            return
        ghost = User(pk=missing_id, username="ghost", role=Role.CADET, password="md5$x$y")
        token = signed(claims(ghost))
    else:
        token = signed(claims(users[who]))
    # then
    assert_refused(me(token))


@property_settings
@given(
    raw=st.one_of(
        st.text(st.characters(min_codepoint=33, max_codepoint=255), max_size=300),
        st.lists(st.text(B64URL, max_size=60), min_size=1, max_size=5).map(".".join),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    ),
    scheme=st.sampled_from(["Bearer", "Bearer", "bearer", "JWT", "Token"]),
)
def test_garbage_is_refused(users: dict, me: Any, raw: str, scheme: str) -> None:
    # given anything that is not a token RGMS signed
    response = me(raw, scheme=scheme)
    # then (a header with another scheme is simply no credentials: 401 as well)
    assert_refused(response)


@property_settings
@given(
    role=roles,
    seconds_left=st.integers(5, ACCESS_LIFETIME),
    age=st.integers(0, 10**6),
    extra=st.dictionaries(
        st.text(min_size=1, max_size=8).filter(
            lambda k: k not in {*REQUIRED_CLAIMS, "nbf", "aud", "iss", "sub"}
        ),
        json_values,
        max_size=3,
    ),
)
def test_valid_tokens_of_every_role_are_accepted(
    users: dict, me: Any, role: str, seconds_left: int, age: int, extra: dict
) -> None:
    # given a token RGMS would issue (any remaining lifetime, extra unknown claims ignored)
    user = users[role]
    now = int(time.time())
    token = signed({**extra, **claims(user, exp=now + seconds_left, iat=now - age)})
    # when
    response = me(token)
    # then
    assert response.status_code == 200, response.content[:300]
    assert response.json()["id"] == user.pk
    assert response.json()["role"] == role
