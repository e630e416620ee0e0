"""Links in the learner's pages that stay inside the course preview while previewing."""

from django import template
from wagtail.templatetags.wagtailcore_tags import pageurl

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_url(context, page) -> str:
    """The page's address for a learner; in the course preview, its preview step
    (courses.selectors.preview gives each page its `preview_url`)."""
    return getattr(page, "preview_url", None) or pageurl(context, page)
