from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.requests_mine, name="mine"),
    path("new/", views.request_new, name="new"),
    path("attachments/<id:attachment_id>/", views.attachment_file, name="attachment"),
]
