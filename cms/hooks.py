"""Links a lower app's admin page shows to views of an app above it (the cms site
layer: any app may import it). The page names a Wagtail hook; the higher app
registers a function for it (`@hooks.register(name)` in its wagtail_hooks.py)
that returns {"csv": url, ...} for the page's arguments. The lower app imports
nothing of the higher one, and without it the links are simply not shown."""

from __future__ import annotations

from wagtail import hooks


def hook_urls(name: str, *args) -> dict[str, str]:
    """Every URL that the functions registered for the hook `name` give for `args`."""
    urls: dict[str, str] = {}
    for answer in hooks.get_hooks(name):
        urls.update(answer(*args))
    return urls
