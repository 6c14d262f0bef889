"""The server entry points load every view and freeze what they loaded (config.startup)."""

from __future__ import annotations

import json

import pytest

from config.tests.test_production_settings import COMPLETE_ENVIRONMENT, run_python

PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_loaded": "rgms.cadets.api.views" in sys.modules,
}}))
"""


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_entry_point_loads_the_views_and_freezes_them(module: str) -> None:
    # given a production environment (importing connects to nothing)
    # when a server imports the entry point
    result = run_python("-c", PROBE.format(module=module), environment=COMPLETE_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # then the views are imported before the first request, and everything loaded is out of
    # the collector's reach: a full collection no longer walks it
    assert probe["views_loaded"]
    assert probe["frozen"] > 50_000
    assert probe["tracked"] < 1_000
