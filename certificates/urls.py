from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:number>/", views.verify_detail, name="verify"),
    path("verify/<str:number>/credential/", views.credential_download, name="credential"),
    path(".well-known/did.json", views.did_document, name="did_document"),
    path(
        "credentials/status/<id:list_number>/",
        views.status_list_credential,
        name="status_list",
    ),
    path("certificates/<str:number>/pdf/", views.certificate_pdf, name="pdf"),
    path("certificates/<str:number>/badge/", views.certificate_badge_download, name="badge"),
    path(
        "certificates/status/<id:enrollment_id>/",
        views.enrollment_status,
        name="enrollment_status",
    ),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/pdf/", views.transcript_pdf, name="transcript_pdf"),
]
