from rest_framework.routers import SimpleRouter

from rgms.staff.api.views import StaffViewSet

router = SimpleRouter()
router.register("staff", StaffViewSet, basename="staff")

urlpatterns = router.urls
