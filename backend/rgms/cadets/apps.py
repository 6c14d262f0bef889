from django.apps import AppConfig


class CadetsConfig(AppConfig):
    name = "rgms.cadets"
    label = "cadets"
    default_auto_field = "django.db.models.BigAutoField"
