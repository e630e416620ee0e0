from django.urls import path

from cms.spreadsheet import SpreadsheetFormat

from . import records_views, views

app_name = "renewals"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/", records_views.records_index, name="records"),
    path(
        "records/transcript.csv",
        records_views.transcript_spreadsheet,
        name="records_transcript_csv",
    ),
    path(
        "records/transcript.xlsx",
        records_views.transcript_spreadsheet,
        {"file_format": SpreadsheetFormat.XLSX},
        name="records_transcript_xlsx",
    ),
    path("records/certificates.zip", records_views.certificates_zip, name="records_zip"),
    path("records/my-data.json", records_views.data_json, name="records_data"),
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
