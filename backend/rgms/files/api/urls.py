from django.urls import path

from rgms.files.api.views import FileDetailApi, FileUploadApi

urlpatterns = [
    path("files/upload", FileUploadApi.as_view(), name="file-upload"),
    path("files/<int:pk>/", FileDetailApi.as_view(), name="file-detail"),
]
