from allauth.account.forms import ReauthenticateForm
from allauth.account.views import logout as allauth_logout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cms.refusals import Refusal

from . import selectors, services
from .forms import CertificateNameForm, LicenseForm
from .models import ClinicianLicense
from .sessions import user_is_staff


def _render_profile(request, *, name_form=None, license_form=None, status=200):
    return render(
        request,
        "accounts/profile.html",
        {
            "name_form": name_form
            or CertificateNameForm(initial={"full_name": request.user.full_name}),
            "license_form": license_form or LicenseForm(),
            "licenses": selectors.license_list(user=request.user),
        },
        status=status,
    )


@login_required
def profile(request):
    if request.method == "POST":
        form = CertificateNameForm(request.POST)
        if form.is_valid():
            services.user_update_certificate_name(
                user=request.user, full_name=form.cleaned_data["full_name"]
            )
            messages.success(request, "Your certificate name was saved.")
            return redirect("accounts:profile")
        return _render_profile(request, name_form=form, status=400)
    return _render_profile(request)


def _license_saved_message(request, license, verb: str) -> None:
    if license.is_expired():
        messages.warning(
            request,
            f"License {verb}. It expired on {license.expires_on:%d %B %Y}, so it is kept on "
            "your profile but counts for no CE credit; edit its expiry date when you renew it.",
        )
    else:
        messages.success(request, f"License {verb}.")


def _license_added(request, form) -> bool:
    """Add the license the valid form holds; a refusal becomes the form's error."""
    if not form.is_valid():
        return False
    try:
        license = services.license_create(user=request.user, **form.cleaned_data)
    except Refusal as exc:
        form.add_error(None, str(exc))
        return False
    _license_saved_message(request, license, "added")
    return True


@login_required
@require_POST
def license_add(request):
    form = LicenseForm(request.POST)
    if _license_added(request, form):
        return redirect("accounts:profile")
    return _render_profile(request, license_form=form, status=400)


@login_required
def license_edit(request, license_id: int):
    """Correct a license or renew it (a new expiry date): one's own only."""
    try:
        license = selectors.license_list(user=request.user).get(pk=license_id)
    except ClinicianLicense.DoesNotExist as exc:
        raise Http404("No such license on your profile.") from exc
    form = LicenseForm(request.POST if request.method == "POST" else None, instance=license)
    if form.is_bound and form.is_valid():
        try:
            license = services.license_update(
                user=request.user, license_id=license.pk, **form.cleaned_data
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
        else:
            _license_saved_message(request, license, "saved")
            return redirect("accounts:profile")
    if form.is_bound:
        # The form's instance took the refused values: show the license as stored.
        license.refresh_from_db()
    return render(
        request,
        "accounts/license_edit.html",
        {"form": form, "license": license},
        status=400 if form.is_bound else 200,
    )


@login_required
def license_welcome(request):
    """Right after signup (accounts.adapter): the license that decides which CE
    credit a certificate carries, asked for once and skippable."""
    form = LicenseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and _license_added(request, form):
        return redirect(
            "accounts:license_welcome"
            if "add_another" in request.POST
            else settings.LOGIN_REDIRECT_URL
        )
    return render(
        request,
        "accounts/license_welcome.html",
        {"form": form, "licenses": selectors.license_list(user=request.user)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def license_remove(request, license_id: int):
    try:
        services.license_delete(user=request.user, license_id=license_id)
    except ClinicianLicense.DoesNotExist as exc:
        raise Http404("No such license on your profile.") from exc
    messages.success(request, "License removed.")
    return redirect("accounts:profile")


@login_required
def account_delete(request):
    """The clinician deletes their own account, after reading what goes and what
    stays, and giving their password again."""
    user = request.user
    form = ReauthenticateForm(user=user, data=request.POST if request.method == "POST" else None)
    refusal = None
    if form.is_bound and form.is_valid():
        try:
            deleted = services.user_delete_self(user=user)
        except Refusal as exc:
            refusal = str(exc)
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted."
                if deleted
                else "Your account is deleted. Your CE records are kept for "
                f"{settings.RECORD_RETENTION_YEARS} years, as accreditors require, and your "
                "certificates can still be verified.",
            )
            return redirect("/")
    return render(
        request,
        "accounts/delete_account.html",
        {
            "form": form,
            "refusal": refusal,
            "is_staff": user_is_staff(user),
            "kept_records": selectors.user_kept_records(user=user),
            "retention_years": settings.RECORD_RETENTION_YEARS,
        },
        status=400 if form.is_bound else 200,
    )


# --- The Wagtail admin's sign-in and sign-out, handed to allauth ---------------------------


def admin_login(request):
    """Wagtail's /admin/login/: never a form of its own (a POST authenticates
    nobody). Sends to allauth's sign-in, keeping `next` when it stays on this site."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("wagtailadmin_home")
    return redirect_to_login(next_url, login_url=reverse("account_login"))


def admin_logout(request):
    """Wagtail's /admin/logout/ is allauth's sign-out, so leaving the admin leaves
    the site. Only a POST signs out; a GET shows allauth's confirmation page and
    changes nothing."""
    if request.method == "POST":
        return allauth_logout(request)
    return HttpResponseRedirect(reverse("account_logout"))
