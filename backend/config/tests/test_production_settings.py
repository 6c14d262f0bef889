"""Production settings refuse to start on a bad environment, naming every bad variable, and
pass `check --deploy` with zero warnings on a complete one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config import env

COMPLETE_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "Zq9!xY7@wV5#uT3$sR1%pO8^nM6&lK4*jH2",
    "DATABASE_URL": "postgresql://rgms:pw@db.internal:5432/rgms",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "rotc-django-web.onrender.com",
    "CORS_ALLOWED_ORIGINS": "https://rotc.example.edu",
    "ENVIRONMENT": "production",
}
MALFORMED = {
    "SECRET_KEY": "too-short",
    "DATABASE_URL": "mysql://rgms:hunter2@db/rgms",
    "REDIS_URL": "http://:hunter2@redis:6379",
    "ALLOWED_HOSTS": "https://rotc.example.edu/",
    "CORS_ALLOWED_ORIGINS": "rotc.example.edu",
    "ENVIRONMENT": "prod",
}


def run_python(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python <args>` in backend/, with `environment` in place of the RGMS variables."""
    clean = {k: v for k, v in os.environ.items() if k not in env.VARIABLES}
    clean.update(environment)
    return subprocess.run(
        [sys.executable, *args],
        cwd=env.BACKEND_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_python("manage.py", *args, environment=environment)


def test_every_required_variable_is_covered() -> None:
    required = set(env.PRODUCTION_REQUIRED) | {"DJANGO_SETTINGS_MODULE"}
    assert required == set(COMPLETE_ENVIRONMENT)
    assert set(env.PRODUCTION_REQUIRED) == set(MALFORMED)


@pytest.mark.parametrize("name", sorted(env.PRODUCTION_REQUIRED))
def test_missing_variable_is_named(name: str) -> None:
    # given a complete production environment but one variable
    environment = {k: v for k, v in COMPLETE_ENVIRONMENT.items() if k != name}
    # when Django starts
    result = _manage("check", environment=environment)
    # then it refuses to start and the one error names that variable
    assert result.returncode != 0
    assert f"{name}: missing" in result.stderr
    assert "Traceback" not in result.stdout


def test_forgotten_settings_module_on_render_is_refused() -> None:
    environment = {k: v for k, v in COMPLETE_ENVIRONMENT.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = _manage("check", environment={**environment, "RENDER": "true"})
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE: missing" in result.stderr


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_variable_is_named(name: str) -> None:
    environment = {**COMPLETE_ENVIRONMENT, name: MALFORMED[name]}
    result = _manage("check", environment=environment)
    assert result.returncode != 0
    assert f"{name}: " in result.stderr
    assert "Traceback" not in result.stderr
    # a password inside a malformed URL is never echoed back
    assert "hunter2" not in result.stderr


def test_all_problems_reported_at_once() -> None:
    result = _manage(
        "check", "--settings=config.settings.production", environment={"SECRET_KEY": "short"}
    )
    assert result.returncode != 0
    for name in env.PRODUCTION_REQUIRED:
        if name != "SECRET_KEY":
            assert f"{name}: missing" in result.stderr
    assert "SECRET_KEY: must be at least 50 characters" in result.stderr


def test_sqlite_is_refused_in_production() -> None:
    environment = {**COMPLETE_ENVIRONMENT, "DATABASE_URL": "sqlite:////tmp/x.db"}
    result = _manage("check", environment=environment)
    assert result.returncode != 0
    assert "DATABASE_URL: production needs PostgreSQL" in result.stderr


def test_check_deploy_is_clean() -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=COMPLETE_ENVIRONMENT
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_render_hostname_is_allowed() -> None:
    environment = {**COMPLETE_ENVIRONMENT, "RENDER_EXTERNAL_HOSTNAME": "rgms-pr-1.onrender.com"}
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        environment=environment,
    )
    assert result.returncode == 0, result.stderr
    assert "rgms-pr-1.onrender.com" in result.stdout
    assert "rotc-django-web.onrender.com" in result.stdout
