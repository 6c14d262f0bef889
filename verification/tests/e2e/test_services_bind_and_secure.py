"""The web and channels services as Render starts them: bound to 0.0.0.0:$PORT for random
ports, answering /api/health there, with the production security headers and CORS on real
responses."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from verification.infra import processes
from verification.infra.ports import free_port

ALLOWED_ORIGIN = "https://rotc.example.edu"


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on `port` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            octets = [str(int(address[i : i + 2], 16)) for i in range(6, -1, -2)]
            found.add(".".join(octets))
    return found


@pytest.fixture(scope="module")
def production_env(postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    database = processes.create_database(postgres_url)
    lease = processes.lease_redis_db(redis_url)
    env = processes.backend_env(
        database_url=database,
        redis_url=lease.url,
        secret_key=processes.random_secret_key(),
        settings="config.settings.production",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CORS_ALLOWED_ORIGINS=ALLOWED_ORIGIN,
        ENVIRONMENT="staging",
        HEALTH_CHECK_TIMEOUT="0.5",
    )
    # Manifest storage needs the collected files (Render's build step does the same).
    processes.manage(["collectstatic", "--noinput", "-v0"], env)
    try:
        yield env
    finally:
        lease.release()
        processes.drop_database(database)


def _gunicorn_as_render_runs_it(env: dict[str, str], port: int) -> processes.ManagedProcess:
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"]
    return processes.start(
        "web", argv, {**env, "PORT": str(port), "WEB_CONCURRENCY": "2"}, port=port
    )


def _daphne_as_render_runs_it(env: dict[str, str], port: int) -> processes.ManagedProcess:
    # All interfaces on purpose: this is the Render start command under test.
    argv = [sys.executable, "-m", "daphne", "-b", "0.0.0.0", "-p", str(port), "--proxy-headers",  # noqa: S104
            "config.asgi:application"]  # fmt: skip
    return processes.start("channels", argv, {**env, "PORT": str(port)}, port=port)


def _health(port: int) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{port}/api/health",
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )


@pytest.mark.parametrize("attempt", [1, 2])
@pytest.mark.parametrize("service", ["web", "channels"])
def test_binds_all_interfaces_on_port(
    production_env: dict[str, str], service: str, attempt: int
) -> None:
    # given a random free PORT, as Render assigns one
    port = free_port()
    start = _gunicorn_as_render_runs_it if service == "web" else _daphne_as_render_runs_it
    # when the service starts with its Render start command
    with start(production_env, port):
        # then it listens on 0.0.0.0:PORT, not only on loopback
        assert "0.0.0.0" in _listening_addresses(port)  # noqa: S104
        # and answers the health check there (503 is fine: no Celery worker in this test)
        response = _health(port)
        assert response.status_code in {200, 503}
        body = response.json()
        assert body["services"]["database"]["status"] == "up"
        assert body["services"]["redis"]["status"] == "up"
        assert body["environment"] == "staging"


@pytest.fixture(scope="module")
def web(production_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    with _gunicorn_as_render_runs_it(production_env, port):
        yield f"http://127.0.0.1:{port}"


def test_plain_http_is_redirected_to_https(web: str) -> None:
    response = requests.get(f"{web}/api/v1/cadets/", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_security_headers_on_https_responses(web: str) -> None:
    response = requests.get(
        f"{web}/api/v1/cadets/", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )
    assert response.status_code == 401
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.json()["code"] == "not_authenticated"


def test_cookies_are_secure_and_http_only(web: str) -> None:
    session = requests.Session()
    page = session.get(f"{web}/admin/login/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert "csrftoken=" in cookie
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_cors_preflight_from_allowed_origin(web: str) -> None:
    response = requests.options(
        f"{web}/api/v1/cadets/",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, x-requested-with",
            "X-Forwarded-Proto": "https",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    headers = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert headers == {"authorization", "content-type", "x-requested-with"}


def test_cors_refuses_other_origins(web: str) -> None:
    response = requests.options(
        f"{web}/api/v1/cadets/",
        headers={
            "Origin": "https://evil.example.com",
            "Access-Control-Request-Method": "GET",
            "X-Forwarded-Proto": "https",
        },
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_static_files_are_hashed_and_cached_for_a_year(web: str) -> None:
    # given the admin stylesheet, referenced by its hashed name on the login page
    page = requests.get(f"{web}/admin/login/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    match = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    assert match, "the admin page does not reference a hashed stylesheet"
    # when it is fetched with compression accepted
    response = requests.get(
        f"{web}{match.group(1)}",
        headers={"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
        timeout=10,
    )
    # then WhiteNoise serves it compressed with far-future, immutable caching
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"


def test_check_deploy_passes_for_this_environment(production_env: dict[str, str]) -> None:
    result = processes.manage(["check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert "no issues" in result.stdout
