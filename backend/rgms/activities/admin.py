from typing import Any

from django.contrib import admin

from rgms.activities.models import Activity, ActivityImage
from rgms.activities.services import CACHE_NAMESPACE
from rgms.core import cache


class InvalidatingAdmin(admin.ModelAdmin):
    """Edits made on the admin site drop the cached activity reads too."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.invalidate(CACHE_NAMESPACE)

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        cache.invalidate(CACHE_NAMESPACE)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        cache.invalidate(CACHE_NAMESPACE)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        cache.invalidate(CACHE_NAMESPACE)


class ActivityImageInline(admin.TabularInline):
    model = ActivityImage
    extra = 0


@admin.register(Activity)
class ActivityAdmin(InvalidatingAdmin):
    list_display = ("id", "title", "type", "date")
    list_filter = ("type",)
    search_fields = ("title", "description")
    date_hierarchy = "date"
    inlines = [ActivityImageInline]


@admin.register(ActivityImage)
class ActivityImageAdmin(InvalidatingAdmin):
    list_display = ("id", "activity", "image_path", "created_at")
    list_select_related = ("activity",)
    raw_id_fields = ("activity",)
