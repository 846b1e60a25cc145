from __future__ import annotations

from django.urls import path

from remit.measures import views

app_name = "measures"
urlpatterns = [
    path("patients/<int:patient_id>/requests/new/", views.request_new, name="request_new"),
    path("patients/<int:patient_id>/schedules/new/", views.schedule_new, name="schedule_new"),
    path("patients/<int:patient_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("schedules/<int:schedule_id>/stop/", views.schedule_end, name="schedule_stop"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
    path("settings/", views.settings_edit, name="settings"),
    path("settings/licensed-text/", views.licensed_text, name="licensed_text"),
    path("q/<str:token>/", views.questionnaire, name="questionnaire"),
    path("q/<str:token>/save/", views.questionnaire_autosave, name="questionnaire_save"),
]
