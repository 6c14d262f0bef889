"""Route labels are URL patterns, never raw paths."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from rgms.observability.routes import UNMATCHED, UNRESOLVED, normalise, route_of


@pytest.mark.parametrize(
    ("pattern", "label"),
    [
        ("api/v1/^cadets/(?P<pk>[^/.]+)/$", "/api/v1/cadets/<pk>/"),
        ("api/v1/^cadets/$", "/api/v1/cadets/"),
        ("api/v1/activities/<int:activity_pk>/^images/(?P<pk>[^/.]+)/$",
         "/api/v1/activities/<activity_pk>/images/<pk>/"),
        ("api/v1/tasks/<str:task_id>/", "/api/v1/tasks/<task_id>/"),
        ("api/v1/^cadets\\.(?P<format>[a-z0-9]+)/?$", "/api/v1/cadets.<format>/"),
        ("api/health", "/api/health"),
        ("", "/"),
    ],
)  # fmt: skip
def test_patterns_become_bounded_labels(pattern: str, label: str) -> None:
    assert normalise(pattern) == label


def test_two_objects_of_one_route_share_a_label() -> None:
    factory = RequestFactory()
    labels = set()
    for path in ("/api/v1/tasks/abc/", "/api/v1/tasks/def/"):
        request = factory.get(path)
        request.resolver_match = resolve(path)
        labels.add(route_of(request, 200))
    assert labels == {"/api/v1/tasks/<task_id>/"}


def test_unresolved_requests_are_one_label_each() -> None:
    request = RequestFactory().get("/wp-admin/../../etc/passwd")
    assert route_of(request, 404) == UNMATCHED
    assert route_of(request, 301) == UNRESOLVED
