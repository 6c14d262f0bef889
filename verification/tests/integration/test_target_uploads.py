"""Upload -> background processing by the worker -> the result, and the user told."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from verification.targets.base import Target
from verification.tests.integration.conftest import Api
from verification.tests.integration.realtime_support import open_notifications, wait_for

pytestmark = pytest.mark.target

Role = Callable[[str], Api]
PROCESSING_S = 45


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (12, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(api: Api, name: str, content: bytes, content_type: str) -> Any:
    return api.post("/api/v1/files/upload", files={"file": (name, content, content_type)})


def _wait_for_task(api: Api, task_id: str) -> dict[str, Any]:
    end = time.monotonic() + PROCESSING_S
    body: dict[str, Any] = {}
    while time.monotonic() < end:
        response = api.get(f"/api/v1/tasks/{task_id}/")
        if response.status_code == 200:
            body = response.json()
            if body["status"] in {"SUCCESS", "FAILURE"}:
                return body
        time.sleep(0.3)
    raise AssertionError(f"task {task_id} not finished within {PROCESSING_S} s: {body}")


@pytest.mark.critical
def test_upload_is_processed_in_the_background(as_role: Role) -> None:
    """A PNG upload answers at once with a task; the worker makes the thumbnail."""
    cadet = as_role("cadet")
    # when a cadet uploads an image
    response = _upload(cadet, "photo.png", _png(), "image/png")
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["kind"] == "image"
    assert stored["processing_task_id"]
    # then the processing task (followed through its status endpoint) succeeds
    task = _wait_for_task(cadet, stored["processing_task_id"])
    assert task["status"] == "SUCCESS", task
    # and the file's metadata shows the worker's results
    detail = cadet.get(f"/api/v1/files/{stored['id']}/").json()
    assert detail["processing_status"] == "done"
    assert detail["thumbnail_url"]


def test_upload_is_typed_by_content_not_by_name(as_role: Role) -> None:
    """An executable renamed .png is refused with 415, and nothing is queued."""
    response = _upload(as_role("cadet"), "innocent.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png")
    assert response.status_code == 415, response.text


@pytest.mark.needs_channel_layer
def test_processing_end_is_notified_on_the_socket(target: Target, as_role: Role) -> None:
    """When the worker finishes processing, the uploader's socket is told."""
    cadet = as_role("cadet")
    with open_notifications(target, cadet.token) as sock:
        stored = _upload(cadet, "notify.png", _png(), "image/png").json()
        _wait_for_task(cadet, stored["processing_task_id"])
        message = wait_for(sock, lambda m: m["type"] == "notification", 3)
    assert message is not None
