import datetime

import factory
from factory.django import DjangoModelFactory

from rgms.activities.models import Activity, ActivityImage


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"Field exercise {n}")
    description = factory.Faker("sentence")
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    type = Activity.Type.ACTIVITY
    images = factory.LazyFunction(list)


class ActivityImageFactory(DjangoModelFactory):
    class Meta:
        model = ActivityImage

    activity = factory.SubFactory(ActivityFactory)
    image_path = factory.Sequence(lambda n: f"https://img.example.org/{n}.jpg")
