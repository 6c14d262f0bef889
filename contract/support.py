"""The contract suite's moving parts: role sessions with real tokens, transports, known ids,
suppressions and the coverage record.

Nothing here is a test; ``conftest.py`` wires these into fixtures and ``test_api_contract.py``
drives them. Kept apart so the pieces can be read (and unit-tested) without the fixtures.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import hypothesis
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup

API: Final = "/api/v1"
LOGIN_PATH: Final = f"{API}/auth/login"
REFRESH_PATH: Final = f"{API}/auth/refresh"
# Account keys, as in the integration suite's accounts file; "staff" is the training_staff role.
ROLE_KEYS: Final = ("admin", "staff", "cadet")
HTTP_TIMEOUT_S: Final = 30.0
# Refresh this long before the access token expires, so no case carries a just-expired token.
REFRESH_MARGIN_S: Final = 60.0
# How often a generated id is swapped for one that exists (the rest stay random: 404 paths).
_JWT_SEGMENTS: Final = 3
_PATH_PARAM = re.compile(r"\{([^}]+)\}")


class ContractSetupError(RuntimeError):
    """The suite could not prepare its target (login refused, schema unreachable...)."""


# --- transports -------------------------------------------------------------------------------


@dataclass
class HttpAnswer:
    status: int
    body: Any


class WsgiTransport:
    """The Django application in this process (the CI target)."""

    def __init__(self, app: Any) -> None:
        from schemathesis.python import wsgi

        self.app = app
        self._client = wsgi.get_client(app)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> HttpAnswer:
        response = self._client.open(
            path, method=method, json=body, headers=dict(headers or {}), query_string=params
        )
        try:
            data = json.loads(response.get_data(as_text=True) or "null")
        except ValueError:
            data = None
        return HttpAnswer(response.status_code, data)

    def upload(
        self, path: str, *, field: str, filename: str, content: bytes, headers: Mapping[str, str]
    ) -> HttpAnswer:
        """A multipart upload of one file (what the JSON helper cannot send)."""
        import io

        response = self._client.post(
            path, data={field: (io.BytesIO(content), filename)}, headers=dict(headers)
        )
        try:
            data = json.loads(response.get_data(as_text=True) or "null")
        except ValueError:
            data = None
        return HttpAnswer(response.status_code, data)

    def call_kwargs(self) -> dict[str, Any]:
        return {}

    def describe(self) -> str:
        return "in-process WSGI (config.wsgi application)"


class LiveTransport:
    """A server reached over HTTP (``--target-url``)."""

    def __init__(self, base_url: str) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> HttpAnswer:
        response = self._session.request(
            method,
            self.base_url + path,
            json=body,
            headers=dict(headers or {}),
            params=params,
            timeout=HTTP_TIMEOUT_S,
        )
        try:
            data = response.json()
        except ValueError:
            data = None
        return HttpAnswer(response.status_code, data)

    def call_kwargs(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "timeout": HTTP_TIMEOUT_S}

    def describe(self) -> str:
        return self.base_url


Transport = WsgiTransport | LiveTransport


# --- tokens -------------------------------------------------------------------------------------


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, read without verification (only to schedule the refresh)."""
    parts = token.split(".")
    if len(parts) != _JWT_SEGMENTS:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class RoleSession:
    """One role's account: logged in through the real endpoint, refreshed before expiry."""

    def __init__(
        self,
        role: str,
        username: str,
        password: str,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.role = role
        self.username = username
        self._password = password
        self.transport = transport
        self._clock = clock
        self.access: str | None = None
        self.refresh_token: str | None = None
        self.expires_at: float | None = None
        self.user: dict[str, Any] = {}
        self.logins = 0
        self.refreshes = 0

    def login(self) -> None:
        answer = self.transport.request(
            "POST", LOGIN_PATH, body={"username": self.username, "password": self._password}
        )
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise ContractSetupError(
                f"login as {self.role} ({self.username}) answered {answer.status}: {answer.body!r}"
            )
        self._take(answer.body)
        self.user = dict(answer.body.get("user") or {})
        self.logins += 1

    def refresh(self) -> None:
        answer = self.transport.request("POST", REFRESH_PATH, body={"refresh": self.refresh_token})
        if answer.status != 200 or not isinstance(answer.body, dict):
            # The refresh token itself may have been revoked (e.g. by a fuzzed logout of all
            # sessions): a fresh login is the honest recovery.
            self.login()
            return
        self._take(answer.body)
        self.refreshes += 1

    def _take(self, body: Mapping[str, Any]) -> None:
        self.access = str(body["access"])
        if isinstance(body.get("refresh"), str):
            self.refresh_token = str(body["refresh"])
        self.expires_at = jwt_expiry(self.access)

    def needs_refresh(self) -> bool:
        return self.expires_at is not None and self._clock() >= self.expires_at - REFRESH_MARGIN_S

    def headers(self) -> dict[str, str]:
        if self.access is None:
            self.login()
        elif self.needs_refresh():
            self.refresh()
        return {"Authorization": f"Bearer {self.access}"}

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> HttpAnswer:
        return self.transport.request("GET", path, headers=self.headers(), params=params)


# --- known ids ----------------------------------------------------------------------------------

# Request-body fields that name another resource, and the collection that lists it.
BODY_REFERENCES: Final = {
    "cadet": f"{API}/cadets/",
    "training_day": f"{API}/training-days/",
    "staff": f"{API}/staff/",
    "user_id": "users",
}


@dataclass
class KnownIds:
    """Ids that exist on the target, per path parameter of each path template."""

    by_path: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    collections: dict[str, list[Any]] = field(default_factory=dict)

    def for_path(self, path: str) -> dict[str, list[Any]]:
        return self.by_path.get(path, {})

    @classmethod
    def harvest(
        cls, raw_paths: Iterable[str], session: RoleSession, seeded: Any | None
    ) -> KnownIds:
        """List every collection once (a page of 100, as ``session``) and keep the ids.

        The collection of ``/api/v1/cadets/{id}/`` is ``/api/v1/cadets/``; of a nested
        ``/api/v1/activities/{activity_pk}/images/{id}/`` it is that activity's images. Ids that
        no listing shows (files, task ids) come from the seeded data when the suite seeded it.
        """
        known = cls()
        if seeded is not None:
            for name, values in seeded.collections.items():
                known.collections.setdefault(name, []).extend(values)
        for template in sorted(p for p in raw_paths if "{" in p):
            params: dict[str, list[Any]] = {}
            for name in _PATH_PARAM.findall(template):
                collection = template.split("{" + name + "}")[0]
                for parent, values in params.items():
                    collection = collection.replace("{" + parent + "}", str(values[0]))
                if "{" in collection:
                    break  # a parent without any known id: nothing to list
                if collection not in known.collections:
                    known.collections[collection] = _list_ids(session, collection, name)
                if values := known.collections[collection]:
                    params[name] = values[:50]
            known.by_path[template] = params
        return known


def _list_ids(session: RoleSession, collection: str, name: str) -> list[Any]:
    if "{" in collection:
        return []
    answer = session.get(collection, params={"page_size": 100})
    if answer.status != 200:
        return []
    items = answer.body
    if isinstance(items, dict):
        items = items.get("results")
    if not isinstance(items, list):
        return []
    field_name = "key" if name == "key" else ("task_id" if name == "task_id" else "id")
    return [item[field_name] for item in items if isinstance(item, dict) and field_name in item]


def install_known_id_hook(schema: Any, known: KnownIds) -> None:
    """Half of the generated ids become ids that exist: the rest keep the 404 paths covered."""

    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        operation = getattr(context, "operation", None)
        if operation is None or not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        candidates = known.for_path(operation.path)
        swappable = {
            name: values
            for name, values in candidates.items()
            if name in path_parameters and values and type(path_parameters[name]) is type(values[0])
        }
        if not swappable:
            return st.just(path_parameters)
        existing = st.fixed_dictionaries(
            {name: st.sampled_from(values) for name, values in swappable.items()}
        ).map(lambda chosen: {**path_parameters, **chosen})
        return st.one_of(st.just(path_parameters), existing)

    def flatmap_body(context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return st.just(body)
        swappable = {
            name: known.collections.get(collection) or []
            for name, collection in BODY_REFERENCES.items()
            if isinstance(body.get(name), int) and not isinstance(body.get(name), bool)
        }
        swappable = {name: values for name, values in swappable.items() if values}
        if not swappable:
            return st.just(body)
        existing = st.fixed_dictionaries(
            {name: st.sampled_from(values[:50]) for name, values in swappable.items()}
        ).map(lambda chosen: {**body, **chosen})
        return st.one_of(st.just(body), existing)

    schema.hook(flatmap_path_parameters)
    schema.hook(flatmap_body)


# --- suppressions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """One reviewed exception: a check failure that is accepted, with the reason why."""

    id: str
    operations: tuple[str, ...]  # "METHOD /path" exactly as schemathesis labels it, or "*"
    check: str  # schemathesis check name, e.g. "response_schema_conformance"
    reason: str
    roles: tuple[str, ...] = ()  # empty: every role
    status: int | None = None  # only responses with this status

    def matches(self, *, operation: str, checks: Iterable[str], role: str, status: int) -> bool:
        return (
            ("*" in self.operations or operation in self.operations)
            and self.check in set(checks)
            and (not self.roles or role in self.roles)
            and (self.status is None or self.status == status)
        )


@dataclass
class Suppressions:
    entries: tuple[Suppression, ...] = ()
    source: str = ""
    hits: Counter[str] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: Path) -> Suppressions:
        doc = tomllib.loads(path.read_text()) if path.exists() else {}
        entries: list[Suppression] = []
        problems: list[str] = []
        for index, row in enumerate(doc.get("suppression", [])):
            missing = [k for k in ("id", "check", "reason") if not row.get(k)]
            operations = row.get("operations") or (
                [row["operation"]] if row.get("operation") else []
            )
            if not operations:
                missing.append("operation(s)")
            if missing:
                problems.append(f"suppression[{index}]: missing {', '.join(missing)}")
                continue
            entries.append(
                Suppression(
                    id=str(row["id"]),
                    operations=tuple(str(op) for op in operations),
                    check=str(row["check"]),
                    reason=str(row["reason"]).strip(),
                    roles=tuple(row.get("roles", ())),
                    status=row.get("status"),
                )
            )
        if problems:
            raise ContractSetupError(f"{path.name}: " + "; ".join(problems))
        return cls(tuple(entries), path.name)

    def find(
        self, *, operation: str, checks: Iterable[str], role: str, status: int
    ) -> Suppression | None:
        checks = tuple(checks)
        for entry in self.entries:
            if entry.matches(operation=operation, checks=checks, role=role, status=status):
                return entry
        return None


def install_suppression_hook(
    schema: Any, suppressions: Suppressions, role: str, record: ContractRecord
) -> None:
    """Drop (and count) failures that a reviewed suppression covers; everything else fails."""

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        entry = suppressions.find(
            operation=case.operation.label,
            checks=getattr(failure, "checks", ()) or (),
            role=role,
            status=response.status_code,
        )
        if entry is None:
            return True
        suppressions.hits[entry.id] += 1
        record.suppressed[(entry.id, role, case.operation.label)] += 1
        return False

    schema.hook(filter_failure)


# --- the coverage record ------------------------------------------------------------------------


def documented_statuses(raw_schema: Mapping[str, Any]) -> dict[str, set[str]]:
    """``"METHOD /path" -> {"200", "400", ...}`` from the schema's responses."""
    out: dict[str, set[str]] = {}
    for path, item in (raw_schema.get("paths") or {}).items():
        for method, operation in item.items():
            if method.lower() not in {"get", "put", "post", "patch", "delete", "head", "options"}:
                continue
            out[f"{method.upper()} {path}"] = {str(k) for k in (operation.get("responses") or {})}
    return out


@dataclass
class ContractRecord:
    """What the run exercised: per operation and role, the cases sent and statuses observed."""

    seed: int | None = None
    max_examples: int | None = None
    target: str = ""
    statuses: dict[tuple[str, str], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    documented: dict[str, set[str]] = field(default_factory=dict)
    method_probes: dict[tuple[str, str], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    stateful_steps: Counter[str] = field(default_factory=Counter)
    stateful_failures: list[str] = field(default_factory=list)
    stateful_restarts: Counter[str] = field(default_factory=Counter)
    suppressed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    suppressions: Suppressions | None = None
    started: float = field(default_factory=time.monotonic)

    def has_data(self) -> bool:
        return bool(self.statuses or self.method_probes)

    def to_partial(self) -> dict[str, Any]:
        """This process's share of the record (pytest-xdist workers hand it to the controller)."""
        hits = self.suppressions.hits if self.suppressions else Counter()
        return {
            "seed": self.seed,
            "max_examples": self.max_examples,
            "target": self.target,
            "documented": {label: sorted(codes) for label, codes in self.documented.items()},
            "statuses": [
                [*key, code, n] for key, c in self.statuses.items() for code, n in c.items()
            ],
            "method_probes": [
                [*key, code, n] for key, c in self.method_probes.items() for code, n in c.items()
            ],
            "stateful_steps": dict(self.stateful_steps),
            "stateful_restarts": dict(self.stateful_restarts),
            "suppressed": [[*key, n] for key, n in self.suppressed.items()],
            "suppression_hits": dict(hits),
        }

    def merge_partial(self, doc: Mapping[str, Any]) -> None:
        self.seed = self.seed if self.seed is not None else doc.get("seed")
        self.max_examples = self.max_examples or doc.get("max_examples")
        self.target = self.target or str(doc.get("target") or "")
        for label, codes in (doc.get("documented") or {}).items():
            self.documented.setdefault(label, set()).update(codes)
        for label, role, code, n in doc.get("statuses") or ():
            self.statuses[(label, role)][int(code)] += n
        for label, role, code, n in doc.get("method_probes") or ():
            self.method_probes[(label, role)][int(code)] += n
        self.stateful_steps.update(doc.get("stateful_steps") or {})
        self.stateful_restarts.update(doc.get("stateful_restarts") or {})
        for entry_id, role, label, n in doc.get("suppressed") or ():
            self.suppressed[(entry_id, role, label)] += n
        if self.suppressions is not None:
            self.suppressions.hits.update(doc.get("suppression_hits") or {})

    def observe(self, role: str, case: Any, status: int, *, stateful: bool = False) -> None:
        label = case.operation.label
        if str(case.method).upper() != str(case.operation.method).upper():
            # The coverage phase also sends methods the schema does not list (expecting 405,
            # or 401/403/404 when authentication or routing answers first): counted apart.
            self.method_probes[(label, role)][status] += 1
            return
        self.statuses[(label, role)][status] += 1
        if stateful:
            self.stateful_steps[role] += 1

    def per_operation(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        labels = sorted(
            set(self.documented)
            | {label for label, _ in self.statuses}
            | {label for label, _ in self.method_probes}
        )
        for label in labels:
            observed: Counter[int] = Counter()
            roles = []
            for role in ROLE_KEYS:
                counts = self.statuses.get((label, role))
                if counts:
                    roles.append(role)
                    observed.update(counts)
            documented = self.documented.get(label, set())
            seen = {str(code) for code in observed}
            probes: Counter[int] = Counter()
            for role in ROLE_KEYS:
                probes.update(self.method_probes.get((label, role)) or {})
            rows[label] = {
                "cases": sum(observed.values()) + sum(probes.values()),
                "method_probes": dict(sorted(probes.items())),
                "roles": roles,
                "observed": dict(sorted(observed.items())),
                "documented": sorted(documented),
                "undocumented_observed": sorted(seen - documented - {"default"}),
                "documented_not_observed": sorted(documented - seen),
            }
        return rows

    def requests_per_role(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for counts in (self.statuses, self.method_probes):
            for (_, role), observed in counts.items():
                totals[role] += sum(observed.values())
        return {role: totals[role] for role in ROLE_KEYS if totals[role]}

    def render_lines(self) -> list[str]:
        rows = self.per_operation()
        exercised = [label for label, row in rows.items() if row["cases"]]
        total = sum(row["cases"] for row in rows.values())
        width = max((len(label) for label in rows), default=20)
        lines = [
            "",
            "=" * 30 + " contract coverage " + "=" * 30,
            f"target: {self.target}   seed: {self.seed}   "
            f"(reproduce: CONTRACT_SEED={self.seed} pytest contract)",
            f"operations exercised: {len(exercised)} of {len(rows)}; requests: {total} "
            f"(stateful steps: {sum(self.stateful_steps.values())}, restarts after inconsistent "
            f"generation: {sum(self.stateful_restarts.values())})",
            "requests per role: "
            + ", ".join(f"{role} {n}" for role, n in self.requests_per_role().items()),
            f"{'operation':<{width}}  {'reqs':>6}  {'roles':<17}  observed / documented",
        ]
        for label, row in rows.items():
            observed = ",".join(f"{code}x{n}" for code, n in row["observed"].items()) or "-"
            missing = ",".join(row["documented_not_observed"])
            extra = ",".join(row["undocumented_observed"])
            note = ""
            if extra:
                note += f"  UNDOCUMENTED {extra}"
            if missing:
                note += f"  (not seen: {missing})"
            lines.append(
                f"{label:<{width}}  {row['cases']:>6}  {'/'.join(row['roles']) or '-':<17}  "
                f"{observed}{note}"
            )
        entries = self.suppressions.entries if self.suppressions else ()
        hits = self.suppressions.hits if self.suppressions else Counter()
        lines.append(
            f"suppressions: {len(entries)} reviewed in contract/suppressions.toml, "
            f"{sum(hits.values())} failure(s) suppressed this run"
        )
        lines.extend(
            f"  {entry.id}: {hits.get(entry.id, 0)} ({' '.join(entry.reason.split())})"
            for entry in entries
        )
        return lines

    def write_json(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "contract-coverage.json"
        entries = self.suppressions.entries if self.suppressions else ()
        hits = self.suppressions.hits if self.suppressions else Counter()
        doc = {
            "schema": "rgms.contract-coverage/1",
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "target": self.target,
            "seed": self.seed,
            "wall_time_s": round(time.monotonic() - self.started, 1),
            "stateful_steps": dict(self.stateful_steps),
            "stateful_restarts": dict(self.stateful_restarts),
            "requests_per_role": self.requests_per_role(),
            "operations": self.per_operation(),
            "suppressions": [
                {
                    "id": e.id,
                    "operations": list(e.operations),
                    "check": e.check,
                    "reason": e.reason,
                    "hits": hits.get(e.id, 0),
                }
                for e in entries
            ],
        }
        path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
        return path


# --- running cases ------------------------------------------------------------------------------


def run_case(case: Any, session: RoleSession, record: ContractRecord) -> Any:
    """Send one generated case with the role's token and run every configured check on it."""
    __tracebackhide__ = True
    headers = session.headers()
    kwargs = session.transport.call_kwargs()
    response = case.call(headers=headers, **kwargs)
    if response.status_code == 401 and session.needs_refresh():  # pragma: no cover - timing
        # The token expired between the check and the call: refresh and send again.
        session.refresh()
        headers = session.headers()
        response = case.call(headers=headers, **kwargs)
    record.observe(session.role, case, response.status_code)
    transport_kwargs = {**kwargs, "headers": headers}
    try:
        case.validate_response(response, headers=headers, transport_kwargs=transport_kwargs)
    except FailureGroup as exc:
        exc.add_note(reproducer_note(record, session.role, case.operation.label))
        raise
    return response


def reproducer_note(record: ContractRecord, role: str, label: str) -> str:
    """How to replay a failure: the curl above with a fresh token, or the same generated run."""
    return (
        f"Role: {role} (the [Filtered] Authorization is a bearer token from POST {LOGIN_PATH}).\n"
        f"Replay the generated cases: CONTRACT_SEED={record.seed} "
        f"CONTRACT_OPERATIONS='^{re.escape(label)}$' pytest contract -k '{role}'"
    )


def stateful_machine(
    schema: Any, session: RoleSession, record: ContractRecord, *, seed: int | None = None
) -> Any:
    """The schema's link-driven state machine, sending every step with the role's token.

    With ``seed``, Hypothesis draws the scenarios from that seed (``hypothesis.seed`` on the
    machine class), so a run is repeatable from CONTRACT_SEED like the other phases.
    """
    base = schema.as_state_machine()

    class RoleStateMachine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {**session.transport.call_kwargs(), "headers": session.headers()}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            record.observe(session.role, case, response.status_code, stateful=True)

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            __tracebackhide__ = True
            try:
                case.validate_response(
                    response,
                    additional_checks=additional_checks,
                    headers=kwargs.get("headers"),
                    transport_kwargs=kwargs or None,
                    recorder=getattr(self, "recorder", None),
                )
            except FailureGroup as exc:
                exc.add_note(reproducer_note(record, session.role, case.operation.label))
                # Kept as first seen: Hypothesis replays a failing scenario, and against a
                # server whose data the scenario changed, the replay may not reach it again.
                record.stateful_failures.append(
                    f"[{session.role}] {case.operation.label}\n{exc.message}\n"
                    + "\n".join(getattr(exc, "__notes__", []))
                )
                raise

    RoleStateMachine.__name__ = f"{session.role.title()}StateMachine"
    if seed is not None:
        hypothesis.seed(seed)(RoleStateMachine)
    return RoleStateMachine
