"""Serializer fields for free text: HTML is sanitised with nh3 before anything is stored.

Plain text (titles, messages, subjects): every tag is removed (script and style with their
content), so the stored value never holds a raw ``<`` and is safe to place in HTML. nh3 also
escapes ``&`` and ``>``; those two are turned back because neither can open a tag, so
"A & B" stays readable. ``&lt;`` stays escaped. (Same policy as rgms.cadets.api.fields.)

Rich text (an activity's description): a small set of formatting tags survives, attributes
are limited to a link's href (http, https, mailto) and links get rel="noopener noreferrer".
"""

from __future__ import annotations

from typing import Any

import nh3
from rest_framework import serializers

RICH_TEXT_TAGS = frozenset(
    {"p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a", "blockquote", "code"}
)


def clean_text(value: str) -> str:
    cleaned = nh3.clean(value, tags=set())
    return cleaned.replace("&gt;", ">").replace("&amp;", "&")


def clean_rich_text(value: str) -> str:
    return nh3.clean(
        value,
        tags=set(RICH_TEXT_TAGS),
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
    )


class StrictCharField(serializers.CharField):
    """A CharField that takes strings only: 5 or true is a type error, not "5" or "True"."""

    default_error_messages = {"not_a_string": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes JSON true/false only (not "yes", 1 or "on")."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class PlainTextField(StrictCharField):
    """A CharField stripped of every HTML tag (see the module docstring)."""

    def to_internal_value(self, data: Any) -> str:
        value = clean_text(super().to_internal_value(data)).strip()
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class RichTextField(StrictCharField):
    """A CharField keeping only a few formatting tags (see the module docstring)."""

    def to_internal_value(self, data: Any) -> str:
        return clean_rich_text(super().to_internal_value(data)).strip()


class HttpUrlField(serializers.URLField):
    """An absolute http(s) URL; javascript:, data: and relative URLs are refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2048)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter an http or https URL.")
        return value


MAX_ID = 2**63 - 1  # the largest bigint primary key


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A primary key given in a body (whether its row exists is checked by the caller)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def missing_object(pk: object) -> str:
    """The reason given for an id with no row behind it (DRF's related-field wording)."""
    return serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(
        pk_value=pk
    )
