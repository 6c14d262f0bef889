"""The admin site through its own pages: login with CSRF, a change, and its flash message
(sessions, CSRF, authentication and messages middleware, messages kept in the session)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from rgms.notifications.models import Notification
from rgms.notifications.tests.factories import NotificationFactory
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db


def _csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_an_admin_logs_in_deletes_a_row_and_sees_the_message(
    make_user: Callable[..., User],
) -> None:
    admin_user = make_user(Role.ADMIN, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    login = client.get("/admin/login/")
    assert login.status_code == 200
    # a login without the form's CSRF token is refused
    refused = client.post(
        "/admin/login/", {"username": admin_user.username, "password": "correct horse battery"}
    )
    assert refused.status_code == 403
    logged_in = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": admin_user.username,
            "password": "correct horse battery",
            "csrfmiddlewaretoken": _csrf_token(login.content.decode()),
            "next": "/admin/",
        },
    )
    assert logged_in.status_code == 302, logged_in.content[:500]
    notification = NotificationFactory(message="to be deleted")
    path = f"/admin/notifications/notification/{notification.pk}/delete/"
    confirm = client.get(path)
    assert confirm.status_code == 200
    done = client.post(
        path,
        {"post": "yes", "csrfmiddlewaretoken": _csrf_token(confirm.content.decode())},
        follow=True,
    )
    assert done.status_code == 200
    assert not Notification.objects.filter(pk=notification.pk).exists()
    shown = [str(message) for message in done.context["messages"]]
    assert any("was deleted successfully" in message for message in shown), shown
    # shown once: the next page has no message left
    again = client.get("/admin/")
    assert not list(again.context["messages"])
