from __future__ import annotations

from django.apps import apps
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from remit.accounts import views as account_views
from remit.api import api, register_routers
from remit.clinics import views as clinic_views
from remit.core import views as core_views
from remit.portal import views as portal_views

register_routers()

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("mfa/setup/", account_views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", account_views.mfa_verify, name="mfa_verify"),
    path("staff/", account_views.staff_list, name="staff_list"),
    path("staff/new/", account_views.staff_new, name="staff_new"),
    path("staff/<int:user_id>/", account_views.staff_edit, name="staff_edit"),
    path("staff/<int:user_id>/mfa-reset/", account_views.staff_mfa_reset, name="staff_mfa_reset"),
    path("clinic/", clinic_views.clinic_settings, name="clinic_settings"),
    path("clinic/resources/", clinic_views.resource_list, name="resource_list"),
    path(
        "clinic/resources/<int:resource_id>/toggle/",
        clinic_views.resource_toggle,
        name="resource_toggle",
    ),
    path("audit/", core_views.audit_report, name="audit_report"),
    path("audit/export.csv", core_views.audit_report_csv, name="audit_report_csv"),
    path("audit/disclosures/", core_views.disclosures, name="disclosures"),
    path("p/<str:token>/", portal_views.portal_home, name="portal_home"),
    path("api/v1/", api.urls),
    # Each capability app mounts its pages at its AppConfig's `remit_url_prefix`.
    *[
        path(getattr(config, "remit_url_prefix", ""), include(f"{config.name}.urls"))
        for config in apps.get_app_configs()
        if getattr(config, "remit_url_prefix", None)
    ],
]
