"""render.yaml validation: every rule named when broken."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cutover.platform.blueprint import check_blueprint

RENDER_YAML = Path(__file__).resolve().parents[4] / "render.yaml"


@pytest.fixture
def doc() -> dict[str, Any]:
    return yaml.safe_load(RENDER_YAML.read_text())


def service(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in doc["services"] if s["name"] == name)


def problems_of(doc: dict[str, Any]) -> list[str]:
    blueprint, problems = check_blueprint(doc)
    assert blueprint is None
    return problems


def test_the_repository_blueprint_is_valid(doc: dict[str, Any]) -> None:
    blueprint, problems = check_blueprint(doc)
    assert problems == []
    assert blueprint is not None
    assert {s.role for s in blueprint.services} == {"web", "channels", "worker", "beat"}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["services"].pop(3), "expected exactly one beat service, found 0"),
        (
            lambda d: d["services"].append(copy.deepcopy(d["services"][2])),
            "expected exactly one worker service, found 2",
        ),
        (
            lambda d: service(d, "rotc-django-web").update(healthCheckPath="/health"),
            "healthCheckPath is '/health'",
        ),
        (
            lambda d: service(d, "rotc-django-channels").update(
                startCommand="cd backend && daphne -p $PORT config.asgi:application"
            ),
            "daphne must bind 0.0.0.0",
        ),
        (
            lambda d: service(d, "rotc-celery-beat")["envVars"].pop(1),
            "no environment group with SECRET_KEY is shared by all four services",
        ),
        (
            lambda d: d["envVarGroups"][0]["envVars"].pop(1),
            "no environment group with SECRET_KEY",
        ),
        (
            lambda d: service(d, "rotc-celery-worker")["envVars"].pop(),
            None,  # removing a non-required variable is fine
        ),
        (
            lambda d: service(d, "rotc-django-web").update(startCommand="python app.py"),
            "runs none of the four services",
        ),
        (lambda d: service(d, "rotc-celery-beat").update(numInstances=2), "exactly one instance"),
        (
            lambda d: service(d, "rotc-celery-worker").update(
                envVars=[
                    e
                    for e in service(d, "rotc-celery-worker")["envVars"]
                    if e.get("key") != "REDIS_URL"
                ]
            ),
            "rotc-celery-worker: no REDIS_URL",
        ),
    ],
)
def test_each_rule(doc: dict[str, Any], mutate: Any, expected: str | None) -> None:
    mutate(doc)
    _blueprint, problems = check_blueprint(doc)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_not_a_mapping() -> None:
    assert check_blueprint(["services"])[1] == ["the document is not a mapping"]
