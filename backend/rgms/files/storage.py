"""Cloudinary as Django's default storage, through the official SDK.

Selected in settings when CLOUDINARY_URL is set (``cloudinary://key:secret@cloud``), so that
the web and worker services, which share no disk on Render, read and write the same files.
Query parameters of the URL pass SDK options (``upload_prefix`` for the API host, ``cname``,
``secure``, ``private_cdn`` for the delivery host): the tests point both at a loopback
stand-in. Images go to the ``image`` resource type (public id without extension, format
kept), everything else to ``raw`` (public id with extension), as Cloudinary expects.
Every call has a timeout; every failure is raised as :class:`StorageError`.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import cloudinary.uploader
import cloudinary.utils
import urllib3
from cloudinary.exceptions import Error as CloudinaryError
from cloudinary.exceptions import NotFound as CloudinaryNotFound
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

_http = urllib3.PoolManager()

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
_BOOLEAN_OPTIONS = frozenset({"secure", "private_cdn", "cdn_subdomain"})


class StorageError(OSError):
    """The storage service refused or could not be reached."""


def parse_cloudinary_url(url: str) -> dict[str, Any]:
    """SDK options from a CLOUDINARY_URL, without touching the SDK's global configuration."""
    parts = urlsplit(url)
    if parts.scheme != "cloudinary" or not parts.hostname:
        raise ValueError("CLOUDINARY_URL must look like cloudinary://key:secret@cloud_name")
    options: dict[str, Any] = {
        "cloud_name": parts.hostname,
        "api_key": unquote(parts.username or ""),
        "api_secret": unquote(parts.password or ""),
        "secure": True,
    }
    for key, value in parse_qsl(parts.query):
        options[key] = value.lower() == "true" if key in _BOOLEAN_OPTIONS else value
    return options


@deconstructible
class CloudinaryStorage(Storage):
    def __init__(self, url: str | None = None, timeout: float | None = None) -> None:
        self._url = url
        self._timeout = timeout

    @property
    def options(self) -> dict[str, Any]:
        return parse_cloudinary_url(self._url or settings.CLOUDINARY_URL)

    @property
    def timeout(self) -> float:
        return float(self._timeout or settings.CLOUDINARY_TIMEOUT)

    # Names ---------------------------------------------------------------------

    @staticmethod
    def _resource(name: str) -> tuple[str, str, str | None]:
        """(resource_type, public_id, format) of a storage name like files/ab/c.png."""
        stem, extension = posixpath.splitext(name)
        extension = extension.lstrip(".").lower()
        if extension in IMAGE_EXTENSIONS:
            return "image", stem, extension
        return "raw", name, None

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Callers choose unique names; the same name means "replace" (idempotent writes).
        return name

    # Storage API ---------------------------------------------------------------

    def _save(self, name: str, content: File) -> str:
        resource_type, public_id, _ = self._resource(name)
        content.seek(0)
        data = content.read()
        try:
            result = cloudinary.uploader.upload(
                (posixpath.basename(name), data),
                public_id=public_id,
                resource_type=resource_type,
                overwrite=True,
                unique_filename=False,
                use_filename=False,
                timeout=self.timeout,
                **self.options,
            )
        except CloudinaryError as exc:
            raise StorageError(f"Cloudinary upload of {name} failed: {exc}") from exc
        if result.get("public_id") != public_id:
            raise StorageError(
                f"Cloudinary stored {result.get('public_id')!r} instead of {public_id!r}"
            )
        if int(result.get("bytes", len(data))) != len(data):
            raise StorageError(f"Cloudinary stored {result.get('bytes')} bytes of {len(data)}")
        return name

    def url(self, name: str) -> str:
        resource_type, public_id, file_format = self._resource(name)
        options = {
            key: value
            for key, value in self.options.items()
            if key not in {"api_key", "api_secret", "upload_prefix"}
        }
        url, _ = cloudinary.utils.cloudinary_url(
            public_id, resource_type=resource_type, format=file_format, **options
        )
        return url

    def _get(self, name: str, method: str = "GET") -> urllib3.BaseHTTPResponse:
        try:
            response = _http.request(
                method, self.url(name), timeout=urllib3.Timeout(total=self.timeout), retries=1
            )
        except urllib3.exceptions.HTTPError as exc:
            raise StorageError(f"Cloudinary download of {name} failed: {exc}") from exc
        if response.status == 404:
            raise FileNotFoundError(name)
        if response.status != 200:
            raise StorageError(f"Cloudinary answered {response.status} for {name}")
        return response

    def _open(self, name: str, mode: str = "rb") -> File:
        return ContentFile(self._get(name).data, name=name)

    def exists(self, name: str) -> bool:
        try:
            self._get(name, method="HEAD")
        except FileNotFoundError:
            return False
        return True

    def size(self, name: str) -> int:
        return int(self._get(name, method="HEAD").headers.get("Content-Length", 0))

    def delete(self, name: str) -> None:
        resource_type, public_id, _ = self._resource(name)
        try:
            cloudinary.uploader.destroy(
                public_id,
                resource_type=resource_type,
                invalidate=True,
                timeout=self.timeout,
                **self.options,
            )
        except CloudinaryNotFound:
            return
        except CloudinaryError as exc:
            raise StorageError(f"Cloudinary delete of {name} failed: {exc}") from exc
