"""Test settings with one deliberately slowed endpoint, for test_load_verdicts.py.

``rgms.core.slowdown`` honours ``TEST_RESPONSE_DELAYS`` under the test settings only; this
module is what the slowed gunicorn runs with. ``/api/v1/auth/me`` is a third of the cadets' reads
in the read mix, so 600 ms there puts the read class's p95 above its 500 ms budget.
"""

from config.settings.test import *  # noqa: F403

SLOWED_PATH = "/api/v1/auth/me"
SLOWED_BY_S = 0.6
TEST_RESPONSE_DELAYS = {SLOWED_PATH: SLOWED_BY_S}
