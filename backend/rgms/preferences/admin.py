from typing import Any

from django.contrib import admin

from rgms.core import cache
from rgms.preferences.models import SystemSetting, UserSettings
from rgms.preferences.selectors import CACHE_NAMESPACE


@admin.register(SystemSetting)
class SystemSettingAdmin(admin.ModelAdmin):
    list_display = ("key", "value")
    search_fields = ("key",)

    # Edits made here drop the cached settings too.
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.invalidate(CACHE_NAMESPACE)

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        cache.invalidate(CACHE_NAMESPACE)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        cache.invalidate(CACHE_NAMESPACE)


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "dark_mode", "compact_mode", "primary_color")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
