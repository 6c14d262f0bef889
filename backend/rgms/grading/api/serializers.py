"""Grade and merit/demerit ledger API bodies."""

from __future__ import annotations

from rest_framework import serializers

from rgms.api.fields import PlainTextField
from rgms.cadets.models import Cadet
from rgms.grading.models import MeritDemeritLog
from rgms.grading.services import STATUS_SPELLINGS, grade_status_normalize

MAX_POINTS_TOTAL = 10_000


def score_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=100)


class GradeInputSerializer(serializers.Serializer):
    """Scores (0-100), merit and demerit totals, and the grade status. A changed merit or
    demerit total is recorded in the ledger as the difference."""

    prelim_score = score_field()
    midterm_score = score_field()
    final_score = score_field()
    merit_points = serializers.IntegerField(min_value=0, max_value=MAX_POINTS_TOTAL)
    demerit_points = serializers.IntegerField(min_value=0, max_value=MAX_POINTS_TOTAL)
    status = serializers.CharField(
        max_length=10,
        required=False,
        help_text="active, INC, DO or T (any case).",
    )

    def validate_status(self, value: str) -> str:
        try:
            return grade_status_normalize(value)
        except KeyError:
            choices = ", ".join(sorted(STATUS_SPELLINGS.values()))
            raise serializers.ValidationError(f"Must be one of: {choices}.") from None


class GradeFilterSerializer(serializers.Serializer):
    cadet = serializers.IntegerField(min_value=1, required=False)
    status = serializers.CharField(max_length=10, required=False)
    is_archived = serializers.BooleanField(
        required=False, default=False, help_text="Grades of archived cadets only when true."
    )


class GradeFiguresSerializer(serializers.Serializer):
    """The stored grade columns and the computed grade, wherever a grade is shown (grade
    rows, roster rows)."""

    attendance_present = serializers.IntegerField(allow_null=True)
    merit_points = serializers.IntegerField(allow_null=True)
    demerit_points = serializers.IntegerField(allow_null=True)
    prelim_score = serializers.IntegerField(allow_null=True)
    midterm_score = serializers.IntegerField(allow_null=True)
    final_score = serializers.IntegerField(allow_null=True)
    lifetime_merit_points = serializers.IntegerField(allow_null=True)
    total_training_days = serializers.IntegerField()
    attendance_score = serializers.FloatField()
    aptitude_score = serializers.FloatField()
    subject_score = serializers.FloatField()
    final_grade = serializers.FloatField()
    transmuted_grade = serializers.FloatField(allow_null=True)
    remarks = serializers.CharField()


class GradeOutputSerializer(GradeFiguresSerializer):
    """A grade row: whose grade it is, its status, the stored columns and the computed grade."""

    id = serializers.IntegerField()
    cadet_id = serializers.IntegerField()
    student_id = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    company = serializers.CharField(allow_null=True)
    platoon = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)


class MeritDemeritLogInputSerializer(serializers.Serializer):
    cadet = serializers.PrimaryKeyRelatedField(queryset=Cadet.objects.filter(is_archived=False))
    type = serializers.ChoiceField(choices=MeritDemeritLog.Type.choices)
    points = serializers.IntegerField(min_value=1, max_value=1000)
    reason = PlainTextField(max_length=500, default=None, allow_blank=True, allow_null=True)


class MeritDemeritLogFilterSerializer(serializers.Serializer):
    cadet = serializers.IntegerField(min_value=1, required=False)
    type = serializers.ChoiceField(choices=MeritDemeritLog.Type.choices, required=False)


class MeritDemeritLogOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeritDemeritLog
        fields = (
            "id",
            "cadet",
            "type",
            "points",
            "reason",
            "date_recorded",
            "issued_by_user",
            "issued_by_name",
        )
        read_only_fields = fields
