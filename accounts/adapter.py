from allauth.account.adapter import DefaultAccountAdapter

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
