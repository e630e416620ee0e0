from django.urls import path

from . import views

app_name = "renewals"

urlpatterns = [
    path("", views.index, name="index"),
    path("licenses/<id:license_id>/", views.license_detail, name="license"),
    path("licenses/<id:license_id>/untrack/", views.license_untrack, name="license_untrack"),
    path("licenses/<id:license_id>/reminders/", views.reminders_toggle, name="reminders"),
    path("licenses/<id:license_id>/packet/", views.packet_request, name="packet_request"),
    path("packets/<id:packet_id>/status/", views.packet_status, name="packet_status"),
    path("packets/<id:packet_id>/pdf/", views.packet_pdf, name="packet_pdf"),
    path("uploads/", views.upload_add, name="upload_add"),
    path("uploads/<id:upload_id>/", views.upload_file, name="upload_file"),
    path("uploads/<id:upload_id>/delete/", views.upload_delete, name="upload_delete"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("resubscribe/<str:token>/", views.resubscribe, name="resubscribe"),
]
