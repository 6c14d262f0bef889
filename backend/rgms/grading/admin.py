"""Admin site for grades (edits drop the cadet's cached reads) and the merit/demerit ledger
(read-only here: entries are only added through the API, which keeps the totals on the grade
row and the audit trail in step)."""

from django.contrib import admin

from rgms.cadets.admin import CadetReadsAdminMixin
from rgms.core.admin import ReadOnlyAdmin
from rgms.grading.models import Grade, MeritDemeritLog


@admin.register(Grade)
class GradeAdmin(CadetReadsAdminMixin, admin.ModelAdmin):
    list_display = (
        "cadet",
        "attendance_present",
        "merit_points",
        "demerit_points",
        "prelim_score",
        "midterm_score",
        "final_score",
        "status",
    )
    list_filter = ("status",)
    list_select_related = ("cadet",)
    raw_id_fields = ("cadet",)
    search_fields = ("cadet__student_id", "cadet__last_name")


@admin.register(MeritDemeritLog)
class MeritDemeritLogAdmin(ReadOnlyAdmin):
    list_display = ("cadet", "type", "points", "reason", "date_recorded", "issued_by_name")
    list_filter = ("type",)
    list_select_related = ("cadet",)
    raw_id_fields = ("cadet", "issued_by_user")
    search_fields = ("cadet__student_id", "cadet__last_name", "reason")
