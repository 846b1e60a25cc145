from __future__ import annotations

from django.urls import path

from remit.protocols import views

app_name = "protocols"
urlpatterns = [
    path("", views.protocol_list, name="list"),
    path("<int:version_id>/", views.protocol_detail, name="detail"),
    path("<int:version_id>/edit/", views.protocol_edit, name="edit"),
    path("courses/new/<int:patient_id>/", views.course_new, name="course_new"),
    path("courses/<int:course_id>/", views.course_detail, name="course"),
    path("courses/<int:course_id>/book/", views.course_book, name="course_book"),
    path("courses/<int:course_id>/extend/", views.course_extend_view, name="course_extend"),
    path("courses/<int:course_id>/status/", views.course_status_view, name="course_status"),
    path("courses/<int:course_id>/phase/", views.course_phase_view, name="course_phase"),
]
