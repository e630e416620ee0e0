from django import forms

from cms.forms import ReasonField

from .models import ClinicianLicense
from .services import MFA_RESET_REASON_MAX_LENGTH
from .validators import validate_printable_line


class SignupExtraForm(forms.Form):
    """Extra field on allauth's signup form: the certificate name."""

    full_name = forms.CharField(
        label="Full name (as printed on certificates)",
        max_length=200,
        validators=[validate_printable_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        # allauth has already saved the user through the adapter; nothing else to do.
        pass


class CertificateNameForm(forms.Form):
    full_name = forms.CharField(
        label="Name on certificates",
        max_length=200,
        validators=[validate_printable_line],
        help_text="Printed exactly as written on certificates issued from now on.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name as it should appear on certificates.")
        return name


class LicenseForm(forms.ModelForm):
    class Meta:
        model = ClinicianLicense
        fields = ["profession", "license_number", "region", "expires_on"]
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}


class MFAResetForm(forms.Form):
    reason = ReasonField(
        max_length=MFA_RESET_REASON_MAX_LENGTH,
        help_text="Kept in the log with your name, e.g. “Lost phone, identity confirmed by call”.",
    )
