from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = " ".join(form.cleaned_data.get("full_name", "").split())
        if commit:
            user.save()
        return user
