"""Render's public REST API (https://api.render.com/v1), and the platform adapter over it.

:class:`RenderClient` makes the documented calls with a bearer API key, a timeout on every
request and bounded retries with exponential backoff (honouring ``Retry-After``) on 429 and
5xx answers and on connection failures:

=======================================  ==============================================
``GET  /services?name=&limit=&cursor=``  services, as ``[{"service": {...}, "cursor"}]``
``GET  /services/{id}/deploys?limit=1``  latest deploy ``[{"deploy": {id, status,
                                         commit: {id, message}, ...}, "cursor"}]``
``POST /services/{id}/suspend``          suspend (202, no body)
``POST /services/{id}/resume``           resume (202, no body)
``POST /services/{id}/deploys``          trigger a deploy ``{"clearCache", "commitId"?}``
``POST /services/{id}/rollbacks``        roll back to ``{"deployId"}``
``GET  /services/{id}/env-vars``         ``[{"envVar": {key, value}, "cursor"}]``
``PUT  /services/{id}/env-vars``         replace them all: ``[{key, value}]``
``PUT  /services/{id}/env-vars/{key}``   set one: ``{"value"}``
=======================================  ==============================================

A request that may have taken effect (a POST that timed out, or answered 5xx) is retried only
when the operation is idempotent (suspend, resume, reads, PUTs); triggering a deploy or a
rollback is retried only on 429 or when the connection was refused (the request never
arrived), so a retry cannot start two deploys.

:class:`RenderPlatform` validates ``render.yaml`` (:mod:`cutover.platform.blueprint`) before it
makes any call, resolves the four services by their blueprint names, and implements
:class:`cutover.platform.base.Platform`.
"""

from __future__ import annotations

import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Final

from cutover.platform.base import (
    ROLES,
    START_ORDER,
    STOP_ORDER,
    DeployStatus,
    FrontendPointer,
    LegacyHealth,
    PlatformError,
    ServiceState,
    check_legacy_health,
)
from cutover.platform.blueprint import Blueprint, validate_blueprint

API_URL: Final = "https://api.render.com/v1"
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
LIVE: Final = "live"
# Deploy statuses that mean "a deploy is on its way" (not failed, not yet live).
IN_PROGRESS: Final = frozenset(
    {
        "created",
        "queued",
        "build_in_progress",
        "update_in_progress",
        "pre_deploy_in_progress",
    }
)
FAILED: Final = frozenset(
    {"build_failed", "update_failed", "pre_deploy_failed", "canceled", "deactivated"}
)


class RenderAPIError(PlatformError):
    """Render answered with an error (or did not answer) after the allowed retries."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        detail: str,
        retry_after: float | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        where = f"{method} {path}"
        super().__init__(
            f"Render API {where}: " + (f"HTTP {status}: {detail}" if status else detail)
        )


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most ``attempts`` tries, waits ``base * 2**n`` (jittered, capped)."""

    attempts: int = 5
    base_s: float = 0.5
    cap_s: float = 20.0
    jitter: float = 0.25

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap_s)
        wait = min(self.base_s * (2**attempt), self.cap_s)
        return wait * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311


@dataclass(frozen=True)
class Deploy:
    id: str
    status: str
    commit: str | None
    commit_message: str | None
    trigger: str | None
    created_at: str | None
    finished_at: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Deploy:
        commit = data.get("commit") or {}
        return cls(
            id=str(data.get("id") or ""),
            status=str(data.get("status") or "unknown"),
            commit=commit.get("id") if isinstance(commit, Mapping) else None,
            commit_message=commit.get("message") if isinstance(commit, Mapping) else None,
            trigger=data.get("trigger"),
            created_at=data.get("createdAt"),
            finished_at=data.get("finishedAt"),
        )


def _unwrap(item: Any, key: str) -> Any:
    """List endpoints wrap each object (``{"service": {...}, "cursor": ...}``)."""
    if isinstance(item, Mapping) and key in item and isinstance(item[key], Mapping):
        return item[key]
    return item


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RenderClient:
    """The HTTP calls, nothing more. ``sleep`` is injectable so tests do not wait."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = API_URL,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = "rgms-cutover/1",
    ) -> None:
        if not api_key:
            raise PlatformError("no Render API key (RENDER_API_KEY)")
        if not base_url.startswith(("https://", "http://")):
            raise PlatformError(f"the Render API URL must be http(s): {base_url!r}")
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.user_agent = user_agent
        self.calls: list[tuple[str, str, int | None]] = []  # (method, path, status): the audit

    # --- transport -----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One API call with retries; returns the decoded JSON (None for an empty body)."""
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        url = self.base_url + path
        if query:
            pairs = {k: v for k, v in query.items() if v is not None}
            url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode()
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }
        if data is not None:
            headers["Content-Type"] = "application/json"

        last: RenderAPIError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                self.sleep(self.retry.delay(attempt - 1, last.retry_after if last else None))
            request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                    self.calls.append((method, path, int(response.status)))
                    return json.loads(raw) if raw.strip() else None
            except urllib.error.HTTPError as exc:
                status = int(exc.code)
                self.calls.append((method, path, status))
                detail = _error_detail(exc)
                last = RenderAPIError(method, path, status, detail, _retry_after(exc.headers))
                retryable = status == 429 or (status in RETRY_STATUSES and idempotent)
                if not retryable:
                    raise last from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                self.calls.append((method, path, None))
                reason = getattr(exc, "reason", exc)
                refused = isinstance(reason, ConnectionRefusedError | socket.gaierror)
                last = RenderAPIError(method, path, None, f"no answer: {reason}")
                if not (idempotent or refused):
                    raise last from None
            except json.JSONDecodeError as exc:
                raise RenderAPIError(method, path, None, f"answer is not JSON: {exc}") from None
        assert last is not None
        raise RenderAPIError(
            method, path, last.status, f"{last.detail} (gave up after {self.retry.attempts} tries)"
        )

    # --- the documented operations ------------------------------------------------------

    def list_services(self, *, name: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Every service (following cursors), optionally filtered by exact name."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(1000):  # a bound on pages, not a real limit
            page = self.request(
                "GET", "/services", query={"name": name, "limit": limit, "cursor": cursor}
            )
            if not isinstance(page, list):
                raise RenderAPIError("GET", "/services", None, "answer is not a list")
            found.extend(_unwrap(item, "service") for item in page)
            if len(page) < limit:
                break
            last = page[-1]
            cursor = last.get("cursor") if isinstance(last, Mapping) else None
            if not cursor:
                break
        return found

    def latest_deploy(self, service_id: str) -> Deploy | None:
        path = f"/services/{service_id}/deploys"
        page = self.request("GET", path, query={"limit": 1})
        if not isinstance(page, list):
            raise RenderAPIError("GET", path, None, "answer is not a list")
        if not page:
            return None
        return Deploy.from_api(_unwrap(page[0], "deploy"))

    def suspend(self, service_id: str) -> None:
        self.request("POST", f"/services/{service_id}/suspend", idempotent=True)

    def resume(self, service_id: str) -> None:
        self.request("POST", f"/services/{service_id}/resume", idempotent=True)

    def trigger_deploy(
        self, service_id: str, *, commit_id: str | None = None, clear_cache: bool = False
    ) -> Deploy | None:
        body: dict[str, Any] = {"clearCache": "clear" if clear_cache else "do_not_clear"}
        if commit_id:
            body["commitId"] = commit_id
        answer = self.request(
            "POST", f"/services/{service_id}/deploys", body=body, idempotent=False
        )
        return Deploy.from_api(_unwrap(answer, "deploy")) if answer else None

    def rollback(self, service_id: str, deploy_id: str) -> Deploy | None:
        answer = self.request(
            "POST",
            f"/services/{service_id}/rollbacks",
            body={"deployId": deploy_id},
            idempotent=False,
        )
        return Deploy.from_api(_unwrap(answer, "deploy")) if answer else None

    def list_env_vars(self, service_id: str) -> dict[str, str]:
        path = f"/services/{service_id}/env-vars"
        found: dict[str, str] = {}
        cursor: str | None = None
        for _ in range(1000):
            page = self.request("GET", path, query={"limit": 100, "cursor": cursor})
            if not isinstance(page, list):
                raise RenderAPIError("GET", path, None, "answer is not a list")
            for item in page:
                var = _unwrap(item, "envVar")
                if isinstance(var, Mapping) and "key" in var:
                    found[str(var["key"])] = str(var.get("value") or "")
            if len(page) < 100:
                break
            cursor = page[-1].get("cursor") if isinstance(page[-1], Mapping) else None
            if not cursor:
                break
        return found

    def put_env_vars(self, service_id: str, values: Mapping[str, str]) -> dict[str, str]:
        """Replace the service's variables with ``values`` (Render's PUT replaces them all)."""
        answer = self.request(
            "PUT",
            f"/services/{service_id}/env-vars",
            body=[{"key": k, "value": v} for k, v in values.items()],
        )
        result: dict[str, str] = {}
        for item in answer or []:
            var = _unwrap(item, "envVar")
            if isinstance(var, Mapping) and "key" in var:
                result[str(var["key"])] = str(var.get("value") or "")
        return result

    def set_env_var(self, service_id: str, key: str, value: str) -> None:
        """Set one variable, leaving the others alone."""
        quoted = urllib.parse.quote(key, safe="")
        self.request("PUT", f"/services/{service_id}/env-vars/{quoted}", body={"value": value})


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read()[:2000]
    except OSError:
        return exc.reason if isinstance(exc.reason, str) else "error"
    try:
        doc = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace").strip() or str(exc.reason)
    if isinstance(doc, Mapping) and doc.get("message"):
        return str(doc["message"])
    return raw.decode(errors="replace").strip()


class RenderPlatform:
    """The four services on Render, named by ``render.yaml`` (validated first).

    ``frontend_service``: the name of the Render service that serves the frontend (a static
    site, not in our blueprint); ``point_frontend`` sets its ``frontend_key`` variable
    (VITE_API_URL) and redeploys it, which is how a Vite build picks up its API URL.
    """

    name = "render"

    def __init__(
        self,
        client: RenderClient,
        blueprint: Blueprint,
        *,
        frontend_service: str | None = None,
        frontend_key: str = "VITE_API_URL",
        health_attempts: int = 3,
    ) -> None:
        self.client = client
        self.blueprint = blueprint
        self.frontend_service = frontend_service
        self.frontend_key = frontend_key
        self.health_attempts = health_attempts
        self._ids: dict[str, str] = {}

    @classmethod
    def from_files(
        cls,
        blueprint_path: Path | str,
        api_key: str,
        *,
        base_url: str = API_URL,
        **kwargs: Any,
    ) -> RenderPlatform:
        """Validate ``render.yaml`` (raising BlueprintError) before building a client."""
        blueprint = validate_blueprint(blueprint_path)
        return cls(RenderClient(api_key, base_url=base_url), blueprint, **kwargs)

    def _service(self, name: str) -> dict[str, Any]:
        matches = [s for s in self.client.list_services(name=name) if s.get("name") == name]
        if len(matches) != 1:
            raise PlatformError(
                f"Render service {name!r}: expected exactly one, found {len(matches)}"
            )
        return matches[0]

    def service_id(self, role: str) -> str:
        if role not in self._ids:
            name = self.blueprint.names[role]
            self._ids[role] = str(self._service(name)["id"])
        return self._ids[role]

    def _state(self, role: str) -> ServiceState:
        name = self.blueprint.names[role]
        service = self._service(name)
        service_id = str(service["id"])
        self._ids[role] = service_id
        suspended = str(service.get("suspended") or "not_suspended") == "suspended"
        deploy = self.client.latest_deploy(service_id)
        if deploy is None:
            return ServiceState(
                role, name, False, "no_deploy", None, "no deploy yet", service_id, None, suspended
            )
        live = deploy.status == LIVE and not suspended
        detail = "suspended" if suspended else f"latest deploy {deploy.id} is {deploy.status}"
        return ServiceState(
            role, name, live, deploy.status, deploy.commit, detail, service_id, deploy.id, suspended
        )

    def deploy_status(self) -> DeployStatus:
        return DeployStatus(self.name, tuple(self._state(role) for role in ROLES))

    def stop_services(self) -> list[ServiceState]:
        for role in STOP_ORDER:
            self.client.suspend(self.service_id(role))
        return [self._state(role) for role in STOP_ORDER]

    def start_services(self) -> list[ServiceState]:
        for role in START_ORDER:
            self.client.resume(self.service_id(role))
        return [self._state(role) for role in START_ORDER]

    def rollback_service(self, role: str, deploy_id: str) -> Deploy | None:
        """Roll one service back to an earlier deploy of it."""
        return self.client.rollback(self.service_id(role), deploy_id)

    def point_frontend(self, url: str) -> FrontendPointer:
        if not self.frontend_service:
            raise PlatformError(
                "no frontend service configured (RENDER_FRONTEND_SERVICE): cannot repoint it"
            )
        service_id = str(self._service(self.frontend_service)["id"])
        previous = self.client.list_env_vars(service_id).get(self.frontend_key)
        self.client.set_env_var(service_id, self.frontend_key, url)
        deploy = self.client.trigger_deploy(service_id)
        return FrontendPointer(
            self.frontend_service,
            self.frontend_key,
            previous,
            url,
            deploy.id if deploy else None,
        )

    def legacy_health(self, url: str, *, timeout: float = 10.0) -> LegacyHealth:
        return check_legacy_health(url, timeout=timeout, attempts=self.health_attempts)

    def wait_until_live(
        self, *, timeout: float = 900.0, poll: float = 10.0, clock: Callable[[], float] = time.time
    ) -> DeployStatus:
        """Poll until every service is live, or a deploy failed, or ``timeout`` passed."""
        deadline = clock() + timeout
        while True:
            status = self.deploy_status()
            if status.all_live or any(s.status in FAILED for s in status.services):
                return status
            if clock() >= deadline:
                return status
            self.client.sleep(poll)
