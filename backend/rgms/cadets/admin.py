"""Admin site for cadets. Edits here change what the roster and the cadet profiles show, so
they drop those cached reads as the API's writes do (:class:`CadetReadsAdminMixin`)."""

from typing import Any

from django.contrib import admin

from rgms.cadets.caching import cadet_reads_invalidate
from rgms.cadets.models import Cadet


class CadetReadsAdminMixin:
    """Drop the cached roster and the profiles of the cadets an admin-site edit touches."""

    cadet_field = "cadet_id"

    def _cadet_ids(self, objs: Any) -> list[int]:
        return [getattr(obj, self.cadet_field) for obj in objs]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        # A row moved to another cadet changes that cadet's reads too.
        moved_from = form.initial.get(self.cadet_field.removesuffix("_id"))
        cadet_reads_invalidate(cadet_ids=[*self._cadet_ids([obj]), *filter(None, [moved_from])])

    def delete_model(self, request: Any, obj: Any) -> None:
        cadet_ids = self._cadet_ids([obj])
        super().delete_model(request, obj)  # type: ignore[misc]
        cadet_reads_invalidate(cadet_ids=cadet_ids)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        cadet_ids = self._cadet_ids(queryset)
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        cadet_reads_invalidate(cadet_ids=cadet_ids)


@admin.register(Cadet)
class CadetAdmin(CadetReadsAdminMixin, admin.ModelAdmin):
    cadet_field = "pk"
    list_display = ("student_id", "last_name", "first_name", "company", "platoon", "status")
    list_filter = ("is_archived", "status", "company", "platoon")
    search_fields = ("student_id", "last_name", "first_name", "email")
    ordering = ("last_name", "first_name", "id")
