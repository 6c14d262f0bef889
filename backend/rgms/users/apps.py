from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "rgms.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rgms.users.caching import forget_saved_or_deleted
        from rgms.users.models import User

        post_save.connect(forget_saved_or_deleted, sender=User, dispatch_uid="user-cache-save")
        post_delete.connect(forget_saved_or_deleted, sender=User, dispatch_uid="user-cache-delete")
