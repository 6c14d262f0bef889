"""File uploads: any signed-in user uploads; the owner (or an admin) reads the metadata."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rgms.api.schema import ErrorBodySerializer, error_responses
from rgms.files import selectors, services
from rgms.files.api.serializers import FileUploadInputSerializer, StoredFileOutputSerializer
from rgms.files.validation import FileTooLarge

# Multipart framing (boundaries, part headers) on top of the file itself.
_MULTIPART_OVERHEAD = 64 * 1024


class FileUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload a file (type checked by content; processing queued)",
        request={"multipart/form-data": FileUploadInputSerializer},
        responses={
            201: StoredFileOutputSerializer,
            **error_responses(400),
            413: OpenApiResponse(ErrorBodySerializer, description="The file is too large."),
            415: OpenApiResponse(
                ErrorBodySerializer, description="The content is not an accepted type."
            ),
            502: OpenApiResponse(
                ErrorBodySerializer, description="The storage failed; nothing was saved."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before Django spools it to disk.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        ceiling = services.upload_ceiling()
        if length > ceiling + _MULTIPART_OVERHEAD:
            reason = f"The request is larger than the largest accepted file ({ceiling} bytes)."
            raise FileTooLarge(reason, errors={"file": [reason]})
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationError({"file": ["No file was sent (multipart part named `file`)."]})
        stored = services.file_upload(owner=request.user, uploaded=uploaded)
        return Response(StoredFileOutputSerializer(stored).data, status=status.HTTP_201_CREATED)


class FileDetailApi(APIView):
    @extend_schema(
        summary="An uploaded file's metadata and processing state (its owner, or an admin)",
        responses={200: StoredFileOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        stored = selectors.stored_file_get(pk=pk, viewer=request.user)
        return Response(StoredFileOutputSerializer(stored).data)
