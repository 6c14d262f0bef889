"""Settings for the test suites: PostgreSQL always (never SQLite), production-like errors.

DATABASE_URL names the server; without it the root conftest.py starts a throwaway local
server and points the test database at it. REDIS_URL is used only when the environment sets
it (the integration suite); unit tests get the in-process cache and channel layer.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import (
    CACHES,
    CHANNEL_LAYERS,
    DATABASE_URL,
    MIDDLEWARE,
    REDIS_URL,
    SIMPLE_JWT,
    env,
    postgres_database,
)

DEBUG = False
ENVIRONMENT = "test"

SECRET_KEY = env.get("SECRET_KEY") or secrets.token_urlsafe(64)
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY

# One database per pytest process, so concurrent runs on one machine never collide.
_url = DATABASE_URL or "postgresql://postgres@127.0.0.1:5432/postgres"
if _url.startswith("sqlite"):
    raise RuntimeError("The test suites run on PostgreSQL; DATABASE_URL must not be SQLite.")
DATABASES = {"default": postgres_database(_url, pool=False)}
DATABASES["default"]["TEST"] = {"NAME": f"test_rgms_{os.getpid()}"}

# A fast hasher first; the legacy-login tests override this with base.PASSWORD_HASHERS.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "rgms.users.hashers.LegacyBCryptPasswordHasher",
]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The load suite's deliberately slowed endpoint: {path: seconds}, empty (and the middleware
# uninstalled) unless a test's settings module sets it. Never honoured outside these settings.
TEST_RESPONSE_DELAYS: dict[str, float] = {}
MIDDLEWARE = [*MIDDLEWARE, "rgms.core.slowdown.ResponseDelayMiddleware"]

if REDIS_URL:
    # One key space per pytest process (and xdist worker) on a shared Redis.
    CACHES["default"]["KEY_PREFIX"] = f"rgms-test-{os.getpid()}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"rgms-test-{os.getpid()}:asgi"
