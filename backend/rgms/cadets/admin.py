from django.contrib import admin

from rgms.cadets.models import Cadet


@admin.register(Cadet)
class CadetAdmin(admin.ModelAdmin):
    list_display = ("student_id", "last_name", "first_name", "company", "platoon", "status")
    list_filter = ("is_archived", "status", "company", "platoon")
    search_fields = ("student_id", "last_name", "first_name", "email")
    ordering = ("last_name", "first_name", "id")
