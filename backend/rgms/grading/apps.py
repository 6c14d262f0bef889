from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "rgms.grading"
    label = "grading"
    default_auto_field = "django.db.models.BigAutoField"
