from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from remit.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("remit.patients.urls")),
]
