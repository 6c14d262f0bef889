"""Reading uploaded files' metadata, scoped to who may see it."""

from __future__ import annotations

from django.http import Http404

from rgms.core.exceptions import NotAllowed
from rgms.files.models import StoredFile
from rgms.users.models import User


def stored_file_get(*, pk: int, viewer: User) -> StoredFile:
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None:
        raise Http404
    if not viewer.is_admin and stored.owner_id != viewer.pk:
        raise NotAllowed("Only the owner of this file, or an admin, may read it.")
    return stored
