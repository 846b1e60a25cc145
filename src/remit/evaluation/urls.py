from __future__ import annotations

from django.urls import path

from remit.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("settings/", views.clinic_settings, name="settings"),
    path("patient/<int:patient_id>/start/", views.start, name="start"),
    path("<int:evaluation_id>/", views.detail, name="detail"),
    path("<int:evaluation_id>/history/", views.history, name="history"),
    path("<int:evaluation_id>/trials/", views.trial_add, name="trial_add"),
    path("<int:evaluation_id>/treatments/", views.treatment_add, name="treatment_add"),
    path("<int:evaluation_id>/medications/", views.medication_add, name="medication_add"),
    path("<int:evaluation_id>/remove/", views.part_remove, name="part_remove"),
    path("<int:evaluation_id>/diagnoses/", views.diagnosis, name="diagnosis_add"),
    path("<int:evaluation_id>/body/", views.body, name="body"),
    path("<int:evaluation_id>/sign/", views.sign, name="sign"),
    path("<int:evaluation_id>/addenda/", views.addendum, name="addendum"),
    path("<int:evaluation_id>/consent/", views.consent, name="consent"),
    path("<int:evaluation_id>/rems/", views.rems, name="rems"),
]
