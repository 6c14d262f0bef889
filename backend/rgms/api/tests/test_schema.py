"""The served OpenAPI schema documents the error responses pagination and bodies imply."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from rgms.api.schema import postprocess_implied_responses


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def test_every_paginated_list_documents_400_and_404(schema: dict[str, Any]) -> None:
    lists = [
        (path, operation)
        for path, method, operation in _operations(schema)
        if method == "get"
        and {p["name"] for p in operation.get("parameters", [])} & {"page", "cursor"}
    ]
    assert lists
    for path, operation in lists:
        assert {"400", "404"} <= set(operation["responses"]), path


def test_every_operation_with_a_body_documents_415(schema: dict[str, Any]) -> None:
    with_body = [(p, m, o) for p, m, o in _operations(schema) if "requestBody" in o]
    assert with_body
    for path, method, operation in with_body:
        assert "415" in operation["responses"], f"{method.upper()} {path}"


def test_a_views_own_description_is_kept() -> None:
    own = {"description": "mine", "content": {}}
    result = {
        "components": {"schemas": {"ErrorBody": {}}},
        "paths": {
            "/x/": {
                "get": {
                    "parameters": [{"name": "page", "in": "query"}],
                    "responses": {"200": {}, "404": own},
                },
                "post": {"requestBody": {}, "responses": {"201": {}}},
            }
        },
    }
    out = postprocess_implied_responses(result, None, None, True)
    get, post = out["paths"]["/x/"]["get"], out["paths"]["/x/"]["post"]
    assert get["responses"]["404"] is own
    assert list(get["responses"]) == ["200", "400", "404"]
    assert list(post["responses"]) == ["201", "415"]
