"""cms.paths.fixed_path and id_path: reverse() once per URLconf and script prefix."""

import pytest
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    clear_script_prefix,
    path,
    re_path,
    reverse,
    set_script_prefix,
)

from cms.paths import fixed_path, id_path


def _elsewhere(request):  # pragma: no cover - never served
    raise AssertionError


urlpatterns = [
    path("elsewhere/admin/", _elsewhere, name="wagtailadmin_home"),
    path("a/<int:first>/b/<id:second>/c/", _elsewhere, name="two_ids"),
    path("tail/<int:pk>", _elsewhere, name="no_slash_after"),
    re_path(r"^year/(?P<year>[0-9]{4})/$", _elsewhere, name="year"),
    re_path(r"^nine/(?P<pk>[0-9]{9,})/$", _elsewhere, name="long_ids_only"),
]


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
    with pytest.raises(NoReverseMatch):
        fixed_path("no-such-url-name")
    with pytest.raises(NoReverseMatch):
        id_path("no-such-url-name", 1)


@pytest.mark.parametrize("ids", [(0,), (1,), (42,), (918273645,), (2**63 - 1,)])
def test_an_id_path_is_what_reverse_gives(ids):
    for name in ("certificates:enrollment_status", "quizzes:evaluation"):
        assert id_path(name, *ids) == reverse(name, args=ids)


@override_settings(ROOT_URLCONF=__name__)
def test_an_id_path_with_two_ids_keeps_each_in_its_place():
    assert id_path("two_ids", 3, 1234) == "/a/3/b/1234/c/" == reverse("two_ids", args=[3, 1234])
    assert id_path("no_slash_after", 5) == "/tail/5" == reverse("no_slash_after", args=[5])


@override_settings(ROOT_URLCONF=__name__)
def test_a_route_that_takes_only_some_numbers_is_left_to_reverse():
    assert id_path("year", 2026) == "/year/2026/"
    with pytest.raises(NoReverseMatch):
        id_path("year", 7)
    assert id_path("long_ids_only", 123456789) == "/nine/123456789/"
    with pytest.raises(NoReverseMatch):
        id_path("long_ids_only", 5)


def test_an_id_path_follows_the_script_prefix_and_refuses_what_reverse_refuses():
    plain = id_path("quizzes:evaluation", 9)
    set_script_prefix("/practicum/")
    try:
        assert id_path("quizzes:evaluation", 9) == "/practicum" + plain
    finally:
        clear_script_prefix()
    assert id_path("quizzes:evaluation", 9) == plain
    for wrong in (-1, "9x", 1.5, True):
        with pytest.raises(NoReverseMatch):
            id_path("quizzes:evaluation", wrong)


def test_the_id_url_tag_writes_what_the_url_tag_writes():
    from django.template import Context, Template

    written = Template(
        "{% load site_tags %}{% id_url 'renewals:license' pk %}|{% url 'renewals:license' pk %}"
    ).render(Context({"pk": 31}))
    mine, django_s = written.split("|")
    assert mine == django_s == reverse("renewals:license", args=[31])
