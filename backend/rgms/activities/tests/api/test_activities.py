from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.activities.models import Activity, ActivityImage
from rgms.activities.tests.factories import ActivityFactory, ActivityImageFactory
from rgms.core import cache

pytestmark = pytest.mark.django_db

LIST = "/api/v1/activities/"
VALID = {"title": "Parade", "type": "activity", "images": ["https://img.example.org/1.jpg"]}

READ = {"anonymous": 401, "cadet": 200, "other_cadet": 200, "staff": 200, "admin": 200}


def _write(ok: int) -> dict[str, int]:
    return {"anonymous": 401, "cadet": 403, "other_cadet": 403, "staff": ok, "admin": ok}


MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "list", None, READ),
    ("post", "list", VALID, _write(201)),
    ("get", "detail", None, READ),
    ("put", "detail", VALID, _write(200)),
    ("patch", "detail", {"title": "Review"}, _write(200)),
    ("delete", "detail", None, _write(204)),
    ("get", "images", None, READ),
    ("post", "images", {"image_path": "https://img.example.org/2.jpg"}, _write(201)),
    ("delete", "image", None, _write(204)),
]


@pytest.mark.parametrize(
    ("method", "target", "body", "role", "expected"),
    [(m, t, b, role, code) for m, t, b, codes in MATRIX for role, code in codes.items()],
)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    method: str,
    target: str,
    body: dict[str, Any] | None,
    role: str,
    expected: int,
) -> None:
    # given an activity with an image
    image = ActivityImageFactory()
    activity = image.activity
    url = {
        "list": LIST,
        "detail": f"{LIST}{activity.pk}/",
        "images": f"{LIST}{activity.pk}/images/",
        "image": f"{LIST}{activity.pk}/images/{image.pk}/",
    }[target]
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, body, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_list_filters_by_type_newest_date_first(cadet_client: APIClient) -> None:
    # given two announcements and an activity
    older = ActivityFactory(type="announcement", date="2026-01-01")
    newer = ActivityFactory(type="announcement", date="2026-02-01")
    ActivityFactory(type="activity")
    # when a cadet lists announcements
    response = cadet_client.get(LIST, {"type": "announcement"})
    # then only those come back, newest first, with a total count
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]


def test_list_refuses_an_unknown_type(cadet_client: APIClient) -> None:
    # when the type filter is not a known type
    response = cadet_client.get(LIST, {"type": "party"})
    # then 400 names the parameter
    assert response.status_code == 400
    assert "type" in response.json()["errors"]


def test_page_size_is_capped_at_100(cadet_client: APIClient) -> None:
    # given 101 activities
    ActivityFactory.create_batch(101)
    # when a page of 500 is asked for
    response = cadet_client.get(LIST, {"page_size": 500})
    # then 100 come back, and the count says 101
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 101


def test_create_sanitises_html(staff_client: APIClient) -> None:
    # given a title and a description carrying script
    body = {
        "title": "<b>Parade</b><script>alert(1)</script> & review",
        "description": '<p onclick="x()">Bring <strong>boots</strong></p><script>x()</script>'
        '<a href="javascript:alert(1)">link</a>',
    }
    # when staff create the activity
    response = staff_client.post(LIST, body, format="json")
    # then the title holds no tags and the description only the safe ones
    assert response.status_code == 201, response.content
    activity = Activity.objects.get()
    assert activity.title == "Parade & review"
    assert activity.description == (
        '<p>Bring <strong>boots</strong></p><a rel="noopener noreferrer">link</a>'
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "activity"}, "title"),
        ({"title": ""}, "title"),
        ({"title": "<script>x</script>"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "Parade", "type": "party"}, "type"),
        ({"title": "Parade", "date": "someday"}, "date"),
        ({"title": "Parade", "images": "https://img.example.org/1.jpg"}, "images"),
        ({"title": "Parade", "images": ["javascript:alert(1)"]}, "images"),
        ({"title": "Parade", "images": ["/relative.jpg"]}, "images"),
        ({"title": "Parade", "images": ["https://a.example/1.jpg"] * 2}, "images"),
        (
            {"title": "Parade", "images": [f"https://a.example/{n}.jpg" for n in range(21)]},
            "images",
        ),
        ({"title": "Parade", "description": "x" * 10_001}, "description"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    admin_client: APIClient, body: dict[str, Any], field: str
) -> None:
    # when the admin sends invalid input
    response = admin_client.post(LIST, body, format="json")
    # then 400 names the field and nothing is written
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Activity.objects.exists()


def test_update_refuses_bad_input_and_writes_nothing(admin_client: APIClient) -> None:
    # given an activity
    activity = ActivityFactory(title="Parade")
    # when the admin patches it with a bad date
    response = admin_client.patch(f"{LIST}{activity.pk}/", {"date": "31/12/2026"}, format="json")
    # then 400 names the field and the row is unchanged
    assert response.status_code == 400
    assert "date" in response.json()["errors"]
    activity.refresh_from_db()
    assert activity.title == "Parade"


def test_image_create_refuses_bad_input_and_writes_nothing(admin_client: APIClient) -> None:
    # given an activity without images
    activity = ActivityFactory()
    # when the admin adds a non-URL image
    response = admin_client.post(
        f"{LIST}{activity.pk}/images/", {"image_path": "data:image/png;base64,AAA"}, format="json"
    )
    # then 400 names the field and nothing is written
    assert response.status_code == 400
    assert "image_path" in response.json()["errors"]
    assert not ActivityImage.objects.exists()


def test_unknown_activity_is_404(cadet_client: APIClient) -> None:
    # when a missing activity or its images are read
    # then both answer 404 with the error body
    for url in (f"{LIST}999999/", f"{LIST}999999/images/"):
        response = cadet_client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db(transaction=True)
def test_list_read_right_after_a_write_is_never_stale(
    admin_client: APIClient, cadet_client: APIClient
) -> None:
    # given a cached list (read twice: the second read is a cache hit)
    activity = ActivityFactory(title="Parade")
    cadet_client.get(LIST)
    assert cadet_client.get(LIST).json()["results"][0]["title"] == "Parade"
    # when the admin renames it, adds one, and then deletes the first
    admin_client.patch(f"{LIST}{activity.pk}/", {"title": "Review"}, format="json")
    renamed = cadet_client.get(LIST).json()
    admin_client.post(LIST, {"title": "Drill", "date": "2030-01-01"}, format="json")
    added = cadet_client.get(LIST).json()
    admin_client.delete(f"{LIST}{activity.pk}/")
    deleted = cadet_client.get(LIST).json()
    # then every read reflects the write just before it
    assert [row["title"] for row in renamed["results"]] == ["Review"]
    assert [row["title"] for row in added["results"]] == ["Drill", "Review"]
    assert [row["title"] for row in deleted["results"]] == ["Drill"]


def test_repeated_list_reads_are_cache_hits(cadet_client: APIClient) -> None:
    # given an activity and an empty cache
    ActivityFactory()
    before = cache.stats()
    # when the same page is read three times
    for _ in range(3):
        assert cadet_client.get(LIST).status_code == 200
    # then one miss built it and two hits served it
    after = cache.stats()
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 2


def test_junk_query_strings_share_one_cache_entry(cadet_client: APIClient) -> None:
    # given an activity
    ActivityFactory()
    before = cache.stats()
    # when the same page is asked for with different junk parameters and spellings
    for params in ({}, {"x": "1"}, {"x": "2", "page": "1"}, {"page_size": "20"}):
        assert cadet_client.get(LIST, params).status_code == 200
    # then one miss built it and the rest were hits
    after = cache.stats()
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 3


def test_a_bad_page_is_404_with_the_error_body(cadet_client: APIClient) -> None:
    # when a page that is not a number, or past the end, is asked for
    # then 404 with the error body
    for page in ("abc", "99"):
        response = cadet_client.get(LIST, {"page": page})
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message", "errors"}
