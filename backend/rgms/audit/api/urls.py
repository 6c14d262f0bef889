from rest_framework.routers import SimpleRouter

from rgms.audit.api.views import AuditLogViewSet

router = SimpleRouter()
router.register("audit-logs", AuditLogViewSet, basename="audit-log")

urlpatterns = router.urls
