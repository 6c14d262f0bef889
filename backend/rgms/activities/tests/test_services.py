import pytest

from rgms.activities import services
from rgms.activities.models import Activity, ActivityImage
from rgms.activities.tests.factories import ActivityFactory
from rgms.core.exceptions import ApplicationError
from rgms.notifications.models import Notification

pytestmark = pytest.mark.django_db

URLS = ["https://img.example.org/a.jpg", "https://img.example.org/b.jpg"]


def test_create_keeps_images_json_and_rows_equal() -> None:
    # given two image URLs
    # when an activity is created with them
    activity = services.activity_create(title="Parade", images=URLS)
    # then the JSON list, the first-image column and the image rows agree
    activity.refresh_from_db()
    assert activity.images == URLS
    assert activity.image_path == URLS[0]
    assert list(activity.activity_images.values_list("image_path", flat=True)) == URLS


def test_create_announces_with_a_global_notification() -> None:
    # given no notifications
    # when an announcement is created
    services.activity_create(title="No drill", type=Activity.Type.ANNOUNCEMENT)
    # then one global notification of that type exists
    notification = Notification.objects.get()
    assert notification.user_id is None
    assert notification.type == "announcement"
    assert "No drill" in notification.message


def test_update_replaces_images_only_when_given() -> None:
    # given an activity with two images
    activity = services.activity_create(title="Parade", images=URLS, notify=False)
    # when the title changes, then the images
    services.activity_update(activity=activity, title="Review")
    assert ActivityImage.objects.filter(activity=activity).count() == 2
    services.activity_update(activity=activity, images=[URLS[1]])
    # then only the image update replaced the rows
    activity.refresh_from_db()
    assert activity.title == "Review"
    assert activity.images == [URLS[1]]
    assert activity.image_path == URLS[1]
    assert ActivityImage.objects.filter(activity=activity).count() == 1


def test_image_add_and_delete_keep_the_list_in_step() -> None:
    # given an activity with one image
    activity = services.activity_create(title="Parade", images=URLS[:1], notify=False)
    # when a second image is added and the first removed
    added = services.activity_image_add(activity=activity, image_path=URLS[1])
    services.activity_image_delete(image=activity.activity_images.get(image_path=URLS[0]))
    # then the JSON list holds the second only
    activity.refresh_from_db()
    assert activity.images == [URLS[1]]
    assert activity.image_path == URLS[1]
    assert list(activity.activity_images.all()) == [added]


def test_image_add_refuses_past_the_limit() -> None:
    # given an activity holding the maximum number of images
    activity = ActivityFactory(
        images=[f"https://img.example.org/{n}.jpg" for n in range(services.MAX_IMAGES)]
    )
    # when one more is added
    # then it is refused, naming the field
    with pytest.raises(ApplicationError) as error:
        services.activity_image_add(activity=activity, image_path=URLS[0])
    assert "image_path" in error.value.errors


def test_delete_cascades_to_images() -> None:
    # given an activity with images
    activity = services.activity_create(title="Parade", images=URLS, notify=False)
    # when it is deleted
    services.activity_delete(activity=activity)
    # then its images are gone too
    assert not ActivityImage.objects.exists()
