"""Settings shared by every environment.

Service URLs are optional here: when present they switch integrations on (DATABASE_URL:
PostgreSQL with psycopg's pool; REDIS_URL: django-redis cache, channels-redis layer and the
Celery broker; SENTRY_DSN: Sentry). ``local.py`` supplies the no-server fallbacks,
``production.py`` refuses to start without them.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import dj_database_url
from celery.schedules import crontab

from config import env
from config.logging import detect_service, logging_config
from config.sentry import init_sentry

BASE_DIR = env.BACKEND_DIR

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = False
ENVIRONMENT: str = env.get("ENVIRONMENT") or "local"
SERVICE_NAME: str = (
    env.get("SERVICE_NAME") if env.is_set("SERVICE_NAME") else detect_service(sys.argv)
)
APP_VERSION: str = env.get("RENDER_GIT_COMMIT") or "dev"
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ALLOWED_HOSTS: list[str] = list(env.get("ALLOWED_HOSTS"))
if env.get("RENDER_EXTERNAL_HOSTNAME"):
    ALLOWED_HOSTS.append(env.get("RENDER_EXTERNAL_HOSTNAME"))

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "channels",
    "django_celery_beat",
    "django_celery_results",
]
LOCAL_APPS = [
    "rgms.core.apps.CoreConfig",
    "rgms.api.apps.ApiConfig",
    "rgms.cadets.apps.CadetsConfig",
    "rgms.staff.apps.StaffConfig",
    "rgms.users.apps.UsersConfig",
    "rgms.authentication.apps.AuthenticationConfig",
    "rgms.grading.apps.GradingConfig",
    "rgms.attendance.apps.AttendanceConfig",
    "rgms.activities.apps.ActivitiesConfig",
    "rgms.notifications.apps.NotificationsConfig",
    "rgms.messaging.apps.MessagingConfig",
    "rgms.files.apps.FilesConfig",
    "rgms.reports.apps.ReportsConfig",
    "rgms.jobs.apps.JobsConfig",
    "rgms.audit.apps.AuditConfig",
    "rgms.preferences.apps.PreferencesConfig",
    "rgms.realtime.apps.RealtimeConfig",
    "rgms.observability.apps.ObservabilityConfig",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
# The first hasher is the one every login upgrades to; the plain bcrypt hasher verifies the
# legacy bcryptjs hashes as imported (see docs/adr/0001-legacy-bcrypt-storage.md).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "rgms.users.hashers.LegacyBCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login brute-force limit (docs/authentication.md): failed attempts per (client IP, account)
# and per client IP within a 15 minute window; successful logins are never counted. The per-IP
# ceiling is for a campus NAT address shared by 3000 cadets: 300 failures in 15 minutes is one
# cadet in ten mistyping at the same moment, while a password-spraying client gets 300 guesses.
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURE_LIMIT_PER_USERNAME = 5
LOGIN_FAILURE_LIMIT_PER_IP = 300
# Proxies in front of the app that APPEND the client address to X-Forwarded-For (Render: 1).
# The client is that many entries from the end; 0 means use the socket address.
TRUSTED_PROXY_COUNT = 1
# Reset links (admin-issued or emailed) work once and expire after a day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
PASSWORD_RESET_PATH = "/reset-password"  # noqa: S105 - a URL path, not a secret
PASSWORD_RESET_REQUEST_LIMIT_PER_IDENTIFIER = 3  # per hour: no mailbox bombing
PASSWORD_RESET_REQUEST_LIMIT_PER_IP = 300  # per hour: a whole campus on cutover day

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # First: request id, metrics and the request log line cover everything below it.
    "rgms.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The admin site's flash messages live in its session. The default (a signed cookie, falling
# back to the session) builds a cookie signer on every request, API requests included: about
# 2 % of a cached read (verification.benchmarks.api_cpu --instructions).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASES
# ------------------------------------------------------------------------------


def postgres_database(url: str, *, pool: bool = True) -> dict[str, Any]:
    """Django DATABASES entry for a PostgreSQL URL: psycopg's pool and an SSL mode."""
    config: dict[str, Any] = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=False)
    options = config.setdefault("OPTIONS", {})
    options.setdefault("sslmode", env.get("DATABASE_SSLMODE"))
    options.setdefault("connect_timeout", 5)
    if pool:
        options["pool"] = {
            "min_size": env.get("DATABASE_POOL_MIN_SIZE"),
            "max_size": env.get("DATABASE_POOL_MAX_SIZE"),
            "timeout": 10,
        }
    return config


DATABASE_URL: str | None = env.get("DATABASE_URL")
if DATABASE_URL and not DATABASE_URL.startswith("sqlite"):
    DATABASES = {"default": postgres_database(DATABASE_URL)}
else:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    }

# CACHES, CHANNEL LAYERS, BROKER
# ------------------------------------------------------------------------------
REDIS_URL: str | None = env.get("REDIS_URL")
CACHE_KEY_PREFIX = "rgms"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "rgms.realtime.layers.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Hashed file names make every static URL immutable, so browsers may keep them a year.
WHITENOISE_MAX_AGE = 31536000
# Uploaded files and generated reports go to Cloudinary when CLOUDINARY_URL is set (web and
# worker share no disk on Render), to MEDIA_ROOT otherwise.
CLOUDINARY_URL: str | None = env.get("CLOUDINARY_URL")
CLOUDINARY_TIMEOUT = 30
if CLOUDINARY_URL:
    STORAGES["default"] = {"BACKEND": "rgms.files.storage.CloudinaryStorage"}
# POST /api/v1/files/upload: the largest file accepted per detected kind, in bytes.
UPLOAD_MAX_SIZE_BY_KIND = {"image": 10 * 1024 * 1024, "document": 20 * 1024 * 1024}

# SECURITY (production tightens these further)
# ------------------------------------------------------------------------------
SECRET_KEY: str | None = env.get("SECRET_KEY")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# CORS (R30)
# ------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS: list[str] = env.get("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "content-type", "x-requested-with"]
CSRF_TRUSTED_ORIGINS = list(CORS_ALLOWED_ORIGINS)

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_HOST: str | None = env.get("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.get("EMAIL_PORT")
    EMAIL_HOST_USER = env.get("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = True
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL: str = env.get("DEFAULT_FROM_EMAIL")
FRONTEND_URL: str = env.get("FRONTEND_URL")[0]

# REST FRAMEWORK, JWT, OPENAPI
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's class plus RGMS's rules (claims, archived/unapproved users, password
        # version); the websocket middleware uses the same class.
        "rgms.authentication.backends.RGMSJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rgms.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "rgms.api.exceptions.exception_handler",
    # OPTIONS without serializer introspection (rgms.api.metadata says why).
    "DEFAULT_METADATA_CLASS": "rgms.api.metadata.ApiMetadata",
    # DRF's negotiation, without parsing the Accept headers nearly every client sends.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "rgms.api.negotiation.ApiContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [],
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    # The one signing key every service shares: web mints, channels verifies.
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "LEEWAY": 0,
    # Access tokens only, carrying role and password-version claims (rgms.authentication.tokens);
    # a token minted by simplejwt's own classes lacks them and is refused.
    "AUTH_TOKEN_CLASSES": ("rgms.authentication.tokens.AccessToken",),
    # Password changes retire tokens through the keyed "pwv" claim instead of simplejwt's
    # unkeyed MD5 of the stored hash.
    "CHECK_REVOKE_TOKEN": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RGMS API",
    "DESCRIPTION": "ROTC Grading Management System: the Django backend.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The error responses implied by pagination and request bodies (rgms.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rgms.api.schema.postprocess_implied_responses",
    ],
    # Several models have a `status` or `type`; name each choice set after its owner.
    "ENUM_NAME_OVERRIDES": {
        "AttendanceStatusEnum": "rgms.attendance.models.AttendanceStatus",
        "MeritDemeritTypeEnum": "rgms.grading.models.MeritDemeritLog.Type",
        "CadetStatusEnum": "rgms.cadets.models.Cadet.Status",
    },
}

# CELERY
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "default"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 29 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = 2
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# visibility_timeout: a task a worker took but never acknowledged (acks late; the worker was
# killed) goes back to the queue after this long. It must exceed the hard time limit, or a
# task still running would be handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
}
# States and results live in the database (django-celery-results): they survive a Redis
# restart or flush. Kept a week, so a report link stays readable; the nightly
# celery.backend_cleanup that beat adds deletes older ones.
CELERY_RESULT_EXPIRES = timedelta(days=7)
# Eager runs (no REDIS_URL) store their state too, so GET /api/v1/tasks/<id>/ works locally.
CELERY_TASK_STORE_EAGER_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = not REDIS_URL
# R21, all in UTC. Task names are the dotted paths of the tasks that do the job.
CELERY_BEAT_SCHEDULE = {
    "cleanup-old-sessions": {
        "task": "rgms.jobs.tasks.cleanup_old_sessions",
        "schedule": crontab(minute="0", hour="2"),
    },
    "generate-daily-reports": {
        "task": "rgms.reports.tasks.generate_daily_reports",
        "schedule": crontab(minute="0", hour="6"),
    },
    "sync-attendance": {
        "task": "rgms.attendance.tasks.sync_attendance",
        "schedule": crontab(minute="*/15"),
    },
    "cleanup-expired-tokens": {
        "task": "rgms.jobs.tasks.cleanup_expired_tokens",
        "schedule": crontab(minute="0", hour="3"),
    },
    "backup-database": {
        "task": "rgms.jobs.tasks.backup_database",
        "schedule": crontab(minute="0", hour="4", day_of_week="sunday"),
    },
    # Observability (docs/monitoring.md): the R16.5 error-rate alert and audit retention.
    "error-rate-check": {
        "task": "rgms.observability.tasks.error_rate_check",
        "schedule": crontab(minute="*"),
    },
    "audit-retention-cleanup": {
        "task": "rgms.observability.tasks.audit_retention_cleanup",
        "schedule": crontab(minute="30", hour="3"),
    },
}

# HEALTH
# ------------------------------------------------------------------------------
HEALTH_CHECK_TIMEOUT: float = env.get("HEALTH_CHECK_TIMEOUT")

# MIGRATION TOOLKIT
# ------------------------------------------------------------------------------
NODEJS_DATABASE_URL: str | None = env.get("NODEJS_DATABASE_URL")
LEGACY_TIME_ZONE: str = env.get("LEGACY_TIME_ZONE")
LEGACY_BACKUP_DIR: str | None = env.get("LEGACY_BACKUP_DIR")

# LOGGING AND ERRORS
# ------------------------------------------------------------------------------
LOGGING_CONFIG = "config.logging.configure"
LOGGING = logging_config(service=SERVICE_NAME, level=env.get("LOG_LEVEL"))
SENTRY_DSN: str | None = env.get("SENTRY_DSN")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=ENVIRONMENT,
        release=APP_VERSION,
        traces_sample_rate=env.get("SENTRY_TRACES_SAMPLE_RATE"),
        service=SERVICE_NAME,
    )

# METRICS, ALERTS, AUDIT RETENTION (docs/monitoring.md)
# ------------------------------------------------------------------------------
METRICS_TOKEN: str | None = env.get("METRICS_TOKEN")
ALERT_WEBHOOK_URL: str | None = env.get("ALERT_WEBHOOK_URL")
AUDIT_RETENTION_DAYS: int = env.get("AUDIT_RETENTION_DAYS")
# Test-only views (rgms.observability.views); only a test settings overlay turns them on,
# never an environment variable.
OBSERVABILITY_DEBUG_VIEWS = False
