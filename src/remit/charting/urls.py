from __future__ import annotations

from django.urls import path

from remit.charting import views

app_name = "charting"
urlpatterns = [
    path("", views.board, name="board"),
    path("board/rows/", views.board_rows_fragment, name="board_rows"),
    path("appointments/<int:appointment_id>/check-in/", views.check_in, name="check_in"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    path("sessions/<int:session_id>/gate/", views.gate_check, name="gate"),
    path("sessions/<int:session_id>/gate/override/", views.gate_override, name="gate_override"),
    path("sessions/<int:session_id>/weight-basis/", views.weight_basis, name="weight_basis"),
    path("sessions/<int:session_id>/dose/", views.dose, name="dose"),
    path("sessions/<int:session_id>/devices/", views.esketamine_device, name="device"),
    path("sessions/<int:session_id>/vitals/", views.vitals, name="vitals"),
    path("sessions/<int:session_id>/side-effects/", views.side_effect, name="side_effect"),
    path("sessions/<int:session_id>/adverse-events/", views.adverse_event, name="adverse_event"),
    path("sessions/<int:session_id>/ratings/", views.rating, name="rating"),
    path("sessions/<int:session_id>/discharge/", views.discharge, name="discharge"),
    path("sessions/<int:session_id>/note/", views.note_sign, name="note_sign"),
    path("sessions/<int:session_id>/note/cosign/", views.note_cosign, name="note_cosign"),
    path("sessions/<int:session_id>/note/addenda/", views.note_addendum, name="note_addendum"),
    path("sessions/<int:session_id>/rems/", views.rems_form, name="rems_form"),
    path("alerts/<int:session_alert_id>/acknowledge/", views.alert_acknowledge, name="alert_ack"),
    path("rems/", views.rems_dashboard, name="rems_dashboard"),
    path("limits/", views.thresholds, name="thresholds"),
    path("limits/settings/", views.clinic_settings_save, name="clinic_settings"),
    path("limits/<str:threshold_name>/", views.threshold_set, name="threshold_set"),
]
