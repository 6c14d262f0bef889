from django.urls import include, path
from rest_framework.routers import SimpleRouter

from rgms.activities.api.views import ActivityImageViewSet, ActivityViewSet

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")

images = SimpleRouter()
images.register("images", ActivityImageViewSet, basename="activity-image")

urlpatterns = [
    *router.urls,
    path("activities/<int:activity_pk>/", include(images.urls)),
]
