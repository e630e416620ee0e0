"""{% load numbers %}: `{{ attempt.score|humane }} %` reads "80 %", never "80.00 %"."""

from django import template

from ..numbers import humane_number

register = template.Library()


@register.filter
def humane(value) -> str:
    return humane_number(value)
