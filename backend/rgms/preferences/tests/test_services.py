import pytest

from rgms.preferences import selectors, services
from rgms.preferences.models import SystemSetting, UserSettings
from rgms.preferences.tests.factories import SystemSettingFactory
from rgms.users.models import User

pytestmark = pytest.mark.django_db


def test_first_read_creates_settings_with_the_system_defaults(cadet_user: User) -> None:
    # given the admins set dark mode and a color as defaults for new users
    SystemSettingFactory(key="dark_mode_default", value="true")
    SystemSettingFactory(key="primary_color", value="#112233")
    # when the cadet's settings are read for the first time, then again
    first = services.user_settings_get_or_create(user=cadet_user)
    second = services.user_settings_get_or_create(user=cadet_user)
    # then one row exists with those defaults
    assert first.pk == second.pk
    assert UserSettings.objects.count() == 1
    assert first.dark_mode is True
    assert first.primary_color == "#112233"
    assert first.email_alerts is True


def test_update_changes_only_the_given_fields(cadet_user: User) -> None:
    # given the cadet's settings
    services.user_settings_get_or_create(user=cadet_user)
    # when compact mode is switched on
    services.user_settings_update(user=cadet_user, compact_mode=True)
    # then only it changed
    row = UserSettings.objects.get(user=cadet_user)
    assert (row.compact_mode, row.dark_mode, row.primary_color) == (True, False, "blue")


def test_update_refuses_unknown_fields(cadet_user: User) -> None:
    # when a field that is not a setting is passed, then it is a programming error
    with pytest.raises(TypeError):
        services.user_settings_update(user=cadet_user, user_id=5)


def test_set_and_reset_a_system_setting() -> None:
    # when a key is set, then reset
    services.system_setting_set(key="email_alerts_default", value=False)
    stored = SystemSetting.objects.get(key="email_alerts_default").value
    services.system_setting_reset(key="email_alerts_default")
    # then it was stored as legacy text, and is gone after the reset
    assert stored == "false"
    assert not SystemSetting.objects.exists()
    assert selectors.system_setting_get(key="email_alerts_default").value is True
