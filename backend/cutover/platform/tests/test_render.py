"""The Render adapter against a loopback stand-in that follows Render's documented API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover.platform.base import PlatformError, ServiceRole
from cutover.platform.blueprint import BlueprintError, validate_blueprint
from cutover.platform.render import RenderAPIError, RenderClient, RenderPlatform, RetryPolicy
from cutover.platform.tests.render_standin import RenderStandIn

REPO_ROOT = Path(__file__).resolve().parents[4]
RENDER_YAML = REPO_ROOT / "render.yaml"
KEY = "rnd_standin_key"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def api() -> Iterator[RenderStandIn]:
    with RenderStandIn(KEY) as standin:
        blueprint = validate_blueprint(RENDER_YAML)
        for service in blueprint.services:
            kind = "web_service" if service.type == "web" else "background_worker"
            standin.add_service(service.name, kind, commit=COMMIT)
        standin.add_service("rotc-frontend", "static_site", commit=COMMIT)
        standin.add_service("unrelated", "web_service", commit="f" * 40)
        yield standin


def make_client(
    api: RenderStandIn, sleeps: list[float] | None = None, **kw: object
) -> RenderClient:
    waits = sleeps if sleeps is not None else []
    return RenderClient(KEY, base_url=api.url, timeout=5, sleep=waits.append, **kw)  # type: ignore[arg-type]


@pytest.fixture
def platform(api: RenderStandIn) -> RenderPlatform:
    return RenderPlatform(
        make_client(api), validate_blueprint(RENDER_YAML), frontend_service="rotc-frontend"
    )


def test_deploy_status_reads_every_service_latest_deploy_and_commit(
    platform: RenderPlatform, api: RenderStandIn
) -> None:
    # when the status of the four services is read
    status = platform.deploy_status()
    # then each role maps to its blueprint service, live, on the same commit
    assert [s.role for s in status.services] == ["web", "channels", "worker", "beat"]
    assert status.all_live
    assert status.same_commit is True
    assert status.service("beat").name == "rotc-celery-beat"  # type: ignore[union-attr]
    # and the calls were the documented ones
    paths = {(m, p) for m, p, _ in api.requests}
    assert ("GET", "/services") in paths
    assert any(p.endswith("/deploys") for _, p in paths)


def test_different_commits_and_a_failed_deploy_are_reported(
    platform: RenderPlatform, api: RenderStandIn
) -> None:
    # given the worker on another commit and the beat's latest deploy failed
    api.by_name("rotc-celery-worker").deploys[0]["commit"]["id"] = "b" * 40
    api.by_name("rotc-celery-beat").deploys[0]["status"] = "build_failed"
    status = platform.deploy_status()
    assert status.same_commit is False
    assert not status.all_live
    beat = status.service("beat")
    assert beat is not None
    assert not beat.live
    assert beat.status == "build_failed"


def test_stop_suspends_in_order_and_start_resumes(
    platform: RenderPlatform, api: RenderStandIn
) -> None:
    stopped = platform.stop_services()
    assert [s.role for s in stopped] == ["web", "channels", "beat", "worker"]
    assert all(s.suspended and not s.live for s in stopped)
    suspends = [p for m, p, _ in api.requests if p.endswith("/suspend")]
    assert suspends == [
        f"/services/{api.by_name(name).id}/suspend"
        for name in (
            "rotc-django-web",
            "rotc-django-channels",
            "rotc-celery-beat",
            "rotc-celery-worker",
        )
    ]
    started = platform.start_services()
    assert [s.role for s in started] == ["worker", "beat", "channels", "web"]
    assert all(s.live for s in started)


def test_point_frontend_sets_the_variable_and_redeploys(
    platform: RenderPlatform, api: RenderStandIn
) -> None:
    api.by_name("rotc-frontend").env = {"VITE_API_URL": "https://new.example", "OTHER": "x"}
    pointer = platform.point_frontend("https://legacy.example")
    frontend = api.by_name("rotc-frontend")
    assert pointer.previous == "https://new.example"
    assert frontend.env == {"VITE_API_URL": "https://legacy.example", "OTHER": "x"}
    assert pointer.deploy_id == frontend.deploys[0]["id"]
    assert frontend.deploys[0]["status"] == "build_in_progress"


def test_rollback_to_a_previous_deploy(platform: RenderPlatform, api: RenderStandIn) -> None:
    web = api.by_name("rotc-django-web")
    previous = web.deploys[0]["id"]
    web.deploys.insert(0, {**web.deploys[0], "id": "dep-new", "commit": {"id": "c" * 40}})
    deploy = platform.rollback_service(ServiceRole.WEB, previous)
    assert deploy is not None
    assert deploy.commit == COMMIT
    assert ("POST", f"/services/{web.id}/rollbacks", {"deployId": previous}) in api.requests


def test_retries_5xx_with_backoff_then_succeeds(api: RenderStandIn) -> None:
    sleeps: list[float] = []
    client = make_client(api, sleeps, retry=RetryPolicy(attempts=4, base_s=0.1, jitter=0))
    api.fail_next("/services", 503, 502)
    services = client.list_services()
    assert len(services) == 6
    assert sleeps == [0.1, 0.2]


def test_429_waits_retry_after(api: RenderStandIn) -> None:
    sleeps: list[float] = []
    client = make_client(api, sleeps)
    service = api.by_name("rotc-django-web")
    api.fail_next(f"/services/{service.id}/deploys", 429, headers={"Retry-After": "3"})
    deploy = client.latest_deploy(service.id)
    assert deploy is not None
    assert deploy.status == "live"
    assert sleeps == [3.0]


def test_gives_up_after_bounded_retries(api: RenderStandIn) -> None:
    sleeps: list[float] = []
    client = make_client(api, sleeps, retry=RetryPolicy(attempts=3, base_s=0.01))
    api.fail_next("/services", 500, 500, 500, 500)
    with pytest.raises(RenderAPIError, match="gave up after 3 tries"):
        client.list_services()
    assert len(sleeps) == 2


def test_trigger_deploy_is_not_retried_on_5xx(api: RenderStandIn) -> None:
    # a 5xx on a POST that starts work may have started it: never send it twice
    client = make_client(api)
    service = api.by_name("rotc-django-web")
    api.fail_next(f"/services/{service.id}/deploys", 500)
    with pytest.raises(RenderAPIError, match="HTTP 500"):
        client.trigger_deploy(service.id)
    posts = [r for r in api.requests if r[0] == "POST" and r[1].endswith("/deploys")]
    assert len(posts) == 1


def test_wrong_key_is_refused_without_retry(api: RenderStandIn) -> None:
    client = RenderClient("rnd_wrong", base_url=api.url, timeout=5, sleep=lambda s: None)
    with pytest.raises(RenderAPIError, match="HTTP 401: unauthorized"):
        client.list_services()
    assert len(api.requests) == 1


def test_no_answer_is_an_error_not_a_hang() -> None:
    # a port nothing listens on: refused at once, retried, then reported
    client = RenderClient(
        KEY, base_url="http://127.0.0.1:9/v1", timeout=1, sleep=lambda s: None,
        retry=RetryPolicy(attempts=2),
    )  # fmt: skip
    with pytest.raises(RenderAPIError, match="no answer"):
        client.list_services()


def test_missing_service_is_named(api: RenderStandIn) -> None:
    del api.services[api.by_name("rotc-celery-beat").id]
    platform = RenderPlatform(make_client(api), validate_blueprint(RENDER_YAML))
    with pytest.raises(PlatformError, match="rotc-celery-beat"):
        platform.deploy_status()


def test_env_vars_round_trip(api: RenderStandIn) -> None:
    client = make_client(api)
    service = api.by_name("rotc-django-web")
    client.put_env_vars(service.id, {"A": "1", "B": "2"})
    assert client.list_env_vars(service.id) == {"A": "1", "B": "2"}
    client.set_env_var(service.id, "B", "3")
    assert client.list_env_vars(service.id) == {"A": "1", "B": "3"}


def test_blueprint_is_validated_before_any_call(tmp_path: Path, api: RenderStandIn) -> None:
    # given a render.yaml whose beat runs twice
    broken = tmp_path / "render.yaml"
    text = RENDER_YAML.read_text().replace("numInstances: 1", "numInstances: 2")
    broken.write_text(text)
    # when the platform is built from it, it refuses before calling the API
    with pytest.raises(BlueprintError, match="exactly one instance"):
        RenderPlatform.from_files(broken, KEY, base_url=api.url)
    assert api.requests == []


def test_copy_of_render_yaml_validates(tmp_path: Path) -> None:
    copy = tmp_path / "render.yaml"
    shutil.copy(RENDER_YAML, copy)
    blueprint = validate_blueprint(copy)
    assert blueprint.env_group == "rgms-shared"
    assert blueprint.names == {
        "web": "rotc-django-web",
        "channels": "rotc-django-channels",
        "worker": "rotc-celery-worker",
        "beat": "rotc-celery-beat",
    }
