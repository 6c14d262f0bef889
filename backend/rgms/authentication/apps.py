from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "rgms.authentication"
    label = "authentication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the OpenAPI security scheme of the authentication class.
        from rgms.authentication import schema  # noqa: F401
