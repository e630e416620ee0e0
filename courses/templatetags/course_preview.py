"""Links in the learner's pages that stay inside the course preview while previewing."""

from django import template
from wagtail.templatetags.wagtailcore_tags import pageurl

from cms import site_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_url(context, page) -> str:
    """The page's address for a learner; in the course preview, its preview step
    (courses.selectors.preview gives each page its `preview_url`). An address is
    the same for every reader of a site until the content changes: it is made
    once per process and content generation (cms.site_cache.memo)."""
    preview_url = getattr(page, "preview_url", None)
    if preview_url:
        return preview_url
    if page.pk is None:  # an unsaved page, in a preview
        return pageurl(context, page)
    return site_cache.page_url(page, context.get("request"))
