"""The four lists of variables agree: config/env.py, .env.example, render.yaml and
docs/configuration.md (Zulip's accounting idea)."""

from __future__ import annotations

import re

import pytest
import yaml

from config import env

REPO = env.BACKEND_DIR.parent
SERVICES = {
    "rotc-django-web": env.WEB,
    "rotc-django-channels": env.CHANNELS,
    "rotc-celery-worker": env.WORKER,
    "rotc-celery-beat": env.BEAT,
}
# Read by Render's build, not by our code.
RENDER_BUILD_ONLY = {"PYTHON_VERSION"}


@pytest.fixture(scope="module")
def blueprint() -> dict:
    return yaml.safe_load((REPO / "render.yaml").read_text())


def _effective_keys(blueprint: dict, service: dict) -> set[str]:
    groups = {group["name"]: group for group in blueprint["envVarGroups"]}
    keys: set[str] = set()
    for item in service["envVars"]:
        if "fromGroup" in item:
            keys |= {entry["key"] for entry in groups[item["fromGroup"]]["envVars"]}
        else:
            keys.add(item["key"])
    return keys - RENDER_BUILD_ONLY


def test_env_example_lists_every_declared_variable() -> None:
    keys = re.findall(r"^([A-Z][A-Z0-9_]*)=", (REPO / ".env.example").read_text(), re.M)
    assert len(keys) == len(set(keys)), "a variable appears twice in .env.example"
    assert set(keys) == set(env.VARIABLES)


def test_env_example_holds_no_secret_values() -> None:
    text = (REPO / ".env.example").read_text()
    for name, variable in env.VARIABLES.items():
        if variable.secret:
            assert re.search(rf"^{name}=$", text, re.M), f"{name} has a value in .env.example"


def test_render_services_get_exactly_their_variables(blueprint: dict) -> None:
    services = {s["name"]: s for s in blueprint["services"] if s["name"] in SERVICES}
    assert set(services) == set(SERVICES)
    for render_name, service_name in SERVICES.items():
        expected = {
            name
            for name, v in env.VARIABLES.items()
            if service_name in v.services and not v.platform_provided
        }
        assert _effective_keys(blueprint, services[render_name]) == expected, render_name


def test_required_variables_reach_every_service() -> None:
    for name, variable in env.VARIABLES.items():
        if variable.required_in_production:
            assert set(variable.services) == set(env.ALL_SERVICES), name


def test_render_keeps_secrets_out_of_the_file(blueprint: dict) -> None:
    entries = [e for g in blueprint["envVarGroups"] for e in g["envVars"]]
    entries += [e for s in blueprint["services"] for e in s.get("envVars", [])]
    for entry in entries:
        key = entry.get("key")
        if key in env.VARIABLES and env.VARIABLES[key].secret:
            assert "value" not in entry, f"{key} has a literal value in render.yaml"


def test_render_blueprint_shape(blueprint: dict) -> None:
    services = {s["name"]: s for s in blueprint["services"]}
    web = services["rotc-django-web"]
    assert web["healthCheckPath"] == "/api/health"
    assert "gunicorn config.wsgi:application -c gunicorn.conf.py" in web["startCommand"]
    channels = services["rotc-django-channels"]
    assert "daphne -b 0.0.0.0 -p $PORT" in channels["startCommand"]
    assert "--websocket_timeout 86400" in channels["startCommand"]
    assert "--concurrency=2" in services["rotc-celery-worker"]["startCommand"]
    beat = services["rotc-celery-beat"]
    assert beat["numInstances"] == 1
    assert "DatabaseScheduler" in beat["startCommand"]
    for name in SERVICES:
        python = [e for e in services[name]["envVars"] if e.get("key") == "PYTHON_VERSION"]
        assert python, name
        assert python[0]["value"].startswith("3.11"), name
        assert {"fromGroup": "rgms-shared"} in services[name]["envVars"], name


def test_configuration_doc_is_generated_from_env() -> None:
    assert (REPO / "docs" / "configuration.md").read_text() == env.markdown_table(), (
        "docs/configuration.md is stale: run `python -m config.env > ../docs/configuration.md`"
        " in backend/"
    )
