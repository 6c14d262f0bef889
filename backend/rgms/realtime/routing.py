"""Websocket URL routes of the channels service (paths without the leading slash)."""

from django.urls import re_path

from rgms.realtime import consumers

websocket_urlpatterns = [
    re_path(r"^ws/notifications/$", consumers.NotificationConsumer.as_asgi()),
    re_path(r"^ws/chat/(?P<room_id>[A-Za-z0-9_-]{1,64})/$", consumers.ChatConsumer.as_asgi()),
    re_path(r"^ws/updates/$", consumers.UpdatesConsumer.as_asgi()),
    # Anything else under /ws/ (or elsewhere) is closed with 4404 instead of crashing the
    # router with "No route found".
    re_path(r"", consumers.NotFoundConsumer.as_asgi()),
]
