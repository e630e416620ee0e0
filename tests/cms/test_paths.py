"""cms.paths.fixed_path: reverse() once per URLconf and script prefix."""

import pytest
from django.test import override_settings
from django.urls import clear_script_prefix, path, reverse, set_script_prefix

from cms.paths import fixed_path


def _elsewhere(request):  # pragma: no cover - never served
    raise AssertionError


urlpatterns = [path("elsewhere/admin/", _elsewhere, name="wagtailadmin_home")]


def test_it_gives_what_reverse_gives():
    for name in ("wagtailadmin_home", "wagtailadmin_login", "wagtailadmin_logout"):
        assert fixed_path(name) == reverse(name)


def test_a_script_prefix_is_part_of_the_path():
    plain = fixed_path("wagtailadmin_home")
    set_script_prefix("/practicum/")
    try:
        assert fixed_path("wagtailadmin_home") == "/practicum" + plain
    finally:
        clear_script_prefix()
    assert fixed_path("wagtailadmin_home") == plain


def test_another_urlconf_is_never_answered_from_the_old_one():
    plain = fixed_path("wagtailadmin_home")
    with override_settings(ROOT_URLCONF=__name__):
        assert fixed_path("wagtailadmin_home") == "/elsewhere/admin/"
    assert fixed_path("wagtailadmin_home") == plain


def test_an_unknown_name_still_raises():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        fixed_path("no-such-url-name")
