from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "rgms.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from rgms.observability import celery_signals, metrics

        metrics.count_read_cache()
        celery_signals.connect()
