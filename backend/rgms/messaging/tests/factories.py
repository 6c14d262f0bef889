import factory
from factory.django import DjangoModelFactory

from rgms.messaging.models import AdminMessage, StaffMessage
from rgms.staff.models import Staff


class SenderStaffFactory(DjangoModelFactory):
    """A training staff record to post in the staff chat (the staff app owns the full one)."""

    class Meta:
        model = Staff

    rank = "SSg"
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"sender{n}@staff.example.org")


class StaffMessageFactory(DjangoModelFactory):
    class Meta:
        model = StaffMessage

    sender_staff = factory.SubFactory(SenderStaffFactory)
    content = factory.Faker("sentence")


class AdminMessageFactory(DjangoModelFactory):
    class Meta:
        model = AdminMessage

    user = None
    sender_role = factory.LazyAttribute(
        lambda message: message.user.role if message.user else "admin"
    )
    subject = factory.Faker("sentence", nb_words=4)
    message = factory.Faker("paragraph")
    status = factory.LazyAttribute(
        lambda message: (
            AdminMessage.Status.PENDING if message.user else AdminMessage.Status.BROADCAST
        )
    )
