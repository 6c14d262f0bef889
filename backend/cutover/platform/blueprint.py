"""``render.yaml`` validated before the Render adapter makes any call.

The Blueprint must describe exactly the deployment the cutover expects, or an API call could
suspend the wrong service or leave one running:

* a mapping with a ``services`` list and an ``envVarGroups`` list;
* exactly four Python services: two ``web`` (gunicorn on ``config.wsgi:application``, daphne on
  ``config.asgi:application`` bound to ``0.0.0.0`` and ``$PORT``) and two ``worker`` (``celery
  -A config worker`` and ``celery -A config beat``); names unique; each with a build and a start
  command;
* both web services with ``healthCheckPath: /api/health``;
* one shared environment group, defined, that every one of the four services takes
  (``fromGroup``) and that carries ``SECRET_KEY`` (one signing key for every service: a token
  minted by web must be accepted by channels);
* ``DATABASE_URL`` and ``REDIS_URL`` on each of the four;
* beat: one instance, no autoscaling (a second beat runs every job twice).

Other entries (the Redis key-value service, databases) are allowed and ignored.
:func:`validate_blueprint` raises :class:`BlueprintError` listing every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cutover.platform.base import ServiceRole

HEALTH_PATH: Final = "/api/health"
PYTHON_RUNTIMES: Final = frozenset({"python"})
# A start command's role, recognised by the program it runs.
_ROLE_PATTERNS: Final = (
    (ServiceRole.WEB, "web", re.compile(r"\bgunicorn\b.*\bconfig\.wsgi:application\b")),
    (ServiceRole.CHANNELS, "web", re.compile(r"\bdaphne\b.*\bconfig\.asgi:application\b")),
    (ServiceRole.WORKER, "worker", re.compile(r"\bcelery\b.*-A\s+config\b.*\bworker\b")),
    (ServiceRole.BEAT, "worker", re.compile(r"\bcelery\b.*-A\s+config\b.*\bbeat\b")),
)
_DAPHNE_BIND: Final = re.compile(r"-b\s+0\.0\.0\.0\b")
_DAPHNE_PORT: Final = re.compile(r"-p\s+\$PORT\b")
_IGNORED_TYPES: Final = frozenset({"keyvalue", "redis", "pserv", "static", "cron"})


class BlueprintError(ValueError):
    """render.yaml is not the deployment the cutover expects; ``problems`` lists why."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path} is not a valid RGMS blueprint:\n{listing}")


@dataclass(frozen=True)
class BlueprintService:
    name: str
    type: str
    role: ServiceRole
    start_command: str
    health_check_path: str | None


@dataclass(frozen=True)
class Blueprint:
    path: str
    env_group: str
    services: tuple[BlueprintService, ...]

    def by_role(self, role: str) -> BlueprintService:
        return next(s for s in self.services if s.role == role)

    @property
    def names(self) -> dict[str, str]:
        """role -> service name."""
        return {str(s.role): s.name for s in self.services}


def _env_keys(service: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    groups: set[str] = set()
    for entry in service.get("envVars") or []:
        if not isinstance(entry, Mapping):
            continue
        if "fromGroup" in entry:
            groups.add(str(entry["fromGroup"]))
        elif "key" in entry:
            keys.add(str(entry["key"]))
    return keys, groups


def _role_of(start: str) -> tuple[ServiceRole, str] | None:
    for role, kind, pattern in _ROLE_PATTERNS:
        if pattern.search(start):
            return role, kind
    return None


def check_blueprint(doc: Any, path: str = "render.yaml") -> tuple[Blueprint | None, list[str]]:
    """The blueprint and an empty list, or None and every problem found."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        return None, ["the document is not a mapping"]
    services = doc.get("services")
    if not isinstance(services, list) or not services:
        return None, ["no `services` list"]
    groups_doc = doc.get("envVarGroups")
    groups: dict[str, set[str]] = {}
    if not isinstance(groups_doc, list) or not groups_doc:
        problems.append("no `envVarGroups`: the services need one shared environment group")
    else:
        for group in groups_doc:
            if isinstance(group, Mapping) and group.get("name"):
                keys = {
                    str(v["key"])
                    for v in group.get("envVars") or []
                    if isinstance(v, Mapping) and "key" in v
                }
                groups[str(group["name"])] = keys

    found: dict[ServiceRole, list[BlueprintService]] = {role: [] for role in ServiceRole}
    service_groups: dict[str, set[str]] = {}
    names: list[str] = []
    for index, service in enumerate(services):
        if not isinstance(service, Mapping):
            problems.append(f"services[{index}] is not a mapping")
            continue
        name = str(service.get("name") or f"services[{index}]")
        kind = str(service.get("type") or "")
        if kind in _IGNORED_TYPES:
            continue
        names.append(name)
        start = str(service.get("startCommand") or "")
        recognised = _role_of(start)
        if recognised is None:
            problems.append(f"{name}: start command {start!r} runs none of the four services")
            continue
        role, expected_type = recognised
        if kind != expected_type:
            problems.append(f"{name}: type {kind!r}, expected {expected_type!r} for {role}")
        if str(service.get("runtime") or service.get("env") or "") not in PYTHON_RUNTIMES:
            problems.append(f"{name}: runtime must be python")
        if not service.get("buildCommand"):
            problems.append(f"{name}: no buildCommand")
        health = service.get("healthCheckPath")
        if role in (ServiceRole.WEB, ServiceRole.CHANNELS) and health != HEALTH_PATH:
            problems.append(f"{name}: healthCheckPath is {health!r}, expected {HEALTH_PATH!r}")
        if role is ServiceRole.CHANNELS:
            if not _DAPHNE_BIND.search(start):
                problems.append(f"{name}: daphne must bind 0.0.0.0 (-b 0.0.0.0)")
            if not _DAPHNE_PORT.search(start):
                problems.append(f"{name}: daphne must listen on $PORT (-p $PORT)")
        if role is ServiceRole.BEAT:
            if int(service.get("numInstances") or 1) != 1:
                problems.append(f"{name}: beat must run exactly one instance")
            if service.get("scaling"):
                problems.append(f"{name}: beat must not autoscale")
        keys, taken = _env_keys(service)
        service_groups[name] = taken
        problems.extend(
            f"{name}: no {required}"
            for required in ("DATABASE_URL", "REDIS_URL")
            if required not in keys
        )
        found[role].append(
            BlueprintService(name, kind, role, start, str(health) if health else None)
        )

    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"duplicate service names: {', '.join(duplicates)}")
    for role in ServiceRole:
        count = len(found[role])
        if count != 1:
            problems.append(f"expected exactly one {role} service, found {count}")

    chosen = [found[role][0] for role in ServiceRole if len(found[role]) == 1]
    shared = set(groups)
    for service in chosen:
        shared &= service_groups.get(service.name, set())
    env_group = None
    for name in sorted(shared):
        if "SECRET_KEY" in groups[name]:
            env_group = name
            break
    if chosen and env_group is None:
        problems.append(
            "no environment group with SECRET_KEY is shared by all four services "
            "(one signing key for every service)"
        )
    problems.extend(
        f"{service.name}: takes undefined environment group {name!r}"
        for service in chosen
        for name in sorted(service_groups.get(service.name, set()))
        if name not in groups
    )

    if problems or env_group is None:
        return None, problems
    return Blueprint(path, env_group, tuple(chosen)), []


def validate_blueprint(path: Path | str) -> Blueprint:
    """Read and validate ``render.yaml``; :class:`BlueprintError` on any problem."""
    import yaml  # PyYAML comes with drf-spectacular (base requirements)

    source = Path(path)
    try:
        doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BlueprintError(str(source), [f"cannot read it: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise BlueprintError(str(source), [f"not valid YAML: {exc}"]) from exc
    blueprint, problems = check_blueprint(doc, str(source))
    if blueprint is None:
        raise BlueprintError(str(source), problems or ["not a valid blueprint"])
    return blueprint
