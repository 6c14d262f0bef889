from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "rgms.preferences"
    label = "preferences"
    default_auto_field = "django.db.models.BigAutoField"
