from __future__ import annotations

from django.urls import path

from remit.controlled import views

app_name = "controlled"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("receive/", views.receive, name="receive"),
    path("export.csv", views.export, name="export"),
    path("vials/<int:vial_id>/", views.vial, name="vial"),
    path("vials/<int:vial_id>/count/", views.count, name="count"),
    path("vials/<int:vial_id>/reconcile/", views.reconcile, name="reconcile"),
    path("vials/<int:vial_id>/waste/", views.vial_waste, name="vial_waste"),
    path("sessions/<int:session_id>/draw/", views.draw, name="draw"),
    path("sessions/<int:session_id>/give/", views.give, name="give"),
    path("sessions/<int:session_id>/waste/", views.waste, name="waste"),
]
