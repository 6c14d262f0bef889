from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "rgms.authentication"
    label = "authentication"
    default_auto_field = "django.db.models.BigAutoField"
