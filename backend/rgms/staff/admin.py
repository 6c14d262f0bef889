from django.contrib import admin

from rgms.staff.models import Staff


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "rank", "role", "email", "is_archived")
    list_filter = ("is_archived", "role")
    search_fields = ("last_name", "first_name", "email")
    ordering = ("last_name", "first_name", "id")
