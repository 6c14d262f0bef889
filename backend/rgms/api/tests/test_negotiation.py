"""The API's content negotiation answers exactly as DRF's does, for any Accept header."""

from __future__ import annotations

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from rgms.api.negotiation import ApiContentNegotiation

ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/json;q=0.5, */*;q=0.1",
    "application/*",
    "text/html",
    "text/html, */*;q=0.1",
    "application/xml",
    "",
]
RENDERER_SETS = [[JSONRenderer], [JSONRenderer, BrowsableAPIRenderer], [BrowsableAPIRenderer]]


def _answer(negotiation: DefaultContentNegotiation, request: Request, renderers, suffix):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a format no renderer has
        return "404"
    return type(renderer), media_type


def _request(accept: str | None, query: str) -> Request:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/v1/cadets/{query}", **headers))


def _same_answer(accept: str | None, query: str, classes: list[type[BaseRenderer]], suffix):
    renderers = [renderer_class() for renderer_class in classes]
    ours = _answer(ApiContentNegotiation(), _request(accept, query), renderers, suffix)
    drfs = _answer(DefaultContentNegotiation(), _request(accept, query), renderers, suffix)
    assert ours == drfs


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml", "?page=2"])
@pytest.mark.parametrize("classes", RENDERER_SETS)
@pytest.mark.parametrize("suffix", [None, "json", "api"])
def test_the_answer_is_drfs(accept, query, classes, suffix) -> None:
    _same_answer(accept, query, classes, suffix)


@given(accept=st.text(alphabet="abcjnosptxl/*;=,. q0123456789+-", max_size=40))
def test_the_answer_is_drfs_for_any_header(accept: str) -> None:
    _same_answer(accept, "", [JSONRenderer, BrowsableAPIRenderer], None)


def test_it_is_the_apis_negotiation() -> None:
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is ApiContentNegotiation
