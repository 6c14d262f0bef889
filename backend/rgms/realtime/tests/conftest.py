"""Wiring for the consumer tests: the deployed ASGI application, a clean in-memory channel
layer per test, tokens, and sockets that are always disconnected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.settings import api_settings

from config.asgi import application
from rgms.users.models import User

TIMEOUT = 3


def token_class() -> Any:
    """The access token class the API is configured with (it may add claims of its own)."""
    return api_settings.AUTH_TOKEN_CLASSES[0]


def access_token(user: User) -> str:
    return str(token_class().for_user(user))


@pytest.fixture
async def channel_layer() -> AsyncIterator[Any]:
    layer = get_channel_layer()
    await layer.flush()
    yield layer
    await layer.flush()


Opener = Callable[..., Awaitable[WebsocketCommunicator]]


@pytest.fixture
async def open_socket(channel_layer: Any) -> AsyncIterator[Opener]:
    """open_socket(path, token=None) -> a connected communicator (accepted or refused);
    every socket opened here is disconnected when the test ends."""
    opened: list[WebsocketCommunicator] = []

    async def open_(path: str, token: str | None = None, *, query: str | None = None):
        url = path
        if query is not None:
            url = f"{path}?{query}"
        elif token is not None:
            url = f"{path}?token={token}"
        communicator = WebsocketCommunicator(application, url)
        opened.append(communicator)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected, "the handshake itself must complete; refusals close right after"
        return communicator

    yield open_
    for communicator in opened:
        await communicator.disconnect(timeout=TIMEOUT)


async def assert_refused(communicator: WebsocketCommunicator, code: int) -> None:
    """The first (and only) thing the server sends is a close with `code`."""
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output == {"type": "websocket.close", "code": code}


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return await communicator.receive_json_from(timeout=TIMEOUT)
