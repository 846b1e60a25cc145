from __future__ import annotations

from django.urls import path

from remit.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("appointments/<int:appointment_id>/", views.appointment_detail, name="appointment"),
    path(
        "appointments/<int:appointment_id>/status/",
        views.appointment_status,
        name="appointment_status",
    ),
    path(
        "appointments/<int:appointment_id>/replace/",
        views.appointment_replace_view,
        name="appointment_replace",
    ),
    path("patients/<int:patient_id>/availability/", views.availability, name="availability"),
    path("patients/<int:patient_id>/calendar-link/", views.calendar_link, name="calendar_link"),
    path("staff-hours/", views.staff_hours_page, name="staff_hours"),
    path(
        "staff-hours/<int:hours_id>/delete/",
        views.staff_hours_delete_view,
        name="staff_hours_delete",
    ),
    path("planner/", views.planner, name="planner"),
    path("planner/<int:run_id>/", views.planner_run, name="planner_run"),
    path("feed/<str:token>.ics", views.patient_feed, name="patient_feed"),
    path("resources/<int:resource_id>.ics", views.resource_feed, name="resource_feed"),
]
