"""Websocket URL routes of the channels service."""

websocket_urlpatterns: list = []
