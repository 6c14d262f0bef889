"""The Cloudinary storage through the real SDK, against the loopback stand-in."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rgms.files.models import StoredFile
from rgms.files.storage import CloudinaryStorage, StorageError, parse_cloudinary_url
from rgms.files.tests import samples
from rgms.files.tests.cloudinary_standin import CloudinaryStandIn, expected_signature


@pytest.fixture
def standin():
    server = CloudinaryStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def cloudinary_default_storage(settings, standin):
    settings.CLOUDINARY_URL = standin.cloudinary_url()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "rgms.files.storage.CloudinaryStorage"},
    }
    return standin


def test_url_options_are_parsed_without_touching_the_sdk_globals():
    options = parse_cloudinary_url(
        "cloudinary://key:s%40cret@cloud?upload_prefix=http://h:1&secure=false&cname=h:1"
    )

    assert options == {
        "cloud_name": "cloud",
        "api_key": "key",
        "api_secret": "s@cret",
        "secure": False,
        "upload_prefix": "http://h:1",
        "cname": "h:1",
    }


def test_round_trip_image_and_raw(standin):
    storage = CloudinaryStorage(url=standin.cloudinary_url(), timeout=5)
    png = samples.image_bytes("PNG", size=(40, 30))

    # when an image and a document are saved, read back, and one deleted
    image_name = storage.save("files/abc.png", ContentFile(png))
    pdf_name = storage.save("reports/tok/roster.pdf", ContentFile(b"%PDF-1.4 test"))

    # then they went to the image and raw upload endpoints, signed, with the expected ids
    uploads = [r for r in standin.requests if r["action"] == "upload"]
    assert [(r["resource_type"], r["fields"]["public_id"]) for r in uploads] == [
        ("image", "files/abc"),
        ("raw", "reports/tok/roster.pdf"),
    ]
    for request in uploads:
        fields = request["fields"]
        assert fields["api_key"] == standin.api_key
        assert fields["signature"] == expected_signature(fields, standin.api_secret)
    assert storage.url(image_name) == f"{standin.origin}/image/upload/v1/files/abc.png"
    with storage.open(image_name) as handle:
        assert handle.read() == png
    assert storage.exists(pdf_name)
    assert storage.size(pdf_name) == len(b"%PDF-1.4 test")

    storage.delete(pdf_name)
    assert not storage.exists(pdf_name)
    assert ("raw", "reports/tok/roster.pdf") not in standin.objects


def test_wrong_secret_is_a_storage_error(standin):
    storage = CloudinaryStorage(url=standin.cloudinary_url(secret="wrong"), timeout=5)

    with pytest.raises(StorageError, match="Invalid Signature"):
        storage.save("files/x.pdf", ContentFile(b"%PDF-1.4"))
    assert standin.objects == {}


def test_unreachable_service_is_a_storage_error(standin):
    url = standin.cloudinary_url()
    standin.stop()
    storage = CloudinaryStorage(url=url, timeout=2)

    with pytest.raises(StorageError):
        storage.save("files/x.pdf", ContentFile(b"%PDF-1.4"))


@pytest.mark.django_db
def test_upload_through_the_api_lands_in_cloudinary_and_is_processed(
    cloudinary_default_storage, cadet_client, django_capture_on_commit_callbacks
):
    standin = cloudinary_default_storage
    content = samples.image_bytes("PNG", size=(800, 600))

    with django_capture_on_commit_callbacks(execute=True):
        response = cadet_client.post(
            "/api/v1/files/upload",
            {"file": ContentFile(content, name="parade.png")},
            format="multipart",
        )

    assert response.status_code == 201
    stored = StoredFile.objects.get()
    assert stored.storage == "cloudinary"
    public_id = stored.file.name.rsplit(".", 1)[0]
    assert stored.url == f"{standin.origin}/image/upload/v1/{public_id}.png"
    assert standin.objects[("image", public_id)].data == content
    # processing read the original back from Cloudinary and stored a thumbnail there
    assert stored.processing_status == "done"
    assert ("image", f"{public_id}-thumb") in standin.objects
    assert stored.thumbnail_url.startswith(standin.origin)


@pytest.mark.django_db
def test_cloudinary_outage_during_upload_leaves_nothing(cloudinary_default_storage, cadet_client):
    standin = cloudinary_default_storage
    standin.fail_next_uploads = 1

    response = cadet_client.post(
        "/api/v1/files/upload",
        {"file": ContentFile(samples.pdf_bytes(), name="letter.pdf")},
        format="multipart",
    )

    assert response.status_code == 502
    assert response.json()["code"] == "storage_unavailable"
    assert not StoredFile.objects.exists()
    assert standin.objects == {}


@pytest.mark.django_db
def test_reports_use_cloudinary_as_default_storage(cloudinary_default_storage, staff_user):
    from rgms.reports import services
    from rgms.reports.models import Report

    report = Report.objects.create(owner=staff_user, kind=Report.Kind.ROSTER_CSV)

    done = services.report_generate(report=report)

    assert ("raw", done.file.name) in cloudinary_default_storage.objects
    with default_storage.open(done.file.name) as handle:
        assert handle.read().startswith(b"\xef\xbb\xbfstudent_id,")
