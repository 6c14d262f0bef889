import factory

from rgms.cadets.models import Cadet


class CadetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadet

    student_id = factory.Sequence(lambda n: f"2024-{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.student_id}@example.edu")
    course = "BSIT"
    company = "Alpha"
    platoon = "1"
    year_level = "2"
    status = Cadet.Status.ONGOING
    is_profile_completed = True
