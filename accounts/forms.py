from django import forms

from cms.forms import ReasonField

from .models import ClinicianLicense, User
from .services import MFA_RESET_REASON_MAX_LENGTH
from .validators import validate_printable_line


class CertificateNameField(forms.CharField):
    """The name printed on certificates (User.full_name): its length, the rule that
    every character shows, and the browser's autofill for a person's name."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=User._meta.get_field("full_name").max_length,
            validators=[validate_printable_line],
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            **kwargs,
        )


class SignupExtraForm(forms.Form):
    """Extra field on allauth's signup form: the certificate name."""

    full_name = CertificateNameField(label="Full name (as printed on certificates)")

    def signup(self, request, user):
        # allauth has already saved the user through the adapter; nothing else to do.
        pass


class CertificateNameForm(forms.Form):
    full_name = CertificateNameField(
        label="Name on certificates",
        help_text="Printed exactly as written on certificates issued from now on.",
    )

    def clean_full_name(self):
        # Stripped and required already (CharField): runs of spaces inside become one.
        return " ".join(self.cleaned_data["full_name"].split())


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
