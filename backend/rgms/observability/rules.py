"""The error-rate alert's numbers: their one home. The server's alert (alerting.py) and the
gate's post-cutover watch (verification/thresholds.py imports them) judge traffic alike."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final


@dataclass(frozen=True)
class AlertRules:
    window_s: float = 300.0
    max_error_rate: Fraction = Fraction(5, 100)
    min_samples: int = 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_s": self.window_s,
            "alert_when_error_rate_above": float(self.max_error_rate),
            "comparison": "strict: exactly the limit is ok",
            "min_samples": self.min_samples,
        }


ALERT_RULES: Final = AlertRules()
