from django.urls import path
from rest_framework.routers import SimpleRouter

from rgms.preferences.api.views import SystemSettingViewSet, UserSettingsMeApi

router = SimpleRouter()
router.register("system-settings", SystemSettingViewSet, basename="system-setting")

urlpatterns = [
    path("settings/me/", UserSettingsMeApi.as_view(), name="user-settings-me"),
    *router.urls,
]
