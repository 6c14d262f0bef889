from rest_framework.routers import SimpleRouter

from rgms.attendance.api.views import (
    AttendanceViewSet,
    ExcuseLetterViewSet,
    StaffAttendanceViewSet,
    TrainingDayViewSet,
)

router = SimpleRouter()
router.register("training-days", TrainingDayViewSet, basename="training-day")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("staff-attendance", StaffAttendanceViewSet, basename="staff-attendance")
router.register("excuse-letters", ExcuseLetterViewSet, basename="excuse-letter")

urlpatterns = router.urls
