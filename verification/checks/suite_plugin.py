"""A pytest plugin that writes each test's outcome as JSON, for deploy-verify's suite phase.

``pytest -p verification.checks.suite_plugin --suite-results out.json ...`` writes::

    {"schema": "rgms.suite-results/1", "exitstatus": 0, "collected": 25,
     "tests": [{"nodeid", "name", "outcome", "duration_s", "critical", "message", "doc"}]}

``outcome``: passed, failed, error (setup or teardown failed), skipped, xfailed, xpassed.
``critical``: the test carries ``@pytest.mark.critical``. ``name``: ``<module without test_>.
<test name and parameters>``, unique within the suite. The file is written even when the run
is interrupted, so a crashed run still says how far it got.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pytest

SCHEMA: Final = "rgms.suite-results/1"
MESSAGE_CHARS: Final = 2000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--suite-results", default=None, help="write per-test results as JSON here")


def _name(item: pytest.Item) -> str:
    module = Path(str(item.fspath)).stem.removeprefix("test_")
    return f"{module}.{item.name}"


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.collected = 0

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            doc = (getattr(item, "obj", None).__doc__ or "").strip().splitlines()
            self.items[item.nodeid] = {
                "name": _name(item),
                "critical": item.get_closest_marker("critical") is not None,
                "doc": doc[0] if doc else "",
            }

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.results.setdefault(
            report.nodeid,
            {"nodeid": report.nodeid, "outcome": None, "duration_s": 0.0, "message": ""},
        )
        entry["duration_s"] = round(entry["duration_s"] + report.duration, 3)
        message = ""
        if report.longrepr is not None:
            message = (
                report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            )
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
            message = f"expected failure (a known gap): {report.wasxfail}"
        elif report.when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "skipped"
        else:
            return
        # The first non-pass wins (a teardown error after a pass is still an error).
        if entry["outcome"] in (None, "passed"):
            entry["outcome"] = outcome
            if message:
                entry["message"] = message[-MESSAGE_CHARS:]

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        tests = []
        for nodeid, result in self.results.items():
            meta = self.items.get(nodeid, {"name": nodeid, "critical": False, "doc": ""})
            tests.append({**result, **meta, "outcome": result["outcome"] or "error"})
        doc = {
            "schema": SCHEMA,
            "exitstatus": int(exitstatus),
            "collected": self.collected,
            "tests": tests,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(doc, indent=2))


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--suite-results")
    if path:
        config.pluginmanager.register(Recorder(Path(path)), "rgms-suite-recorder")
