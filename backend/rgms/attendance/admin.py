"""Admin site for attendance. Edits made here keep the rules of the API's writes: adding or
removing a training day changes every attendance score (cached reads dropped, the day's
cadets recounted), and a record changed here recounts its cadet's attended days."""

from typing import Any

from django.contrib import admin
from django.db import transaction

from rgms.attendance import services
from rgms.attendance.models import (
    AttendanceRecord,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.caching import cadet_reads_invalidate


@admin.register(TrainingDay)
class TrainingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "title")
    search_fields = ("title",)
    date_hierarchy = "date"

    def save_model(self, request: Any, obj: TrainingDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cadet_reads_invalidate(training_days=True)

    def delete_model(self, request: Any, obj: TrainingDay) -> None:
        services.training_day_delete(training_day=obj)

    @transaction.atomic
    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for day in queryset:
            services.training_day_delete(training_day=day)


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    list_display = ("training_day", "cadet", "status", "time_in", "time_out")
    list_filter = ("status",)
    list_select_related = ("training_day", "cadet")
    raw_id_fields = ("training_day", "cadet")
    search_fields = ("cadet__student_id", "cadet__last_name")

    def save_model(self, request: Any, obj: AttendanceRecord, form: Any, change: bool) -> None:
        # A record moved to another cadet changes both cadets' counts.
        services.attendance_edit(
            cadet_ids={obj.cadet_id, form.initial.get("cadet")},
            edit=lambda: super(AttendanceRecordAdmin, self).save_model(request, obj, form, change),
        )

    def delete_model(self, request: Any, obj: AttendanceRecord) -> None:
        services.attendance_delete(record=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        services.attendance_edit(
            cadet_ids=set(queryset.values_list("cadet_id", flat=True)),
            edit=lambda: super(AttendanceRecordAdmin, self).delete_queryset(request, queryset),
        )


@admin.register(StaffAttendanceRecord)
class StaffAttendanceRecordAdmin(admin.ModelAdmin):
    list_display = ("training_day", "staff", "status", "time_in", "time_out")
    list_filter = ("status",)
    list_select_related = ("training_day", "staff")
    raw_id_fields = ("training_day", "staff")


@admin.register(ExcuseLetter)
class ExcuseLetterAdmin(admin.ModelAdmin):
    list_display = ("cadet", "date_absent", "training_day", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("cadet", "training_day")
    raw_id_fields = ("cadet", "training_day")
