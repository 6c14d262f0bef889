from __future__ import annotations

from rest_framework import serializers

from rgms.files.models import StoredFile


class FileUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file, as a multipart part named `file`.")


class StoredFileOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = StoredFile
        fields = [
            "id",
            "owner_id",
            "original_name",
            "content_type",
            "extension",
            "kind",
            "size",
            "checksum_sha256",
            "storage",
            "url",
            "processing_status",
            "processing",
            "processing_task_id",
            "thumbnail_url",
            "compressed_url",
            "created_at",
            "processed_at",
        ]
        read_only_fields = fields
