"""The client page in a real Chromium against the real backend processes on 127.0.0.1.

Sets up what `client/tests/browser/page.real.spec.js` needs, then runs it with Playwright:

* a fresh PostgreSQL database (migrated), an admin made by ``manage.py ensure_admin``, a
  cadet user linked to a cadet record, 45 cadets in all, and an expired token pair for the
  admin signed with the stack's key (the "expired session" case);
* a leased Redis database; gunicorn (web) and daphne (channels) sharing one SECRET_KEY, with
  CORS_ALLOWED_ORIGINS set to the page's origin only;
* a development build of the client pointing at those two (VITE_API_URL / VITE_WS_URL, built
  into a temporary directory, nothing written into the repository but test output), served by
  ``vite preview`` twice: on the allowed origin and on a second origin the backend does not
  allow.

Passes when Playwright exits 0 and the two screenshots exist (after login, after a
notification; under ``client/test-results/real-backend/``). Every wait is bounded; every
process is stopped, the database dropped and the Redis lease released, whatever happens.
Runs in the tox ``client`` env (npm and Chromium are there); the ``e2e`` env leaves it out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from verification.infra import processes
from verification.infra.ports import free_port

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow]

CLIENT_DIR = processes.REPO_ROOT / "client"
SPEC = "tests/browser/page.real.spec.js"  # run by `npm run test:browser:real`
OUTPUT_DIR = CLIENT_DIR / "test-results" / "real-backend"
BIN = CLIENT_DIR / "node_modules" / ".bin"
CADET_COUNT = 45
PASSWORD = "Correct-horse-battery-staple-42"  # a throwaway database's test users
ADMIN = "e2e-browser-admin"
CADET = "e2e-browser-cadet"
BUILD_TIMEOUT = 180.0
PLAYWRIGHT_TIMEOUT = 420.0


SEED = f"""
import json
from datetime import timedelta
from django.utils import timezone
from rgms.authentication.tokens import AccessToken, RefreshToken
from rgms.cadets.models import Cadet
from rgms.users.models import User

cadets = Cadet.objects.bulk_create(
    Cadet(
        first_name=f"Cadet{{i:02d}}",
        last_name=f"Browser{{i:02d}}",
        student_id=f"E2E-{{i:04d}}",
        company="ABC"[i % 3],
        platoon=str(1 + i % 2),
        status="Ongoing",
    )
    for i in range({CADET_COUNT})
)
mine = cadets[7]
cadet_user = User.objects.create_user(
    {CADET!r}, {PASSWORD!r}, role="cadet", is_approved=True, cadet=mine
)
admin = User.objects.get(username={ADMIN!r})

# An expired pair for the admin, signed with this stack's key: issued an hour ago.
past = timezone.now() - timedelta(hours=1)
access = AccessToken.for_user(admin)
access.set_iat(at_time=past)
access.set_exp(from_time=past)
refresh = RefreshToken.for_user(admin)
refresh.set_iat(at_time=past)
refresh.set_exp(from_time=past, lifetime=timedelta(minutes=30))
print("RESULT " + json.dumps({{
    "cadet_user_id": cadet_user.pk,
    "cadet_id": mine.pk,
    "cadets": Cadet.objects.filter(is_archived=False).count(),
    "expired_access": str(access),
    "expired_refresh": str(refresh),
}}))
"""


def shell(env: dict[str, str], code: str) -> Any:
    """Run Python in `manage.py shell`; it prints one `RESULT <json>` line."""
    result = processes.manage(["shell", "-c", code], env, timeout=120)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise AssertionError(f"no RESULT line in:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def node_env(extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment (npm and node need PATH, HOME and their own settings) plus ours,
    without anything that would point Playwright at its own browser downloads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RGMS_E2E_", "VITE_"))}
    env.update(PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1", CHROMIUM_PATH=chromium_path(), **extra)
    env.pop("CLIENT_PORT", None)
    return env


def run_bounded(
    argv: list[str], env: dict[str, str], timeout: float, log: Path
) -> subprocess.CompletedProcess[str]:
    """Run to completion in its own process group; on timeout the whole group is killed
    (Playwright's Chromium included), and the output is kept in `log`."""
    with subprocess.Popen(
        argv,
        cwd=CLIENT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as popen:
        try:
            output, _ = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)
            output, _ = popen.communicate(timeout=30)
            log.write_text(output)
            pytest.fail(f"{' '.join(argv[:3])} took more than {timeout:.0f}s:\n{output[-6000:]}")
    log.write_text(output)
    return subprocess.CompletedProcess(argv, popen.returncode, output, "")


def preview(dist: Path, port: int, name: str, log_dir: Path) -> processes.ManagedProcess:
    """`vite preview` of the build on 127.0.0.1:port (SPA fallback: /login serves the page)."""
    argv = [str(BIN / "vite"), "preview", "--outDir", str(dist)]
    argv += ["--host", processes.HOST, "--port", str(port), "--strictPort"]
    return processes.start(
        name,
        argv,
        {},
        port=port,
        cwd=CLIENT_DIR,
        log_dir=log_dir,
        ready_path="/login",
        ready_ok={200},
        ready_timeout=60,
    )


def prerequisites() -> None:
    if not shutil.which("npm"):
        pytest.fail("npm is not on PATH (Node >= 20.19 with npm is needed for the client)")
    missing = [str(BIN / tool) for tool in ("vite", "playwright") if not (BIN / tool).exists()]
    if missing:
        pytest.fail(f"client dependencies missing ({', '.join(missing)}): run `npm ci` in client/")
    script = json.loads((CLIENT_DIR / "package.json").read_text())["scripts"]["test:browser:real"]
    assert SPEC in script, script
    assert str(OUTPUT_DIR.relative_to(CLIENT_DIR)) in script, script
    if not shutil.which(chromium_path()):
        pytest.fail(f"no Chromium at {chromium_path()}: install it or set CHROMIUM_PATH")


def test_the_page_against_the_real_backend_in_chromium(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    prerequisites()
    logs = tmp_path / "logs"
    logs.mkdir()
    page_port, other_port = free_port(), free_port()
    while other_port == page_port:
        other_port = free_port()
    page_origin = f"http://{processes.HOST}:{page_port}"
    other_origin = f"http://{processes.HOST}:{other_port}"

    database_url = processes.create_database(postgres_url)
    lease = processes.lease_redis_db(redis_url)
    started: list[processes.ManagedProcess] = []
    try:
        # given: the backend's database, seeded
        env = processes.backend_env(
            database_url=database_url,
            redis_url=lease.url,
            secret_key=processes.random_secret_key(),
            CORS_ALLOWED_ORIGINS=page_origin,
        )
        processes.manage(["migrate", "--noinput"], env, timeout=300)
        processes.manage(
            ["ensure_admin", "--username", ADMIN, "--email", "e2e-admin@example.com"],
            {**env, "INITIAL_ADMIN_PASSWORD": PASSWORD},
        )
        seeded = shell(env, SEED)
        assert seeded["cadets"] == CADET_COUNT

        # and: web and channels on 127.0.0.1
        web = processes.gunicorn(env, workers=2, log_dir=logs, ready_timeout=90)
        started.append(web)
        channels = processes.daphne(env, log_dir=logs, ready_timeout=60)
        started.append(channels)

        # and: the page built against them, served from the allowed and a disallowed origin
        dist = tmp_path / "dist"
        build = run_bounded(
            [str(BIN / "vite"), "build", "--mode", "development", "--outDir", str(dist)],
            node_env({"VITE_API_URL": web.url, "VITE_WS_URL": channels.ws_url}),
            BUILD_TIMEOUT,
            logs / "vite-build.log",
        )
        assert build.returncode == 0, build.stdout[-4000:]
        bundle = "".join(p.read_text() for p in (dist / "assets").glob("*.js"))
        assert web.url in bundle, "the build ignored VITE_API_URL"
        assert channels.ws_url in bundle, "the build ignored VITE_WS_URL"
        started.append(preview(dist, page_port, "preview-allowed", logs))
        started.append(preview(dist, other_port, "preview-other", logs))

        # when: the Playwright spec runs in Chromium
        shutil.rmtree(OUTPUT_DIR, ignore_errors=True)
        npm = shutil.which("npm") or "npm"
        started_at = time.monotonic()
        run = run_bounded(
            # package.json: playwright test <SPEC> --output test-results/real-backend, list
            # reporter only (the html one would overwrite the mocked run's report).
            [npm, "run", "--silent", "test:browser:real"],
            node_env(
                {
                    "CLIENT_BASE_URL": page_origin,
                    "RGMS_E2E_API_URL": web.url,
                    "RGMS_E2E_WS_URL": channels.ws_url,
                    "RGMS_E2E_OTHER_ORIGIN": other_origin,
                    "RGMS_E2E_ADMIN_USERNAME": ADMIN,
                    "RGMS_E2E_ADMIN_PASSWORD": PASSWORD,
                    "RGMS_E2E_CADET_USERNAME": CADET,
                    "RGMS_E2E_CADET_PASSWORD": PASSWORD,
                    "RGMS_E2E_CADET_USER_ID": str(seeded["cadet_user_id"]),
                    "RGMS_E2E_CADET_ID": str(seeded["cadet_id"]),
                    "RGMS_E2E_CADET_COUNT": str(seeded["cadets"]),
                    "RGMS_E2E_EXPIRED_ACCESS": seeded["expired_access"],
                    "RGMS_E2E_EXPIRED_REFRESH": seeded["expired_refresh"],
                }
            ),
            PLAYWRIGHT_TIMEOUT,
            logs / "playwright.log",
        )
        print(run.stdout[-3000:])
        print(f"playwright: {time.monotonic() - started_at:.1f}s, logs in {logs}")

        # then: every test passed (none skipped) and the screenshots exist
        backend_logs = "\n".join(f"--- {p.name}\n{p.log_text(tail=2500)}" for p in started[:2])
        assert run.returncode == 0, f"{run.stdout[-8000:]}\n{backend_logs}"
        assert "skipped" not in run.stdout, run.stdout[-3000:]
        assert "4 passed" in run.stdout, run.stdout[-3000:]
        for name in ("after-login.png", "after-notification.png"):
            shots = list(OUTPUT_DIR.rglob(name))
            assert len(shots) == 1, f"{name}: {shots}"
            assert shots[0].read_bytes().startswith(b"\x89PNG"), shots[0]
            print(f"screenshot: {shots[0].relative_to(processes.REPO_ROOT)}")
    finally:
        for proc in reversed(started):
            proc.stop()
        processes.drop_database(database_url)
        lease.release()
