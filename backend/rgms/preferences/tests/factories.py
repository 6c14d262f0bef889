from factory.django import DjangoModelFactory

from rgms.preferences.models import SystemSetting, UserSettings


class SystemSettingFactory(DjangoModelFactory):
    class Meta:
        model = SystemSetting
        django_get_or_create = ("key",)

    key = "dark_mode_default"
    value = "false"


class UserSettingsFactory(DjangoModelFactory):
    class Meta:
        model = UserSettings

    user = None
    primary_color = "blue"
