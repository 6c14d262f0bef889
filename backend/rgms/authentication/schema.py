"""drf-spectacular: document RGMSJWTAuthentication as the bearer JWT scheme (jwtAuth)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class RGMSJWTScheme(SimpleJWTScheme):
    target_class = "rgms.authentication.backends.RGMSJWTAuthentication"
    name = "jwtAuth"
