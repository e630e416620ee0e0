"""Deleting people in the Wagtail admin. An account that CE records keep
(selectors.user_kept_records) cannot be deleted: instead of failing on the
records' PROTECT (a 500), the delete page explains why and offers to
deactivate the account, which keeps every record and ends the sign-in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.generic import TemplateView, View
from wagtail.admin import messages

from cms.admin_views import AdminPageMixin
from cms.refusals import Refusal

from .decorators import StaffReauthRequiredMixin
from .models import User
from .selectors import user_kept_records
from .services import user_deactivate

DEACTIVATE_URL_NAME = "accounts_user_deactivate"


class UserCannotBeDeletedView(AdminPageMixin, TemplateView):
    """Rendered by the `before_delete_user` hook in place of Wagtail's delete page."""

    template_name = "accounts/admin/user_cannot_delete.html"
    header_icon = "user"

    def get_page_title(self):
        return f"{self.kwargs['person']} cannot be deleted"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "person": self.kwargs["person"],
                "kept_records": self.kwargs["kept_records"],
                "retention_years": settings.RECORD_RETENTION_YEARS,
                "deactivate_url_name": DEACTIVATE_URL_NAME,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        # Nothing is deleted: the same explanation, as the answer to the refused request.
        response = self.get(request, *args, **kwargs)
        response.status_code = 409
        return response


def user_delete_refusal(request, user: User):
    """The `before_delete_user` hook: None lets Wagtail delete an account that no
    record keeps; otherwise the explanation page."""
    kept = user_kept_records(user=user)
    if not kept:
        return None
    return UserCannotBeDeletedView.as_view()(request, person=user, kept_records=kept)


class UserDeactivateView(StaffReauthRequiredMixin, View):
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        # The permission before the id: no hint whether an account exists.
        if not request.user.has_perm("accounts.change_user"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk: int):
        person = get_object_or_404(User, pk=pk)
        try:
            user_deactivate(user=person, actor=request.user)
        except Refusal as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{person} is deactivated: they can no longer sign in; their records stay."
            )
        return redirect("wagtailusers_users:index")


def urlpatterns():
    return [
        path(
            "people/<id:pk>/deactivate/",
            UserDeactivateView.as_view(),
            name=DEACTIVATE_URL_NAME,
        )
    ]
