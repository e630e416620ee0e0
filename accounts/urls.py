from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("licenses/add/", views.license_add, name="license_add"),
    path("licenses/welcome/", views.license_welcome, name="license_welcome"),
    path("licenses/<id:license_id>/edit/", views.license_edit, name="license_edit"),
    path("licenses/<id:license_id>/remove/", views.license_remove, name="license_remove"),
    path("delete/", views.account_delete, name="delete"),
]
