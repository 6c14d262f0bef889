"""The Celery app of the worker and beat services; every option comes from CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rgms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
