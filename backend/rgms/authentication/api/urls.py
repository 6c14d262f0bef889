"""/api/v1/auth/ (no trailing slashes: the paths the legacy-compatible client calls)."""

from django.urls import path

from rgms.authentication.api import views

urlpatterns = [
    path("login", views.AuthLoginApi.as_view(), name="auth-login"),
    path("logout", views.AuthLogoutApi.as_view(), name="auth-logout"),
    path("refresh", views.AuthRefreshApi.as_view(), name="auth-refresh"),
    path("verify", views.AuthVerifyApi.as_view(), name="auth-verify"),
    path("me", views.AuthMeApi.as_view(), name="auth-me"),
    path("password/change", views.AuthPasswordChangeApi.as_view(), name="auth-password-change"),
    path(
        "password-reset/issue",
        views.AuthPasswordResetIssueApi.as_view(),
        name="auth-password-reset-issue",
    ),
    path(
        "password-reset/request",
        views.AuthPasswordResetRequestApi.as_view(),
        name="auth-password-reset-request",
    ),
    path(
        "password-reset/confirm",
        views.AuthPasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
]
