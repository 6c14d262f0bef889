"""The Render services as a deploy-verify target (through ``cutover.platform.render``).

``render.yaml`` is validated before any API call. URLs: given, or read from each web service's
``serviceDetails.url`` in Render's API. Accounts: a JSON file (one account per role, created on
staging beforehand). The beat canary on Render is the real every-minute ``error-rate-check``
entry of the schedule; observing it (and reading the stored schedule) needs read access to the
database (``--database-url``, Render's external connection string); without it those checks
SKIP with the reason, and the gate cannot say GO.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from cutover.platform.base import PlatformError, ServiceRole
from cutover.platform.render import API_URL, RenderPlatform
from verification.targets.base import Canary, Target, read_accounts

RENDER_CANARY: Final = Canary("error-rate-check", 60.0, "rgms.observability.tasks.error_rate_check")


def render_target(
    *,
    blueprint_path: Path,
    api_key: str,
    accounts_file: Path,
    api_url: str = API_URL,
    web_url: str | None = None,
    ws_url: str | None = None,
    database_url: str | None = None,
    broker_url: str | None = None,
    canary: Canary | None = RENDER_CANARY,
    frontend_service: str | None = None,
) -> Target:
    platform = RenderPlatform.from_files(
        blueprint_path, api_key, base_url=api_url, frontend_service=frontend_service
    )

    def service_url(role: ServiceRole) -> str:
        name = platform.blueprint.names[role]
        for service in platform.client.list_services(name=name):
            url = (service.get("serviceDetails") or {}).get("url")
            if service.get("name") == name and url:
                return str(url).rstrip("/")
        raise PlatformError(f"Render reports no URL for {name}; pass it explicitly")

    web = (web_url or service_url(ServiceRole.WEB)).rstrip("/")
    channels = ws_url or service_url(ServiceRole.CHANNELS)
    channels_http = channels.replace("wss://", "https://").replace("ws://", "http://")
    ws = channels_http.replace("https://", "wss://").replace("http://", "ws://")
    return Target(
        kind="render",
        web_url=web,
        ws_url=ws.rstrip("/"),
        accounts=read_accounts(accounts_file),
        platform=platform,
        channels_url=channels_http.rstrip("/"),
        database_url=database_url,
        broker_url=broker_url,
        canary=canary,
        description=f"Render services of {blueprint_path.name}",
    )
