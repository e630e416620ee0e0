"""Links of the Wagtail admin menu that only some people see."""

from collections.abc import Callable

from wagtail.admin.menu import MenuItem


class MenuItemFor(MenuItem):
    """A menu link shown to whom `shown_to(user=...)` answers true: a selector
    such as `courses.selectors.instructing.course_home_shown`."""

    def __init__(self, label: str, url: str, *, shown_to: Callable[..., bool], **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request) -> bool:
        return self.shown_to(user=request.user)
