"""{% load course_lists %}: lists of courses for pages of the site layer, which cannot
import the courses app (the home page: `{% home_courses as lists %}`)."""

from django import template

from ..selectors import home_courses as home_courses_select

register = template.Library()


@register.simple_tag
def home_courses() -> dict:
    return home_courses_select()
