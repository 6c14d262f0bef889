"""The v1 URL root: each app contributes its own patterns.

The apps' lists are spliced in, not included under a shared ``""`` prefix: Django's resolver
raises (and catches) an exception for every include that does not match, and collects what
each one tried for the 404 page. With fourteen such includes, resolving a path was about a
tenth of a cached read's CPU (``verification.benchmarks.api_cpu --instructions``). Spliced, a
path is tested against each route's regular expression until one matches, so the most
requested resources come first, and the ``auth/`` include (and the activities' nested image
routes) come last.
"""

from django.urls import include, path

from rgms.activities.api import urls as activities
from rgms.attendance.api import urls as attendance
from rgms.audit.api import urls as audit
from rgms.cadets.api import urls as cadets
from rgms.files.api import urls as files
from rgms.grading.api import urls as grading
from rgms.jobs.api import urls as jobs
from rgms.messaging.api import urls as messaging
from rgms.notifications.api import urls as notifications
from rgms.observability.api import urls as observability
from rgms.preferences.api import urls as preferences
from rgms.reports.api import urls as reports
from rgms.staff.api import urls as staff

urlpatterns: list = [
    *cadets.urlpatterns,
    *notifications.urlpatterns,
    *attendance.urlpatterns,
    *grading.urlpatterns,
    *staff.urlpatterns,
    *messaging.urlpatterns,
    *preferences.urlpatterns,
    *audit.urlpatterns,
    *files.urlpatterns,
    *reports.urlpatterns,
    *jobs.urlpatterns,
    *observability.urlpatterns,
    *activities.urlpatterns,
    path("auth/", include("rgms.authentication.api.urls")),
]
