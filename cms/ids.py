"""Row ids that arrive in URLs, forms and filters: digits, at most 2^63 - 1.

PostgreSQL answers a lookup with a larger number with nothing found, but
SQLite (`make run`'s default database) raises OverflowError for some of them
(a page's id through its parent link, any ``__in``), which became a 500. Every
id is read here, so both databases give the same 404 or 400:

- ``<id:name>`` in URL patterns (``IdConverter``, registered in cms.apps): a
  longer number matches no URL, a 404;
- ``IdModelChoiceField``, ``IdModelMultipleChoiceField`` and
  ``IdModelChoiceFilter`` for a choice of rows in forms and filters: the
  field's usual "not one of the choices" error;
- ``id_parse`` for ids read straight from a request.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1


def id_parse(value) -> int | None:
    """The id in `value` (ASCII digits only), or None when it is not one any
    database column could hold."""
    text = str(value)
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = id_parse(value)
        if number is None:
            raise ValueError("not a row id")  # no match: the URL answers 404
        return number

    def to_url(self, value) -> str:
        return str(value)


class _IdChoiceMixin:
    """Refuse an out-of-range id as an invalid choice before it reaches a query
    (choices by primary key only: with `to_field_name` the value is no id)."""

    def _refuse_oversized(self, value) -> None:
        if self.to_field_name is None and str(value).isdigit() and id_parse(value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:40]},
            )


class IdModelChoiceField(_IdChoiceMixin, forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            self._refuse_oversized(value)
        return super().to_python(value)


class IdModelMultipleChoiceField(_IdChoiceMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for each in value:
            self._refuse_oversized(each)
        return super()._check_values(value)


class _IdFilterChoiceField(IdModelChoiceField, django_filters.fields.ModelChoiceField):
    pass


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _IdFilterChoiceField
