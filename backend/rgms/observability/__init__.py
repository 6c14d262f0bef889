"""Observability: request metrics, request ids in logs and tasks, the metrics summary, the
error-rate alert and the security audit trail helpers (docs/monitoring.md)."""
