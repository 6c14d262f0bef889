from rest_framework.routers import SimpleRouter

from rgms.grading.api.views import GradeViewSet, MeritDemeritLogViewSet

router = SimpleRouter()
router.register("grades", GradeViewSet, basename="grade")
router.register("merit-demerit-logs", MeritDemeritLogViewSet, basename="merit-demerit-log")

urlpatterns = router.urls
