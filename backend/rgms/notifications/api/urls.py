from rest_framework.routers import SimpleRouter

from rgms.notifications.api.views import NotificationViewSet, PushSubscriptionViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("push-subscriptions", PushSubscriptionViewSet, basename="push-subscription")

urlpatterns = router.urls
