from rest_framework.routers import SimpleRouter

from rgms.messaging.api.views import AdminMessageViewSet, StaffMessageViewSet

router = SimpleRouter()
router.register("messages/staff", StaffMessageViewSet, basename="staff-message")
router.register("messages/admin", AdminMessageViewSet, basename="admin-message")

urlpatterns = router.urls
