from __future__ import annotations

from django.urls import path

from remit.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("settings/", views.clinic_settings, name="settings"),
    path("patient/<int:patient_id>/start/", views.start, name="start"),
    path("<int:evaluation_id>/", views.detail, name="detail"),
    path("<int:evaluation_id>/history/", views.section, {"key": "history"}, name="history"),
    path("<int:evaluation_id>/trials/", views.section, {"key": "trial"}, name="trial_add"),
    path(
        "<int:evaluation_id>/treatments/", views.section, {"key": "treatment"}, name="treatment_add"
    ),
    path(
        "<int:evaluation_id>/medications/",
        views.section,
        {"key": "medication"},
        name="medication_add",
    ),
    path("<int:evaluation_id>/remove/", views.part_remove, name="part_remove"),
    path(
        "<int:evaluation_id>/diagnoses/", views.section, {"key": "diagnosis"}, name="diagnosis_add"
    ),
    path("<int:evaluation_id>/body/", views.section, {"key": "body"}, name="body"),
    path("<int:evaluation_id>/sign/", views.section, {"key": "sign"}, name="sign"),
    path("<int:evaluation_id>/addenda/", views.section, {"key": "addendum"}, name="addendum"),
    path("<int:evaluation_id>/consent/", views.section, {"key": "consent"}, name="consent"),
    path("<int:evaluation_id>/rems/", views.section, {"key": "rems"}, name="rems"),
]
