import base64
import os

import factory
from factory.django import DjangoModelFactory

from rgms.notifications.models import Notification, PushSubscription


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def push_keys() -> dict[str, str]:
    """Keys shaped like a browser's: a 65-byte P-256 point and a 16-byte secret."""
    return {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))}


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    user = None
    message = factory.Faker("sentence")
    type = "general_update"


class PushSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = PushSubscription

    user_id = None
    endpoint = factory.Sequence(lambda n: f"https://push.example.org/send/{n}")
    keys = factory.LazyFunction(push_keys)
