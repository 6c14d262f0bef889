from django.contrib import admin

from rgms.audit.models import AuditLog, SyncEvent
from rgms.core.admin import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "table_name",
        "operation",
        "record_id",
        "user_id",
        "ip_address",
        "created_at",
    )
    list_filter = ("table_name", "operation")
    search_fields = ("table_name", "operation", "=record_id", "=user_id")
    date_hierarchy = "created_at"


@admin.register(SyncEvent)
class SyncEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "event_type", "cadet", "processed", "created_at", "processed_at")
    list_filter = ("event_type", "processed")
    list_select_related = ("cadet",)
