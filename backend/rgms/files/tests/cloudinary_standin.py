"""A loopback stand-in for Cloudinary's Upload API and delivery host, for tests.

It implements the request/response contract Cloudinary documents for the endpoints the SDK
calls here, so the real SDK runs unchanged against it (pointed here by ``upload_prefix`` and
``cname`` in CLOUDINARY_URL):

* ``POST /v1_1/<cloud>/<image|raw>/upload``: multipart form with ``file``, ``api_key``,
  ``timestamp``, ``signature`` and the upload parameters. The signature must be the SHA-1 hex
  of the parameters (all but file, api_key, cloud_name, resource_type and signature) sorted by
  name, joined as ``k=v`` with ``&`` (``&`` inside values escaped as ``%26``), followed by the
  API secret. A wrong key or signature answers 401, a timestamp older than an hour 400, both
  with ``{"error": {"message": ...}}``. Success answers the documented resource fields
  (asset_id, public_id, version, signature, width/height for images, format, resource_type,
  created_at, bytes, type, etag, url, secure_url, original_filename).
* ``POST /v1_1/<cloud>/<type>/destroy``: signed likewise; ``{"result": "ok" | "not found"}``.
* ``GET``/``HEAD /<image|raw>/upload/v<version>/<public_id>[.<format>]``: the stored bytes.

``fail_next_uploads`` makes the next uploads answer 500, as an outage would.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

_UNSIGNED = {"file", "api_key", "cloud_name", "resource_type", "signature"}


def expected_signature(params: dict[str, str], secret: str) -> str:
    signed = sorted((k, v) for k, v in params.items() if k not in _UNSIGNED and v != "")
    to_sign = "&".join(f"{key}={value.replace('&', '%26')}" for key, value in signed)
    return hashlib.sha1((to_sign + secret).encode()).hexdigest()  # noqa: S324 (their scheme)


@dataclass
class Stored:
    data: bytes
    resource_type: str
    public_id: str
    format: str | None
    version: int


@dataclass
class CloudinaryStandIn:
    cloud_name: str = "rgms-test"
    api_key: str = "123456789012345"
    api_secret: str = "stand-in-secret"
    objects: dict[tuple[str, str], Stored] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next_uploads: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cloudinary_url(self, *, secret: str | None = None) -> str:
        host = f"127.0.0.1:{self.port}"
        return (
            f"cloudinary://{self.api_key}:{secret or self.api_secret}@{self.cloud_name}"
            f"?upload_prefix={self.origin}&cname={host}&secure=false&private_cdn=true"
        )

    def start(self) -> CloudinaryStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                standin._post(self)

            def do_GET(self) -> None:
                standin._deliver(self, body=True)

            def do_HEAD(self) -> None:
                standin._deliver(self, body=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # Upload API ---------------------------------------------------------------

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        parts = handler.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "v1_1" or parts[1] != self.cloud_name:
            return self._json(handler, 404, {"error": {"message": "Not found"}})
        _, _, resource_type, action = parts
        length = int(handler.headers.get("Content-Length", 0))
        fields, upload = self._form(handler.headers["Content-Type"], handler.rfile.read(length))
        self.requests.append({"action": action, "resource_type": resource_type, "fields": fields})

        if fields.get("api_key") != self.api_key:
            return self._json(handler, 401, {"error": {"message": "Invalid api_key"}})
        if fields.get("signature") != expected_signature(fields, self.api_secret):
            return self._json(handler, 401, {"error": {"message": "Invalid Signature"}})
        if abs(time.time() - int(fields.get("timestamp", "0"))) > 3600:
            return self._json(handler, 400, {"error": {"message": "Stale request"}})

        if action == "destroy":
            found = self.objects.pop((resource_type, fields["public_id"]), None)
            return self._json(handler, 200, {"result": "ok" if found else "not found"})
        if action != "upload" or resource_type not in {"image", "raw"}:
            return self._json(handler, 404, {"error": {"message": "Unsupported"}})
        if self.fail_next_uploads > 0:
            self.fail_next_uploads -= 1
            return self._json(handler, 500, {"error": {"message": "General Error"}})
        if upload is None:
            return self._json(
                handler, 400, {"error": {"message": "Missing required parameter - file"}}
            )
        return self._json(handler, 200, self._store(resource_type, fields, *upload))

    def _store(self, resource_type: str, fields: dict[str, str], filename: str, data: bytes):
        public_id = fields.get("public_id") or hashlib.sha1(data).hexdigest()[:20]  # noqa: S324
        version = int(time.time())
        extra: dict[str, Any] = {}
        file_format: str | None = None
        if resource_type == "image":
            try:
                with Image.open(io.BytesIO(data)) as image:
                    file_format = (image.format or "").lower().replace("jpeg", "jpg")
                    extra = {"width": image.width, "height": image.height}
            except OSError:
                return {"error": {"message": "Invalid image file"}}
        self.objects[(resource_type, public_id)] = Stored(
            data, resource_type, public_id, file_format, version
        )
        suffix = f".{file_format}" if file_format else ""
        path = f"{resource_type}/upload/v{version}/{public_id}{suffix}"
        return {
            "asset_id": hashlib.md5(public_id.encode()).hexdigest(),  # noqa: S324
            "public_id": public_id,
            "version": version,
            "version_id": hashlib.md5(str(version).encode()).hexdigest(),  # noqa: S324
            "signature": hashlib.sha1(data).hexdigest(),  # noqa: S324
            **extra,
            "format": file_format,
            "resource_type": resource_type,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tags": [],
            "bytes": len(data),
            "type": "upload",
            "etag": hashlib.md5(data).hexdigest(),  # noqa: S324
            "placeholder": False,
            "url": f"{self.origin}/{path}",
            "secure_url": f"{self.origin}/{path}",
            "original_filename": filename.rsplit(".", 1)[0],
        }

    @staticmethod
    def _form(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields: dict[str, str] = {}
        upload = None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name == "file":
                upload = (part.get_filename() or "file", payload)
            else:
                fields[name] = payload.decode()
        return fields, upload

    # Delivery -----------------------------------------------------------------

    def _deliver(self, handler: BaseHTTPRequestHandler, *, body: bool) -> None:
        parts = handler.path.strip("/").split("/", 3)
        if len(parts) != 4 or parts[1] != "upload" or not parts[2].startswith("v"):
            return self._raw(handler, 404, b"", body=body)
        resource_type, public_id = parts[0], parts[3]
        stored = self.objects.get((resource_type, public_id))
        if stored is None and "." in public_id:
            stored = self.objects.get((resource_type, public_id.rsplit(".", 1)[0]))
        if stored is None:
            return self._raw(handler, 404, b"", body=body)
        return self._raw(handler, 200, stored.data, body=body)

    @staticmethod
    def _raw(handler: BaseHTTPRequestHandler, status: int, data: bytes, *, body: bool) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if body:
            handler.wfile.write(data)

    @staticmethod
    def _json(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
