"""Shared by the observability integration tests and the overhead benchmark: a settings
overlay that turns on the test-only views, and helpers to read JSON logs and /metrics.

The overlay is a settings module written to a temporary directory and put on PYTHONPATH of
the processes (never on the backend's own path): ``config.settings.test`` plus
``OBSERVABILITY_DEBUG_VIEWS = True``, one read-cache key space for every worker (test.py
gives each process its own), real (not eager) Celery when a broker is given, and whatever
the caller adds.
"""

from __future__ import annotations

import json
import textwrap
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

OVERLAY_MODULE = "rgms_observability_overlay"


def write_overlay_settings(directory: Path, *, extra: str = "") -> str:
    """Write the overlay module into ``directory``; returns its dotted name."""
    directory.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(
        """
        from config.settings.test import *  # noqa: F403
        from config.settings.test import CACHES, REDIS_URL

        OBSERVABILITY_DEBUG_VIEWS = True
        CACHES["default"]["KEY_PREFIX"] = "rgms-obs-it"
        if REDIS_URL:
            CELERY_TASK_ALWAYS_EAGER = False
            CELERY_TASK_EAGER_PROPAGATES = False
        """
    )
    (directory / f"{OVERLAY_MODULE}.py").write_text(body + textwrap.dedent(extra))
    return OVERLAY_MODULE


def json_lines(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON objects of a log, and the lines that were not JSON."""
    parsed, other = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            other.append(line)
            continue
        if isinstance(value, dict):
            parsed.append(value)
        else:
            other.append(line)
    return parsed, other


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base_url: str, token: str) -> Samples:
    """Every sample of GET /metrics, keyed by (name, sorted labels)."""
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        text = response.read().decode()
    values: Samples = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
