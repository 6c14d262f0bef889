import factory

from rgms.staff.models import Staff


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    rank = "SSg"
    email = factory.Sequence(lambda n: f"staff{n}@example.edu")
    role = "Instructor"
