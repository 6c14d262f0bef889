from django.contrib import admin

from rgms.attendance.models import (
    AttendanceRecord,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)


@admin.register(TrainingDay)
class TrainingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "title")
    search_fields = ("title",)
    date_hierarchy = "date"


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    list_display = ("training_day", "cadet", "status", "time_in", "time_out")
    list_filter = ("status",)
    list_select_related = ("training_day", "cadet")
    raw_id_fields = ("training_day", "cadet")
    search_fields = ("cadet__student_id", "cadet__last_name")


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
