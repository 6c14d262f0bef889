from typing import Any

from django.contrib import admin

from rgms.notifications.models import Notification, PushSubscription
from rgms.notifications.selectors import notifications_invalidate_all


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "type", "priority", "is_read", "created_at")
    list_filter = ("type", "priority", "is_read")
    search_fields = ("message",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    # Edits made here may move a row between users: they drop every cached notification read.
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        notifications_invalidate_all()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        notifications_invalidate_all()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        notifications_invalidate_all()


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "user_id", "endpoint", "created_at")
    search_fields = ("endpoint",)
