"""Local development: runs with no servers at all (SQLite, in-process cache, channel layer
and eager tasks come from base.py when DATABASE_URL / REDIS_URL are unset)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config import env

if env.get("RENDER"):
    # Forgetting DJANGO_SETTINGS_MODULE on Render must not serve DEBUG pages from SQLite.
    raise ImproperlyConfigured(
        "Refusing to start: DJANGO_SETTINGS_MODULE: missing (local settings on Render); "
        "set it to config.settings.production"
    )

from .base import *  # noqa: F403
from .base import BASE_DIR, SECRET_KEY, SIMPLE_JWT

DEBUG = True
ENVIRONMENT = "local"


def _local_secret_key(path: Path) -> str:
    """A random key kept in an ignored file, so that web and channels started separately on
    this machine share it and tokens survive restarts. Never a literal in the source."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key() + get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


if not SECRET_KEY:
    SECRET_KEY = _local_secret_key(BASE_DIR / "var" / "local_secret_key")
    SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY
