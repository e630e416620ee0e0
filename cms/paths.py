"""Paths of named URLs that middleware compares on every request.

``reverse`` walks the URL resolver (about 50 µs each time); the gate and the
content-security policy compare every request's path with the same few fixed
URLs (the admin's home, its sign-in and sign-out). ``id_path`` reverses each
name once per URLconf and script prefix, so a change of either (a deployment
under a sub-path, a test's ``ROOT_URLCONF``) is a new entry, never a stale one.
For URLs whose arguments are row ids (``<int:…>``, ``<id:…>``), which pages link
per enrollment or course, the name is reversed with stand-in ids and the path
is then put together around the ids asked for. ``fixed_path`` is the same for a
name without arguments.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


def fixed_path(name: str) -> str:
    """``reverse(name)``, from a per-process memo (``id_path`` without ids)."""
    return id_path(name)


#: Stand-in ids: one that no real path holds by chance, and a short one, so a
#: route that would not take every non-negative integer is never put together.
_STAND_INS = (918273645, 7)


@lru_cache(maxsize=256)
def _pieces(name: str, count: int, prefix: str, urlconf: str | None) -> tuple[str, ...] | None:
    """The reversed path of `name` cut where its `count` ids go, or None when the
    route does not take any non-negative integers as they are written (then
    ``id_path`` asks ``reverse`` each time)."""
    if not count:  # a name without arguments: its path, whole
        return (reverse(name, urlconf=urlconf),)
    found = []
    for stand_in in _STAND_INS:
        ids = [stand_in * 10 + i for i in range(count)]
        try:
            path = reverse(name, args=ids, urlconf=urlconf)
        except NoReverseMatch:
            return None
        pieces = []
        rest = path
        for i in ids:
            before, marker, rest = rest.partition(f"/{i}/")
            if not marker:
                return None
            pieces.append(before + "/")
            rest = "/" + rest
        pieces.append(rest)
        found.append(tuple(pieces))
    return found[0] if found[0] == found[1] else None


def id_path(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for ids (non-negative integers), put together
    from a per-process memo of the route's path; anything else goes to
    ``reverse``."""
    if all(type(i) is int and i >= 0 for i in ids):
        pieces = _pieces(name, len(ids), get_script_prefix(), get_urlconf())
        if pieces is not None:
            out = [pieces[0]]
            for i, piece in zip(ids, pieces[1:], strict=True):
                out += [str(i), piece]
            return "".join(out)
    return reverse(name, args=ids)


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _pieces.cache_clear()
