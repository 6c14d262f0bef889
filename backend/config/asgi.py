"""ASGI entry point of the channels service (daphne): HTTP to Django, websockets to
rgms.realtime (imported after Django's app so models load first)."""

import os

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

from config.startup import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

django_asgi_app = get_asgi_application()

from rgms.realtime.middleware import JWTQueryStringAuthMiddleware  # noqa: E402
from rgms.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": JWTQueryStringAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
freeze_loaded_objects()
