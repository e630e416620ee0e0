from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # The rate limits count per real client behind the proxy (accounts.client_ip).
        return client_ip(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = " ".join(form.cleaned_data.get("full_name", "").split())
        if commit:
            user.save()
        return user

    def get_signup_redirect_url(self, request):
        # Right after signup (and the email confirmation that signs in): the license
        # that decides which CE credit certificates carry, asked once and skippable.
        return reverse("accounts:license_welcome")
