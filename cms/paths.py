"""Paths of named URLs that middleware compares on every request.

``reverse`` walks the URL resolver (about 50 µs each time); the gate and the
content-security policy compare every request's path with the same few fixed
URLs (the admin's home, its sign-in and sign-out). ``fixed_path`` reverses each
name once per URLconf and script prefix, so a change of either (a deployment
under a sub-path, a test's ``ROOT_URLCONF``) is a new entry, never a stale one.
Only for names without arguments.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=64)
def _reversed(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


def fixed_path(name: str) -> str:
    """``reverse(name)``, from a per-process memo."""
    return _reversed(name, get_script_prefix(), get_urlconf())


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
