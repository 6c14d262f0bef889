"""The Celery app of the worker and beat services; every option comes from CELERY_* settings."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rgms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _logging_from_django_settings(**_: object) -> None:
    """Worker and beat log through settings.LOGGING (JSON on stdout) instead of Celery's own
    format: connecting this signal tells Celery not to configure logging itself."""
    from django.conf import settings

    from config.logging import configure

    configure(settings.LOGGING)
