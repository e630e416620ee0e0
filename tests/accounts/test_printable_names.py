"""Names and other text printed on certificates refuse Unicode control and
format characters (bidi overrides, zero-width spaces...): accounts.validators,
on every model field and form that holds such text."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.validators import validate_printable_line, validate_printable_text
from cms.models import ProviderSettings
from courses.models import CoursePage
from tests.factories import (
    AccreditorFactory,
    InstructorFactory,
    LicenseFactory,
    UserFactory,
    client_reauthenticated,
    course_build,
    staff_user,
)

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
HIDDEN = [
    RLO,
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u200b",  # ZERO WIDTH SPACE
    "\u200d",  # ZERO WIDTH JOINER
    "\ufeff",  # BYTE ORDER MARK
    "\u00ad",  # SOFT HYPHEN
    "\u0007",  # BELL (a C0 control)
    "\u2028",  # LINE SEPARATOR
    "\ue000",  # private use
]


@pytest.mark.parametrize("character", HIDDEN)
def test_hidden_characters_are_refused_and_named(character):
    with pytest.raises(ValidationError) as refused:
        validate_printable_line(f"Dana{character} Whitfield")
    assert f"U+{ord(character):04X}" in refused.value.messages[0]
    assert "printed on certificates exactly as typed" in refused.value.messages[0]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ñúñez-Łukasiewicz",
        "Seán O’Brien, PsyD",
        "李小龍",
        "محمد عبد الله",
        "Nguyễn Thị Minh Khai",  # combining marks
        "Dana  Whitfield",
    ],
)
def test_real_names_in_any_script_are_accepted(name):
    validate_printable_line(name)


def test_multi_line_text_accepts_line_breaks_but_not_overrides():
    validate_printable_text("100 Example Street\r\nSuite 200\n\tBaltimore")
    with pytest.raises(ValidationError):
        validate_printable_text(f"100 Example Street\n{RLO}Suite 200")
    with pytest.raises(ValidationError):
        validate_printable_line("100 Example Street\nSuite 200")


def _model_cases():
    return [
        (lambda: UserFactory.build(), ["full_name", "first_name", "last_name"]),
        (lambda: LicenseFactory.build(user=UserFactory()), ["license_number", "region"]),
        (lambda: InstructorFactory.build(), ["name", "credentials", "license"]),
        (
            lambda: AccreditorFactory.build(),
            ["name", "short_name", "provider_number", "statement_template"],
        ),
        (
            lambda: ProviderSettings(),
            ["name", "address", "phone", "ce_administrator_name", "ce_administrator_title"],
        ),
    ]


def test_every_printed_model_field_refuses_a_direction_override():
    for make, fields in _model_cases():
        for field in fields:
            instance = make()
            setattr(instance, field, f"A{RLO}B")
            with pytest.raises(ValidationError) as refused:
                instance.full_clean(validate_unique=False)
            assert field in refused.value.error_dict, (type(instance).__name__, field)


def test_signup_refuses_a_name_with_a_direction_override(proxied_client):
    response = proxied_client("203.0.113.5").post(
        "/accounts/signup/",
        {
            "email": "new.clinician@example.org",
            "full_name": f"Dana {RLO}dlefitihW",
            "password1": "a-Long-pass-phrase-42",
            "password2": "a-Long-pass-phrase-42",
        },
    )
    assert response.status_code == 200
    assert "Remove the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)" in (
        response.content.decode()
    )
    assert not User.objects.filter(email="new.clinician@example.org").exists()


def test_the_profile_refuses_a_zero_width_space_in_the_name_and_a_license(proxied_client):
    user = UserFactory(full_name="Dana Whitfield")
    client = proxied_client("203.0.113.5")
    client.force_login(user)
    response = client.post("/profile/", {"full_name": "Dana\u200bWhitfield"})
    assert response.status_code == 400
    assert "U+200B (ZERO WIDTH SPACE)" in response.content.decode()
    response = client.post(
        "/profile/licenses/add/",
        {"profession": "psychologist", "license_number": f"PSY{RLO}123", "region": "CA"},
    )
    assert "U+202E" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Dana Whitfield"
    assert not user.licenses.exists()


def test_the_admin_user_form_refuses_a_hidden_character(proxied_client):
    person = UserFactory(first_name="Dana")
    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Administrators"))
    client_reauthenticated(client)
    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        {"email": person.email, "first_name": f"Da{RLO}na", "last_name": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Dana"


def test_the_course_editor_refuses_a_hidden_character_in_the_title():
    course = course_build()
    form_class = CoursePage.get_edit_handler().get_form_class()
    form = form_class(instance=course, for_user=staff_user(group="Administrators"))
    with pytest.raises(ValidationError):
        form.fields["title"].clean(f"Understanding {RLO}stuck treatments")
    assert form.fields["title"].clean("Understanding stuck treatments")
