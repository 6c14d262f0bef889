from django.contrib import admin

from rgms.messaging.models import AdminMessage, StaffMessage


@admin.register(StaffMessage)
class StaffMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "sender_staff", "created_at")
    search_fields = ("content",)
    list_select_related = ("sender_staff",)
    raw_id_fields = ("sender_staff",)


@admin.register(AdminMessage)
class AdminMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "sender_role", "subject", "status", "created_at")
    list_filter = ("status", "sender_role")
    search_fields = ("subject", "message", "admin_reply")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
