from rest_framework.routers import SimpleRouter

from rgms.cadets.api.views import CadetViewSet

router = SimpleRouter()
router.register("cadets", CadetViewSet, basename="cadet")

urlpatterns = router.urls
