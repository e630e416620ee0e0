from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import validate_printable_line


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", "Psychologist"
    SOCIAL_WORKER = "social_worker", "Social worker"
    COUNSELOR = "counselor", "Professional counselor"
    MFT = "mft", "Marriage & family therapist"
    OTHER = "other", "Other"


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with an account. Email is the login; `full_name` is printed on
    certificates exactly as written here."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(
        "name on certificates",
        max_length=200,
        help_text="Exactly as it should be printed on your CE certificates.",
        validators=[validate_printable_line],
    )
    # Django's own name fields (the admin's user forms show them): the same rule.
    first_name = models.CharField(
        "first name", max_length=150, blank=True, validators=[validate_printable_line]
    )
    last_name = models.CharField(
        "last name", max_length=150, blank=True, validators=[validate_printable_line]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ClinicianLicense(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="licenses")
    profession = models.CharField(max_length=32, choices=Profession.choices)
    license_number = models.CharField(max_length=64, validators=[validate_printable_line])
    region = models.CharField(
        "state or province",
        max_length=64,
        help_text="e.g. CA, NY, Ontario",
        validators=[validate_printable_line],
    )
    expires_on = models.DateField("expiry date", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profession", "region", "license_number"]
        constraints = [
            models.UniqueConstraint(
                "user", "profession", "region", "license_number", name="accounts_license_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_profession_display()} {self.license_number} ({self.region})"

    def is_expired(self, on=None) -> bool:
        """Expired before `on` (today): it stays on the profile, flagged, but
        counts for no credit. A license without an expiry date never expires."""
        return self.expires_on is not None and self.expires_on < (on or timezone.localdate())
