from django.urls import path

from rgms.jobs.api.views import TaskStatusApi

urlpatterns = [
    path("tasks/<str:task_id>/", TaskStatusApi.as_view(), name="task-status"),
]
