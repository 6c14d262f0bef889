"""The v1 URL root: each app contributes its own router."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
