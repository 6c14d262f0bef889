import factory

from rgms.cadets.tests.factories import CadetFactory
from rgms.grading.models import Grade, MeritDemeritLog


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade
        django_get_or_create = ("cadet",)

    cadet = factory.SubFactory(CadetFactory)
    attendance_present = 0
    merit_points = 0
    demerit_points = 0
    prelim_score = 80
    midterm_score = 80
    final_score = 80
    status = Grade.Status.ACTIVE
    lifetime_merit_points = 0


class MeritDemeritLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeritDemeritLog

    cadet = factory.SubFactory(CadetFactory)
    type = MeritDemeritLog.Type.MERIT
    points = 2
    reason = "Good conduct"
    issued_by_name = "SSg Cruz"
