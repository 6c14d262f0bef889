"""gunicorn's entry point for the reference read: the product's application and settings,
with `urls` as the URLconf."""

from django.conf import settings

from config.wsgi import application

__all__ = ["application"]

# Before the first request: Django reads ROOT_URLCONF on every request, so every request of
# this process, the product's routes included, resolves through `urls.urlpatterns`.
settings.ROOT_URLCONF = "verification.benchmarks.reference_read.urls"
