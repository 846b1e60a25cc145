from __future__ import annotations

from django.urls import path

from remit.intake import views

app_name = "intake"
urlpatterns = [
    # Public: the clinic's web site links to /intake/start/<clinic id>/.
    path("start/<int:clinic_id>/", views.screen, name="screen"),
    path("start/<int:clinic_id>/request/", views.request_form, name="request"),
    path("start/<int:clinic_id>/thanks/", views.thanks, name="thanks"),
    # Staff: the intake queue.
    path("", views.queue, name="queue"),
    path("requests/<int:request_id>/", views.detail, name="detail"),
    path("requests/<int:request_id>/status/", views.transition, name="transition"),
    path("requests/<int:request_id>/convert/", views.convert, name="convert"),
]
